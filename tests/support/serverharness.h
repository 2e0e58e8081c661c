#pragma once

#include "core/chatserver.h"
#include "core/serverconfig.h"
#include "protocol/types.h"
#include "transport/socketioconnection.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTemporaryDir>

#include <chrono>
#include <memory>
#include <optional>

// Integration-test support: a real ChatServer on 127.0.0.1 (any free port) and
// clients that speak to it through the foundation's client role over real
// WebSockets. Every wait is a bounded QTest::qWaitFor, never a sleep.
namespace parley::server::test {

// A ChatServer on a free loopback port. With a data dir (a temporary one unless
// given), the database is a real file that survives restart().
class TestServer
{
public:
    enum class Storage
    {
        Memory,
        TemporaryFile,
    };
    explicit TestServer(Storage storage = Storage::Memory, ServerConfig config = {});
    ~TestServer();

    ChatServer &server() { return *m_server; }
    ServerConfig &config() { return m_config; }
    quint16 port() const { return m_port; }
    QUrl url(const QString &query = {}) const; // ws://127.0.0.1:PORT/socket.io/?EIO=4&transport=websocket
    QString dataDir() const { return m_config.dataDir; }

    bool start(); // false (and a QWARN) when it cannot
    // Stops (SERVER_SHUTDOWN to everyone, waits for stopped()) and starts again
    // on the same data dir and port.
    bool restart();
    bool stop();

    // Accounts and channels straight through the store, and a token minted by the
    // server's own Authenticator (no /auth round trip, no Argon2id cost).
    struct Account
    {
        protocol::User user;
        QString token;
    };
    Account createUser(const QString &username, const QString &displayName = {});
    QString tokenFor(const QString &userId);
    // Signed with the server's key, `sub` the user, version current, exp an hour ago.
    QString expiredTokenFor(const QString &userId);
    QByteArray secretKey() const { return m_secret; } // the --jwt-secret-file bytes
    protocol::Channel createChannel(
        const QString &name, const QString &creatorId, bool isPrivate = false, const QString &topic = {});
    void addMember(const QString &channelId, const QString &userId);

private:
    ServerConfig m_config;
    std::unique_ptr<QTemporaryDir> m_tempDir; // the data dir, when a file is asked for
    QTemporaryDir m_secretDir; // the signing key, so tests can mint tokens of their own
    QByteArray m_secret;
    std::unique_ptr<ChatServer> m_server;
    quint16 m_port = 0;
};

// One event a TestClient received.
struct ReceivedEvent
{
    QString nsp;
    QString name;
    QJsonValue payload; // the first argument
};

// A Socket.IO client on a real WebSocket, with every event it gets recorded.
class TestClient : public QObject
{
    Q_OBJECT
public:
    explicit TestClient(
        const QUrl &url, transport::ConnectionOptions options = {}, QObject *parent = nullptr);
    ~TestClient() override;

    transport::SocketIoConnection &connection() { return *m_connection; }
    bool isClosed() const { return m_closed; }
    QString closeReason() const { return m_closeReason; }

    // CONNECT to `/` with {"token": token}; waits for connection:ready. Returns
    // its payload, or nullopt (then refusal() holds the CONNECT_ERROR).
    std::optional<QJsonObject> connectMain(const QString &token);
    std::optional<QJsonObject> connectMainWith(const QJsonObject &auth);
    bool connectAuth(); // CONNECT to /auth
    QJsonValue refusal() const { return m_refusal; }

    // emitWithAck and wait for the reply: the first ack argument, or nullopt on
    // timeout/close.
    std::optional<QJsonObject> request(const QString &nsp, const QString &event, const QJsonValue &payload,
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::optional<QJsonObject> request(const QString &event, const QJsonValue &payload)
    {
        return request(QStringLiteral("/"), event, payload);
    }
    void send(const QString &event, const QJsonValue &payload); // no ack

    const QList<ReceivedEvent> &events() const { return m_events; }
    QList<ReceivedEvent> eventsNamed(const QString &name) const;
    // Waits until `count` events of that name have arrived (in total).
    bool waitForEvents(const QString &name, qsizetype count = 1,
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool waitForClose(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void clearEvents() { m_events.clear(); }

private:
    transport::SocketIoConnection *m_connection;
    QList<ReceivedEvent> m_events;
    QJsonValue m_refusal;
    QStringList m_connected;
    bool m_closed = false;
    QString m_closeReason;
};

// Helpers for asserting on acks.
bool isSuccess(const std::optional<QJsonObject> &ack);
QString errorCode(const std::optional<QJsonObject> &ack); // "" when success or absent

} // namespace parley::server::test
