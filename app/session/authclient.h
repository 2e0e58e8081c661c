#pragma once

#include "protocol/result.h"
#include "protocol/types.h"
#include "requester.h"
#include "serveraddress.h"
#include "sessionerror.h"
#include "transport/socketioconnection.h"

#include <QDateTime>
#include <QObject>

#include <functional>
#include <optional>

namespace parley::client {

// What /auth hands out: a token for the CONNECT payload, and whose it is.
struct AuthGrant
{
    QString token;
    protocol::User user;
    QDateTime expiresAt;

    static std::optional<AuthGrant> fromAck(const QJsonObject &ack);
};

using AuthResult = protocol::Result<AuthGrant, SessionError>;

// Log-in, registration and token refresh over the /auth namespace, each on a
// short-lived connection of its own (nothing needs `/` for these). The password
// goes into one event payload and nowhere else: never stored, never logged.
class AuthClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const AuthResult &)>;
    // nullopt: done.
    using DoneCallback = std::function<void(const std::optional<SessionError> &)>;

    explicit AuthClient(
        ServerAddress server, transport::ConnectionOptions options = {}, QObject *parent = nullptr);

    void login(const QString &username, const QString &password, Callback callback);
    void registerAccount(
        const QString &username, const QString &password, const QString &displayName, Callback callback);
    void refresh(const QString &token, Callback callback);
    // auth:logout: every token of the account issued so far stops working.
    void logout(const QString &token, DoneCallback callback);

private:
    // One request on a connection of its own; `answer` runs exactly once, with the
    // ack, or with NoReply and a sentence when the server could not be reached.
    using Answer = std::function<void(const AckResult &)>;
    void run(const QString &event, const QJsonObject &payload, Answer answer);
    void runForGrant(const QString &event, const QJsonObject &payload, Callback callback);

    ServerAddress m_server;
    transport::ConnectionOptions m_options;
};

// The exp claim of a JWT, read without checking the signature (the server checks;
// the client only wants to know when to refresh). nullopt when unreadable.
std::optional<QDateTime> tokenExpiresAt(const QString &token);

} // namespace parley::client
