#pragma once

#include "auth/ratelimiter.h"
#include "protocol/catalogue.h"
#include "servercontext.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>

#include <optional>

namespace parley::protocol {
struct User;
}

namespace parley::server {

class EventRequest;
class EventRoutes;

// The /auth namespace (docs/protocol.md section 6): auth:register, auth:login,
// auth:refresh, auth:logout and auth:changePassword. Acks only, no error events.
//
// No token is needed to use it. Every attempt counts toward the per-address
// limit, and that limit is checked before any password is hashed. Argon2id runs
// on the PasswordHasher's pool; its results come back on the server thread, and a
// request whose connection is gone by then is answered into the void.
class AuthHandler
{
public:
    explicit AuthHandler(ServerContext &context);
    void registerRoutes(EventRoutes &routes);

private:
    void registerUser(const EventRequest &request);
    void login(const EventRequest &request);
    void refresh(const EventRequest &request);
    void logout(const EventRequest &request);
    void changePassword(const EventRequest &request);

    // Counts the attempt against the sender's address, whether or not it is valid.
    auth::RateLimiter::Decision countAttempt(const EventRequest &request);
    bool refuseIfHasherBusy(const EventRequest &request);
    static constexpr qint64 HasherBusyRetryMs = 1000;
    // Answers a failed token check with the code the contract gives /auth.
    void failToken(const EventRequest &request, protocol::ErrorCode code, const QString &message) const;
    // {success, token, user, expiresAt}
    // hardExpiresAt: what the refreshed token carried (auth:refresh keeps it).
    void answerWithToken(const EventRequest &request, const protocol::User &user, int tokenVersion,
        std::optional<QDateTime> hardExpiresAt = std::nullopt) const;
    // Every live `/` session of the user gets connection:closing AUTH_EXPIRED.
    void closeSessionsOf(const QString &userId, const QString &why);

    ServerContext &m_context;
    // The hasher's callbacks run against this: they die with the handler.
    QObject m_callbacks;
};

} // namespace parley::server
