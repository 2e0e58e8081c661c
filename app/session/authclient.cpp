#include "authclient.h"

#include "protocol/catalogue.h"
#include "requester.h"
#include "transport/websocketchannel.h"

#include <QJsonDocument>

namespace parley::client {

using transport::SocketIoConnection;

std::optional<AuthGrant> AuthGrant::fromAck(const QJsonObject &ack)
{
    AuthGrant grant;
    grant.token = ack.value(QStringLiteral("token")).toString();
    auto user = protocol::User::fromJson(ack.value(QStringLiteral("user")).toObject());
    if (grant.token.isEmpty() || !user)
        return std::nullopt;
    grant.user = std::move(*user);
    grant.expiresAt = protocol::parseTimestamp(ack.value(QStringLiteral("expiresAt")).toString());
    if (!grant.expiresAt.isValid())
        grant.expiresAt = tokenExpiresAt(grant.token).value_or(QDateTime());
    return grant;
}

AuthClient::AuthClient(ServerAddress server, transport::ConnectionOptions options, QObject *parent)
    : QObject(parent)
    , m_server(std::move(server))
    , m_options(options)
{ }

void AuthClient::login(const QString &username, const QString &password, Callback callback)
{
    run(protocol::event::AuthLogin,
        QJsonObject {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}},
        std::move(callback));
}

void AuthClient::registerAccount(
    const QString &username, const QString &password, const QString &displayName, Callback callback)
{
    QJsonObject payload {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}};
    if (!displayName.isEmpty())
        payload.insert(QStringLiteral("displayName"), displayName);
    run(protocol::event::AuthRegister, payload, std::move(callback));
}

void AuthClient::refresh(const QString &token, Callback callback)
{
    run(protocol::event::AuthRefresh, QJsonObject {{QStringLiteral("token"), token}}, std::move(callback));
}

void AuthClient::run(const QString &event, const QJsonObject &payload, Callback callback)
{
    auto *connection = new SocketIoConnection(SocketIoConnection::Role::Client,
        transport::WebSocketChannel::connectTo(m_server.socketIoUrl()), m_options, this);
    // Exactly one answer, whichever comes first: the ack, or the connection's end.
    auto finish = std::make_shared<Callback>(std::move(callback));
    auto answer = [connection, finish](const AuthResult &result) {
        if (!*finish)
            return;
        const Callback callback = std::exchange(*finish, nullptr);
        connection->close(QStringLiteral("auth request done"));
        connection->deleteLater();
        callback(result);
    };
    connect(connection, &SocketIoConnection::closed, this, [answer](const QString &reason) {
        answer(SessionError {protocol::ErrorCode::Internal,
            QStringLiteral("Could not reach the server (%1).").arg(reason), true});
    });
    connect(connection, &SocketIoConnection::namespaceRefused, this,
        [answer](const QString &, const QJsonValue &) {
            answer(SessionError {protocol::ErrorCode::Internal,
                QStringLiteral("The server refused the sign-in service."), true});
        });
    connect(connection, &SocketIoConnection::namespaceConnected, this,
        [this, connection, event, payload, answer](const QString &nsp) {
            if (nsp != protocol::ns::Auth)
                return;
            Requester(connection, protocol::ns::Auth)
                .request(this, event, payload, [answer](const AckResult &result) {
                    if (result.status == AckResult::Status::NoReply) {
                        answer(SessionError {protocol::ErrorCode::Internal,
                            QStringLiteral("The server did not answer."), true});
                        return;
                    }
                    if (!result.succeeded()) {
                        answer(result.error);
                        return;
                    }
                    if (auto grant = AuthGrant::fromAck(result.body)) {
                        answer(*grant);
                        return;
                    }
                    answer(SessionError {protocol::ErrorCode::Internal,
                        QStringLiteral("The server's answer could not be read."), false});
                });
        });
    connection->connectNamespace(protocol::ns::Auth);
}

std::optional<QDateTime> tokenExpiresAt(const QString &token)
{
    const QStringList parts = token.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        parts[1].toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (!decoded)
        return std::nullopt;
    const QJsonValue exp = QJsonDocument::fromJson(*decoded).object().value(QStringLiteral("exp"));
    if (!exp.isDouble())
        return std::nullopt;
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(exp.toDouble()), Qt::UTC);
}

} // namespace parley::client
