#pragma once

// Fixtures for the transport tests: a Socket.IO server made of server-role
// SocketIoConnections, on loopback or in memory; a client-role connection; and raw
// WebSocket peers that send hand-made frames (or fail to answer) where a well-behaved
// peer would not.

#include "memoryframechannel.h"
#include "transport/socketioconnection.h"
#include "transport/websocketchannel.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>
#include <vector>

namespace parley::transport::test {

using Role = SocketIoConnection::Role;

inline QUrl socketIoUrl(quint16 port)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(port));
}

inline IncomingEvent eventAt(const QSignalSpy &spy, qsizetype i)
{
    return qvariant_cast<IncomingEvent>(spy.at(i).at(0));
}

inline QJsonObject placeholder(int num)
{
    return QJsonObject {{QStringLiteral("_placeholder"), true}, {QStringLiteral("num"), num}};
}

// The spies of one connection, attached before anything can happen on it.
struct ConnectionSpies
{
    explicit ConnectionSpies(SocketIoConnection *c)
        : opened(c, &SocketIoConnection::opened)
        , connectRequests(c, &SocketIoConnection::namespaceConnectRequested)
        , connected(c, &SocketIoConnection::namespaceConnected)
        , refused(c, &SocketIoConnection::namespaceRefused)
        , disconnected(c, &SocketIoConnection::namespaceDisconnected)
        , events(c, &SocketIoConnection::eventReceived)
        , heartbeats(c, &SocketIoConnection::heartbeatReceived)
        , closed(c, &SocketIoConnection::closed)
    { }
    QString closeReason() const { return closed.isEmpty() ? QString() : closed.at(0).at(0).toString(); }

    QSignalSpy opened, connectRequests, connected, refused, disconnected, events, heartbeats, closed;
};

// The server end of one accepted connection.
struct ServerSide
{
    explicit ServerSide(SocketIoConnection *c)
        : connection(c)
        , spies(c)
    { }
    QPointer<SocketIoConnection> connection;
    ConnectionSpies spies;
};

// QWebSocketServer on 127.0.0.1:0; every accepted socket becomes a WebSocketChannel
// (limited to maxPayload) under a server-role connection. CONNECTs are accepted
// with sid "sid<nsp>" unless autoAccept is off.
class LoopbackServer
{
public:
    explicit LoopbackServer(ConnectionOptions options = {})
        : m_options(options)
    {
        QObject::connect(&m_server, &QWebSocketServer::newConnection, &m_server, [this] { acceptPending(); });
    }
    ~LoopbackServer() { m_sides.clear(); }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return socketIoUrl(m_server.serverPort()); }
    qsizetype count() const { return qsizetype(m_sides.size()); }
    ServerSide &side(qsizetype i) { return *m_sides.at(size_t(i)); }

    bool autoAccept = true;

private:
    void acceptPending()
    {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            auto *channel = new WebSocketChannel(socket);
            channel->setMaxPayload(m_options.maxPayload);
            auto *connection = new SocketIoConnection(Role::Server, channel, m_options, &m_owner);
            if (autoAccept) {
                QObject::connect(connection, &SocketIoConnection::namespaceConnectRequested, connection,
                    [connection](const QString &nsp) {
                        connection->acceptNamespace(nsp, QStringLiteral("sid") + nsp);
                    });
            }
            m_sides.push_back(std::make_unique<ServerSide>(connection));
            connection->open();
        }
    }

    ConnectionOptions m_options;
    QObject m_owner; // parent of the connections, deleted after their spies
    QWebSocketServer m_server {QStringLiteral("tst_socketioconnection"), QWebSocketServer::NonSecureMode};
    std::vector<std::unique_ptr<ServerSide>> m_sides;
};

// The same server without a socket: each connectClient() joins a server-role
// connection to a new client end in memory (test::MemoryFrameChannel). For tests of
// what the connections do, where a loopback socket adds only timing.
class MemoryServer
{
public:
    explicit MemoryServer(ConnectionOptions options = {})
        : m_options(options)
    { }
    ~MemoryServer() { m_sides.clear(); }

    // The client end, for a ClientSide; the server end is open already.
    FrameChannel *connectClient()
    {
        const auto pair = parley::test::MemoryFrameChannel::makePair();
        auto *connection = new SocketIoConnection(Role::Server, pair.server, m_options, &m_owner);
        QObject::connect(connection, &SocketIoConnection::namespaceConnectRequested, connection,
            [connection](
                const QString &nsp) { connection->acceptNamespace(nsp, QStringLiteral("sid") + nsp); });
        m_sides.push_back(std::make_unique<ServerSide>(connection));
        connection->open();
        return pair.client;
    }
    qsizetype count() const { return qsizetype(m_sides.size()); }
    ServerSide &side(qsizetype i) { return *m_sides.at(size_t(i)); }

private:
    ConnectionOptions m_options;
    QObject m_owner; // parent of the connections, deleted after their spies
    std::vector<std::unique_ptr<ServerSide>> m_sides;
};

// A client-role connection over WebSocketChannel::connectTo, or over a channel given.
struct ClientSide
{
    explicit ClientSide(
        const QUrl &url, ConnectionOptions options = {}, const WebSocketChannel::Headers &headers = {})
        : ClientSide(WebSocketChannel::connectTo(url, headers), options)
    { }
    explicit ClientSide(FrameChannel *channel, ConnectionOptions options = {})
        : connection(std::make_unique<SocketIoConnection>(Role::Client, channel, options))
        , spies(connection.get())
    { }
    std::unique_ptr<SocketIoConnection> connection;
    ConnectionSpies spies;
};

// A plain QWebSocket that speaks only what the test types.
struct RawClient
{
    explicit RawClient(const QUrl &url) { socket.open(url); }
    QString text(qsizetype i) const { return texts.at(i).at(0).toString(); }
    void send(const QString &frame) { socket.sendTextMessage(frame); }

    QWebSocket socket;
    QSignalSpy texts {&socket, &QWebSocket::textMessageReceived};
    QSignalSpy disconnected {&socket, &QWebSocket::disconnected};
};

// A hand-made server for client-role tests: sends `greeting` (if any) on accept,
// then lets the test answer each text frame.
class RawServer
{
public:
    using Reply = std::function<void(QWebSocket *socket, const QString &frame)>;

    RawServer(QString greeting, Reply reply)
        : m_greeting(std::move(greeting))
        , m_reply(std::move(reply))
    {
        QObject::connect(&m_server, &QWebSocketServer::newConnection, &m_server, [this] { acceptPending(); });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return socketIoUrl(m_server.serverPort()); }
    QStringList received;

private:
    void acceptPending()
    {
        while (QWebSocket *raw = m_server.nextPendingConnection()) {
            m_sockets.emplace_back(raw);
            QObject::connect(
                raw, &QWebSocket::textMessageReceived, &m_server, [this, raw](const QString &frame) {
                    received.append(frame);
                    if (m_reply)
                        m_reply(raw, frame);
                });
            if (!m_greeting.isEmpty())
                raw->sendTextMessage(m_greeting);
        }
    }

    QString m_greeting;
    Reply m_reply;
    QWebSocketServer m_server {QStringLiteral("raw"), QWebSocketServer::NonSecureMode};
    std::vector<std::unique_ptr<QWebSocket>> m_sockets;
};

inline QString openPacket(int pingInterval, int pingTimeout, qint64 maxPayload = 1000000)
{
    return QStringLiteral(
        R"(0{"sid":"rawsid","upgrades":[],"pingInterval":%1,"pingTimeout":%2,"maxPayload":%3})")
        .arg(pingInterval)
        .arg(pingTimeout)
        .arg(maxPayload);
}

} // namespace parley::transport::test
