#include "authclient.h"

#include "protocol/catalogue.h"
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
    runForGrant(protocol::event::AuthLogin,
        QJsonObject {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}},
        std::move(callback));
}

void AuthClient::registerAccount(
    const QString &username, const QString &password, const QString &displayName, Callback callback)
{
    QJsonObject payload {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}};
    if (!displayName.isEmpty())
        payload.insert(QStringLiteral("displayName"), displayName);
    runForGrant(protocol::event::AuthRegister, payload, std::move(callback));
}

void AuthClient::refresh(const QString &token, Callback callback)
{
    runForGrant(
        protocol::event::AuthRefresh, QJsonObject {{QStringLiteral("token"), token}}, std::move(callback));
}

void AuthClient::logout(const QString &token, DoneCallback callback)
{
    run(protocol::event::AuthLogout, QJsonObject {{QStringLiteral("token"), token}},
        [callback = std::move(callback)](const AckResult &result) {
            if (result.succeeded())
                callback(std::nullopt);
            else
                callback(result.error);
        });
}

void AuthClient::runForGrant(const QString &event, const QJsonObject &payload, Callback callback)
{
    run(event, payload, [callback = std::move(callback)](const AckResult &result) {
        if (!result.succeeded()) {
            callback(result.error);
            return;
        }
        if (auto grant = AuthGrant::fromAck(result.body)) {
            callback(*grant);
            return;
        }
        callback(SessionError {
            protocol::ErrorCode::Internal, QStringLiteral("The server's answer could not be read."), false});
    });
}

void AuthClient::run(const QString &event, const QJsonObject &payload, Answer answer)
{
    auto *connection = new SocketIoConnection(SocketIoConnection::Role::Client,
        transport::WebSocketChannel::connectTo(m_server.socketIoUrl()), m_options, this);
    // Exactly one answer, whichever comes first: the ack, or the connection's end.
    auto pending = std::make_shared<Answer>(std::move(answer));
    auto finish = [connection, pending](const AckResult &result) {
        if (!*pending)
            return;
        const Answer answer = std::exchange(*pending, nullptr);
        connection->close(QStringLiteral("auth request done"));
        connection->deleteLater();
        answer(result);
    };
    // Not answered: NoReply, with a sentence saying why.
    auto unanswered = [finish](const QString &why) {
        AckResult result;
        result.error = SessionError {protocol::ErrorCode::Internal, why, true};
        finish(result);
    };
    connect(connection, &SocketIoConnection::closed, this, [unanswered](const QString &reason) {
        unanswered(QStringLiteral("Could not reach the server (%1).").arg(reason));
    });
    connect(connection, &SocketIoConnection::namespaceRefused, this,
        [unanswered](const QString &, const QJsonValue &) {
            unanswered(QStringLiteral("The server refused the sign-in service."));
        });
    connect(connection, &SocketIoConnection::namespaceConnected, this,
        [this, connection, event, payload, finish, unanswered](const QString &nsp) {
            if (nsp != protocol::ns::Auth)
                return;
            Requester(connection, protocol::ns::Auth)
                .request(this, event, payload, [finish, unanswered](const AckResult &result) {
                    if (result.status == AckResult::Status::NoReply)
                        unanswered(QStringLiteral("The server did not answer."));
                    else
                        finish(result);
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
