#include "serverharness.h"

#include "auth/authenticator.h"
#include "auth/secretkey.h"
#include "auth/tokensigner.h"
#include "protocol/catalogue.h"
#include "store/chatstore.h"
#include "storeseeding.h"
#include "transport/websocketchannel.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

namespace parley::server::test {

using namespace std::chrono_literals;
using parley::test::seedChannel;
using parley::test::seedMember;
using parley::test::seedUser;

TestServer::TestServer(Storage storage, ServerConfig config)
    : m_config(std::move(config))
{
    m_config.address = QHostAddress::LocalHost;
    m_config.port = 0;
    if (storage == Storage::TemporaryFile && m_config.dataDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        m_config.dataDir = m_tempDir->path();
    }
    if (m_config.jwtSecretFile.isEmpty()) {
        // 32 random bytes as 64 hex digits, as `openssl rand -hex 32` writes them.
        QByteArray random(32, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(random.data()), 8);
        m_secret = random.toHex();
        m_config.jwtSecretFile = m_secretDir.filePath(QStringLiteral("jwt-secret"));
        QFile file(m_config.jwtSecretFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_secret) != m_secret.size())
            qWarning() << "cannot write the test signing key";
    }
}

TestServer::~TestServer()
{
    m_server.reset();
}

QUrl TestServer::url(const QString &query) const
{
    QString text = QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(m_port);
    if (!query.isEmpty())
        text += QLatin1Char('&') + query;
    return QUrl(text);
}

bool TestServer::start()
{
    ServerConfig config = m_config;
    config.port = m_port; // a restart keeps its port
    m_server = std::make_unique<ChatServer>(config);
    auto port = m_server->start();
    if (!port) {
        qWarning().noquote() << "test server did not start:" << port.error().message;
        m_server.reset();
        return false;
    }
    m_port = *port;
    return true;
}

bool TestServer::stop()
{
    if (!m_server)
        return true;
    QSignalSpy stopped(m_server.get(), &ChatServer::stopped);
    m_server->shutdown(1s);
    const bool ok = stopped.size() == 1 || stopped.wait(5000);
    m_server.reset();
    return ok;
}

bool TestServer::restart()
{
    return stop() && start();
}

TestServer::Account TestServer::createUser(const QString &username, const QString &displayName)
{
    const auto user = seedUser(m_server->store(), username, displayName);
    return user ? Account {*user, tokenFor(user->id)} : Account {};
}

QString TestServer::tokenFor(const QString &userId)
{
    const auto account = m_server->store().users().userById(userId);
    if (!account)
        return {};
    return m_server->authenticator().issueToken(userId, account->tokenVersion).token;
}

QString TestServer::expiredTokenFor(const QString &userId)
{
    const auto account = m_server->store().users().userById(userId);
    const auto key = auth::SecretKey::fromBytes(m_secret);
    if (!account || !key)
        return {};
    auth::TokenClaims claims;
    claims.subject = userId;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    claims.issuedAt = now - 7200;
    claims.expiresAt = now - 3600;
    claims.version = account->tokenVersion;
    return QString::fromLatin1(auth::TokenSigner(*key).sign(claims));
}

protocol::Channel TestServer::createChannel(
    const QString &name, const QString &creatorId, bool isPrivate, const QString &topic)
{
    return seedChannel(m_server->store(), name, creatorId, isPrivate, topic).value_or(protocol::Channel {});
}

void TestServer::addMember(const QString &channelId, const QString &userId)
{
    seedMember(m_server->store(), channelId, userId);
}

TestClient::TestClient(const QUrl &url, transport::ConnectionOptions options, QObject *parent)
    : QObject(parent)
    , m_connection(new transport::SocketIoConnection(transport::SocketIoConnection::Role::Client,
          transport::WebSocketChannel::connectTo(url), options, this))
{
    connect(m_connection, &transport::SocketIoConnection::eventReceived, this,
        [this](const transport::IncomingEvent &event) {
            m_events.append(
                {event.nsp, event.name, event.args.isEmpty() ? QJsonValue() : event.args.first()});
        });
    connect(m_connection, &transport::SocketIoConnection::namespaceConnected, this,
        [this](const QString &nsp) { m_connected.append(nsp); });
    connect(m_connection, &transport::SocketIoConnection::namespaceRefused, this,
        [this](const QString &, const QJsonValue &error) { m_refusal = error; });
    connect(m_connection, &transport::SocketIoConnection::closed, this, [this](const QString &reason) {
        m_closed = true;
        m_closeReason = reason;
    });
}

TestClient::~TestClient()
{
    m_connection->close(QStringLiteral("test client done"));
}

std::optional<QJsonObject> TestClient::connectMain(const QString &token)
{
    return connectMainWith(QJsonObject {{QStringLiteral("token"), token}});
}

std::optional<QJsonObject> TestClient::connectMainWith(const QJsonObject &auth)
{
    m_refusal = QJsonValue();
    const qsizetype readyBefore = eventsNamed(protocol::event::ConnectionReady).size();
    m_connection->connectNamespace(QStringLiteral("/"), auth);
    const bool answered = QTest::qWaitFor(
        [&] {
            return (!m_refusal.isUndefined() && !m_refusal.isNull()) ||
                eventsNamed(protocol::event::ConnectionReady).size() > readyBefore || m_closed;
        },
        10000);
    const auto ready = eventsNamed(protocol::event::ConnectionReady);
    if (!answered || ready.size() == readyBefore)
        return std::nullopt;
    return ready.last().payload.toObject();
}

bool TestClient::connectAuth()
{
    m_connection->connectNamespace(QStringLiteral("/auth"));
    return QTest::qWaitFor(
               [&] { return m_connection->isNamespaceConnected(QStringLiteral("/auth")) || m_closed; },
               10000) &&
        !m_closed;
}

std::optional<QJsonObject> TestClient::request(
    const QString &nsp, const QString &event, const QJsonValue &payload, std::chrono::milliseconds timeout)
{
    bool done = false;
    std::optional<QJsonObject> result;
    m_connection->emitWithAck(
        nsp, event, QJsonArray {payload},
        [&done, &result](const transport::AckReply &reply) {
            done = true;
            if (!reply.timedOut && !reply.args.isEmpty())
                result = reply.args.first().toObject();
        },
        timeout);
    if (!QTest::qWaitFor([&] { return done; }, static_cast<int>(timeout.count()) + 1000)) {
        // The callback refers to this frame's locals: make sure it can never run.
        m_connection->close(QStringLiteral("test request abandoned"));
    }
    return result;
}

void TestClient::send(const QString &event, const QJsonValue &payload)
{
    m_connection->emitEvent(QStringLiteral("/"), event, QJsonArray {payload});
}

QList<ReceivedEvent> TestClient::eventsNamed(const QString &name) const
{
    QList<ReceivedEvent> named;
    for (const ReceivedEvent &event : m_events) {
        if (event.name == name)
            named.append(event);
    }
    return named;
}

bool TestClient::waitForEvents(const QString &name, qsizetype count, std::chrono::milliseconds timeout)
{
    return QTest::qWaitFor(
        [&] { return eventsNamed(name).size() >= count; }, static_cast<int>(timeout.count()));
}

bool TestClient::waitForClose(std::chrono::milliseconds timeout)
{
    return QTest::qWaitFor([&] { return m_closed; }, static_cast<int>(timeout.count()));
}

bool isSuccess(const std::optional<QJsonObject> &ack)
{
    return ack && ack->value(QStringLiteral("success")).toBool();
}

QString errorCode(const std::optional<QJsonObject> &ack)
{
    if (!ack || ack->value(QStringLiteral("success")).toBool())
        return {};
    return ack->value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

} // namespace parley::server::test
