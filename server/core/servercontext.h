#pragma once

#include "roomregistry.h"
#include "serverconfig.h"

namespace parley::store {
class ChatStore;
}
namespace parley::auth {
class Authenticator;
class PasswordHasher;
class RateLimiter;
} // namespace parley::auth

namespace parley::transport {
class CaptureRecorder;
}

namespace parley::server {

class Broadcaster;
class SessionDirectory;

// The server's shared parts, handed to every session and handler. Owned by
// ChatServer; everything here lives on the server's thread.
struct ServerContext
{
    const ServerConfig &config;
    store::ChatStore &store;
    RoomRegistry &rooms;
    SessionDirectory &sessions;
    Broadcaster &broadcaster;
    auth::Authenticator &authenticator;
    auth::PasswordHasher &passwords;
    auth::RateLimiter &eventLimiter; // keyed by connection id
    auth::RateLimiter &authLimiter; // keyed by client address (clientaddress::limitKey)
    auth::RateLimiter &userEventLimiter; // keyed by user id: every connection of the user
    auth::RateLimiter &channelCreateLimiter; // keyed by user id
    transport::CaptureRecorder *capture = nullptr; // set while --trace records
};

} // namespace parley::server
