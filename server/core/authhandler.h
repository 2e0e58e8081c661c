#pragma once

#include "servercontext.h"

namespace parley::server {

class EventRoutes;

// The /auth namespace (docs/protocol.md section 6): auth:register, auth:login,
// auth:refresh. No token needed; every attempt counts toward the per-address limit,
// which is checked before any password is hashed.
class AuthHandler
{
public:
    explicit AuthHandler(ServerContext &context);
    void registerRoutes(EventRoutes &routes);

private:
    ServerContext &m_context;
};

} // namespace parley::server
