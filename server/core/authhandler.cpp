#include "authhandler.h"

#include "eventroutes.h"

namespace parley::server {

AuthHandler::AuthHandler(ServerContext &context)
    : m_context(context)
{ }

void AuthHandler::registerRoutes(EventRoutes &routes)
{
    Q_UNUSED(routes);
}

} // namespace parley::server
