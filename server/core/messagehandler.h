#pragma once

#include "servercontext.h"

namespace parley::server {

class EventRoutes;

// message:send and message:history (docs/protocol.md section 5). A send is acked
// and broadcast only after its commit returns.
class MessageHandler
{
public:
    explicit MessageHandler(ServerContext &context);
    ~MessageHandler();
    void registerRoutes(EventRoutes &routes);
    // Commits what is waiting and answers it (shutdown).
    void flush();

private:
    ServerContext &m_context;
};

} // namespace parley::server
