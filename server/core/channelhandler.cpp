#include "channelhandler.h"

#include "eventroutes.h"

namespace parley::server {

ChannelHandler::ChannelHandler(ServerContext &context)
    : m_context(context)
{ }

void ChannelHandler::registerRoutes(EventRoutes &routes)
{
    Q_UNUSED(routes);
}

} // namespace parley::server
