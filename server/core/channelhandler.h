#pragma once

#include "servercontext.h"

namespace parley::server {

class EventRoutes;

// channel:list, channel:create, channel:join, channel:leave, channel:invite,
// channel:members (docs/protocol.md section 5). Joining, leaving or being invited
// moves every session of that user between rooms.
class ChannelHandler
{
public:
    explicit ChannelHandler(ServerContext &context);
    void registerRoutes(EventRoutes &routes);

private:
    ServerContext &m_context;
};

} // namespace parley::server
