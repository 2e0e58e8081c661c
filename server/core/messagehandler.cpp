#include "messagehandler.h"

#include "eventroutes.h"

namespace parley::server {

MessageHandler::MessageHandler(ServerContext &context)
    : m_context(context)
{ }

MessageHandler::~MessageHandler() = default;

void MessageHandler::flush()
{ }

void MessageHandler::registerRoutes(EventRoutes &routes)
{
    Q_UNUSED(routes);
}

} // namespace parley::server
