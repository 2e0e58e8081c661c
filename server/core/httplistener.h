#pragma once

#include "connectionquota.h"
#include "protocol/result.h"
#include "serverconfig.h"

#include <QAbstractSocket>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

class QJsonObject;
class QTcpServer;
class QTimer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace parley::transport {
class FrameChannel;
}

namespace parley::server {

namespace http {
struct RequestHead;
}

struct HttpListenerOptions
{
    // The one path that upgrades (docs/protocol.md section 1); the fixture uses /engine.io/.
    QString webSocketPath = QStringLiteral("/socket.io/");
    qint64 maxHeadBytes = 8 * 1024;
    std::chrono::milliseconds headTimeout {10000};
    // How long a refused client gets to read the answer before the socket is aborted.
    std::chrono::milliseconds lingerTimeout {5000};
    // Qt's default backlog (50) drops connection bursts on a busy server.
    int listenBacklog = 1024;
    // Out of descriptors (EMFILE): accepting pauses this long, then tries again. The
    // waiting connections stay in the kernel's backlog meanwhile; nothing spins.
    std::chrono::milliseconds acceptRetryDelay {250};
    // Applied to every upgraded QWebSocket: Qt would otherwise buffer ~2 GiB messages.
    qint64 maxIncomingMessageBytes = 1000000;
    QStringList allowedOrigins; // empty: any Origin (native clients send none)
    // Live connections (from accept to close) in all, and per client address
    // (clientaddress::limitKey); 0: no limit. Over either, HTTP 503 with a JSON reason.
    qsizetype maxConnections = 0;
    qsizetype maxConnectionsPerAddress = 0;
    // Reverse proxies whose X-Forwarded-For names the client (clientaddress::resolve).
    QList<QHostAddress> trustedProxies;
    // Native: the listener completes the upgrade itself and hands out a
    // net::TcpWebSocketChannel; Qt: QWebSocketServer completes it and the channel wraps
    // a QWebSocket.
    WebSocketTransport webSocket = WebSocketTransport::Native;
    QString version; // reported by /healthz; empty: QCoreApplication::applicationVersion()
};

// What /healthz reports; the listener asks its provider and knows nothing of rooms.
struct HealthSnapshot
{
    qint64 connections = 0;
    qint64 rooms = 0;
};

struct ListenError
{
    QAbstractSocket::SocketError code = QAbstractSocket::UnknownSocketError;
    QString message;
};

// The server's one TCP port. Every request head is examined before anything else
// happens: a valid Engine.IO v4 WebSocket upgrade is completed by a (never listening)
// QWebSocketServer and announced as a FrameChannel; GET /healthz is answered here;
// anything else gets an HTTP 4xx with a JSON reason and Connection: close, never a
// silent hang-up (QWebSocketServer alone would just drop plain HTTP).
class HttpListener : public QObject
{
    Q_OBJECT
public:
    using HealthProvider = std::function<HealthSnapshot()>;

    explicit HttpListener(HttpListenerOptions options = {}, QObject *parent = nullptr);
    ~HttpListener() override;

    // Returns the bound port (useful with port 0) or why listening failed.
    protocol::Result<quint16, ListenError> listen(const QHostAddress &address, quint16 port = 0);
    void close();
    bool isListening() const;
    quint16 port() const;

    void setHealthProvider(HealthProvider provider);
    const HttpListenerOptions &options() const { return m_options; }

    // Accepted TCP sockets not yet destroyed: those being examined, refused ones
    // being answered, and upgraded ones until their WebSocket is gone. Tests use it to
    // prove that no socket outlives its connection.
    qsizetype liveSocketCount() const { return m_liveSockets.size() + *m_liveLightChannels; }
    // How often accepting paused for want of descriptors (or another resource).
    qint64 acceptPauseCount() const { return m_acceptPauses; }

Q_SIGNALS:
    // A WebSocket upgrade completed. The receiver owns the channel; with no receiver
    // connected the channel is closed and deleted.
    void channelAccepted(parley::transport::FrameChannel *channel);

private:
    class SocketWatch;

    void acceptPendingSockets();
    void onAcceptError(QAbstractSocket::SocketError error);
    void track(QTcpSocket *socket);
    void examineHead(QTcpSocket *socket);
    void onTimerExpired(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, int code, const QString &message);
    void refuseBusy(QTcpSocket *socket, const QString &message);
    bool takeShare(QTcpSocket *socket, SocketWatch *watch, const QHostAddress &client);
    void answerHealth(QTcpSocket *socket);
    void respondAndClose(QTcpSocket *socket, int status, const QJsonObject &body);
    void upgrade(QTcpSocket *socket);
    void upgradeInPlace(QTcpSocket *socket, const http::RequestHead &head, qsizetype headLength);
    bool announce(transport::FrameChannel *channel);
    void announceUpgradedSockets();
    SocketWatch *adoptTcpSocket(QWebSocket *webSocket);

    HttpListenerOptions m_options;
    HealthProvider m_healthProvider;
    std::unique_ptr<QTcpServer> m_tcpServer;
    std::unique_ptr<QWebSocketServer> m_webSocketServer;
    std::unique_ptr<QTimer> m_acceptRetry; // runs while accepting is paused
    qint64 m_acceptPauses = 0;
    QHash<QTcpSocket *, SocketWatch *> m_liveSockets; // an entry leaves when its socket dies
    // Upgraded in place and not yet destroyed: each channel counts itself (shared, so the
    // channels may outlive the listener).
    std::shared_ptr<qsizetype> m_liveLightChannels = std::make_shared<qsizetype>(0);
    ConnectionQuota m_perAddress;
};

} // namespace parley::server
