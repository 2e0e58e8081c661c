#include "httplistener.h"

#include "clientaddress.h"
#include "httprequest.h"
#include "net/tcpwebsocketchannel.h"
#include "net/websockethandshake.h"
#include "serverlogging.h"
#include "transport/websocketchannel.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QMetaMethod>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <fcntl.h>

namespace parley::server {

namespace {

const QByteArray HeadTerminator = QByteArrayLiteral("\r\n\r\n");

} // namespace

// The listener's bookkeeping for one accepted socket, kept as a child of that socket so
// that it dies with it however the socket goes: QWebSocket cuts every signal connection
// of the TCP socket it wraps, so destroyed() cannot be relied on.
class HttpListener::SocketWatch : public QObject
{
public:
    enum class Stage
    {
        ReadingHead,
        Answered,
        Upgrading,
        Upgraded
    };

    SocketWatch(QTcpSocket *socket, HttpListener *listener)
        : QObject(socket)
        , m_socket(socket)
        , m_listener(listener)
    {
        timer.setSingleShot(true);
    }
    ~SocketWatch() override
    {
        if (m_listener)
            m_listener->m_liveSockets.remove(m_socket);
    }
    // The listener is going away first: it must not be called back.
    void disarm() { m_listener = nullptr; }

    Stage stage = Stage::ReadingHead;
    QTimer timer; // head deadline, then the deadline to take an answer and go
    QHostAddress client; // the TCP peer, or whom a trusted proxy forwards for
    ConnectionQuota::Lease share; // this connection's place in its address's quota

private:
    QTcpSocket *m_socket; // only a key: never dereferenced while dying
    HttpListener *m_listener;
};

HttpListener::HttpListener(HttpListenerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_tcpServer(std::make_unique<QTcpServer>())
    , m_webSocketServer(
          std::make_unique<QWebSocketServer>(QStringLiteral("Parley"), QWebSocketServer::NonSecureMode))
    , m_perAddress(m_options.maxConnectionsPerAddress)
{
    if (m_options.version.isEmpty())
        m_options.version = QCoreApplication::applicationVersion();

    // Its handshake timeout only covers sockets it accepts itself; ours are covered by
    // the head timer before they are handed over, with the complete head already there.
    m_webSocketServer->setHandshakeTimeout(m_options.headTimeout);
    // Upgrades are taken out of its queue as soon as they are announced; the limit only
    // matters if several handshakes complete in one event-loop pass.
    m_webSocketServer->setMaxPendingConnections(256);

    connect(m_tcpServer.get(), &QTcpServer::newConnection, this, &HttpListener::acceptPendingSockets);
    connect(m_tcpServer.get(), &QTcpServer::acceptError, this, &HttpListener::onAcceptError);
    m_acceptRetry = std::make_unique<QTimer>();
    m_acceptRetry->setSingleShot(true);
    connect(m_acceptRetry.get(), &QTimer::timeout, this, [this] {
        if (m_tcpServer->isListening())
            m_tcpServer->resumeAccepting();
    });
    connect(m_webSocketServer.get(), &QWebSocketServer::newConnection, this,
        &HttpListener::announceUpgradedSockets);
}

HttpListener::~HttpListener()
{
    // Sockets still being examined or answered die with m_tcpServer below; upgraded
    // ones live on with their channels. None may call back into a half-destroyed us.
    for (auto it = m_liveSockets.cbegin(); it != m_liveSockets.cend(); ++it) {
        it.value()->disarm();
        QObject::disconnect(it.key(), nullptr, this, nullptr);
    }
    m_liveSockets.clear();
    m_tcpServer->disconnect(this);
    m_webSocketServer->disconnect(this);
}

protocol::Result<quint16, ListenError> HttpListener::listen(const QHostAddress &address, quint16 port)
{
    m_tcpServer->setListenBacklogSize(m_options.listenBacklog);
    if (!m_tcpServer->listen(address, port)) {
        qCWarning(lcServer) << "cannot listen on" << address << port << m_tcpServer->errorString();
        return ListenError {m_tcpServer->serverError(), m_tcpServer->errorString()};
    }
    qCInfo(lcServer) << "listening on" << m_tcpServer->serverAddress() << m_tcpServer->serverPort();
    return m_tcpServer->serverPort();
}

void HttpListener::close()
{
    m_tcpServer->close();
}

bool HttpListener::isListening() const
{
    return m_tcpServer->isListening();
}

quint16 HttpListener::port() const
{
    return m_tcpServer->serverPort();
}

void HttpListener::setHealthProvider(HealthProvider provider)
{
    m_healthProvider = std::move(provider);
}

void HttpListener::acceptPendingSockets()
{
    while (QTcpSocket *socket = m_tcpServer->nextPendingConnection())
        track(socket);
}

// QTcpServer pauses accepting on any error but a temporary one (EMFILE and ENFILE among
// them) and never resumes by itself: without this the server would accept nothing more,
// ever, once it ran out of descriptors. Retrying at once would spin, since the listening
// socket stays readable while the backlog is not empty.
void HttpListener::onAcceptError(QAbstractSocket::SocketError error)
{
    ++m_acceptPauses;
    if (m_acceptPauses == 1 || m_acceptPauses % 100 == 0) {
        qCWarning(lcServer).nospace()
            << "cannot accept a connection (" << error << ": " << m_tcpServer->errorString()
            << "); pausing for " << m_options.acceptRetryDelay.count() << " ms (" << m_acceptPauses
            << " pauses so far)";
    }
    m_acceptRetry->start(m_options.acceptRetryDelay);
}

void HttpListener::track(QTcpSocket *socket)
{
    auto *watch = new SocketWatch(socket, this);
    m_liveSockets.insert(socket, watch);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);

    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Qt stops reading from the kernel once this much is buffered, so a client cannot
    // make us hold more than one head's worth of bytes.
    socket->setReadBufferSize(m_options.maxHeadBytes);

    connect(&watch->timer, &QTimer::timeout, this, [this, socket] { onTimerExpired(socket); });
    watch->timer.start(m_options.headTimeout);

    // Counted from the accept on, so sockets that never finish their head count too. A
    // trusted proxy's connections are counted once its head names the client.
    watch->client = socket->peerAddress();
    if (m_options.maxConnections > 0 && liveSocketCount() > m_options.maxConnections)
        return refuseBusy(socket, QStringLiteral("The server has reached its connection limit"));
    if (!clientaddress::isTrusted(watch->client, m_options.trustedProxies) &&
        !takeShare(socket, watch, watch->client))
        return;

    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { examineHead(socket); });
    if (socket->bytesAvailable() > 0)
        examineHead(socket);
}

bool HttpListener::takeShare(QTcpSocket *socket, SocketWatch *watch, const QHostAddress &client)
{
    watch->client = client;
    watch->share = m_perAddress.tryAcquire(clientaddress::limitKey(client));
    if (watch->share)
        return true;
    refuseBusy(socket, QStringLiteral("Too many connections from your address"));
    return false;
}

void HttpListener::refuseBusy(QTcpSocket *socket, const QString &message)
{
    refuse(socket, 503, int(http::RefusalCode::BadRequest), message);
}

void HttpListener::examineHead(QTcpSocket *socket)
{
    SocketWatch *watch = m_liveSockets.value(socket);
    if (!watch || watch->stage != SocketWatch::Stage::ReadingHead)
        return;

    // Peek, not read: an upgrade hands the untouched bytes to QWebSocketServer.
    const QByteArray buffered = socket->peek(m_options.maxHeadBytes);
    const qsizetype terminator = buffered.indexOf(HeadTerminator);
    if (terminator < 0) {
        if (buffered.size() >= m_options.maxHeadBytes) {
            refuse(socket, 431, int(http::RefusalCode::BadRequest),
                QStringLiteral("Request head larger than %1 bytes").arg(m_options.maxHeadBytes));
        }
        return;
    }

    const std::optional<http::RequestHead> head =
        http::parseHead(buffered.left(terminator + HeadTerminator.size()));
    if (!head) {
        refuse(socket, 400, int(http::RefusalCode::BadRequest), QStringLiteral("Malformed HTTP request"));
        return;
    }
    if (!watch->share &&
        !takeShare(socket, watch,
            clientaddress::resolve(watch->client, head->header("x-forwarded-for"), m_options.trustedProxies)))
        return;
    const auto verdict = http::route(*head, m_options);
    if (const auto *refusal = std::get_if<http::Refusal>(&verdict)) {
        refuse(socket, refusal->status, int(refusal->code), refusal->message);
    } else if (std::get<http::Route>(verdict) == http::Route::Health) {
        answerHealth(socket);
    } else if (m_options.webSocket == WebSocketTransport::Native) {
        upgradeInPlace(socket, *head, terminator + HeadTerminator.size());
    } else {
        upgrade(socket);
    }
}

void HttpListener::onTimerExpired(QTcpSocket *socket)
{
    const SocketWatch *watch = m_liveSockets.value(socket);
    if (!watch)
        return;
    switch (watch->stage) {
    case SocketWatch::Stage::ReadingHead:
        refuse(socket, 408, int(http::RefusalCode::BadRequest),
            QStringLiteral("Request head not complete in time"));
        break;
    case SocketWatch::Stage::Answered:
        // The client did not take the answer and close in time: drop it.
        socket->abort();
        break;
    case SocketWatch::Stage::Upgrading:
    case SocketWatch::Stage::Upgraded:
        break;
    }
}

void HttpListener::refuse(QTcpSocket *socket, int status, int code, const QString &message)
{
    qCInfo(lcServer).nospace() << "refusing " << socket->peerAddress().toString() << ": " << status << ' '
                               << message;
    respondAndClose(
        socket, status, QJsonObject {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}});
}

void HttpListener::answerHealth(QTcpSocket *socket)
{
    const HealthSnapshot health = m_healthProvider ? m_healthProvider() : HealthSnapshot {};
    respondAndClose(socket, 200,
        QJsonObject {
            {QStringLiteral("status"), QStringLiteral("ok")},
            {QStringLiteral("version"), m_options.version},
            {QStringLiteral("connections"), health.connections},
            {QStringLiteral("rooms"), health.rooms},
        });
}

void HttpListener::respondAndClose(QTcpSocket *socket, int status, const QJsonObject &body)
{
    SocketWatch *watch = m_liveSockets.value(socket);
    watch->stage = SocketWatch::Stage::Answered;
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    // Keep draining what the client still sends (a request body): closing a socket with
    // unread data makes the kernel reset the connection, and the client may then lose
    // the answer.
    socket->skip(socket->bytesAvailable());
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->skip(socket->bytesAvailable()); });

    socket->write(http::response(status, body));
    socket->disconnectFromHost();
    watch->timer.start(m_options.lingerTimeout);
}

void HttpListener::upgrade(QTcpSocket *socket)
{
    SocketWatch *watch = m_liveSockets.value(socket);
    watch->stage = SocketWatch::Stage::Upgrading;
    watch->timer.stop();
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    socket->setReadBufferSize(0);
    // Out of the QTcpServer's children: the connection must not die with the listener.
    // Once upgraded it becomes a child of its QWebSocket (adoptTcpSocket); until then a
    // disconnect deletes it.
    socket->setParent(nullptr);
    m_webSocketServer->handleConnection(socket);
}

// The light path: answer 101 here and serve the connection with our own framing on the
// socket's descriptor. The QTcpSocket only read the head; it lets go of a duplicate of its
// descriptor (closing one of two descriptors of a connection sends nothing) and is gone.
void HttpListener::upgradeInPlace(QTcpSocket *socket, const http::RequestHead &head, qsizetype headLength)
{
    SocketWatch *watch = m_liveSockets.value(socket);
    watch->stage = SocketWatch::Stage::Upgraded;
    watch->timer.stop();
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    // The request head is still in the socket's buffer (it was only peeked at before).
    net::UpgradeRequest request(socket->peek(headLength), watch->client.toString());
    socket->skip(headLength);
    const QByteArray received = socket->readAll();
    socket->abort(); // disconnected() deletes it later
    if (fd < 0) {
        qCWarning(lcServer) << "cannot take over the upgraded connection from" << request.peerAddress();
        return;
    }
    auto *channel = new net::TcpWebSocketChannel(fd, std::move(request), m_options.maxIncomingMessageBytes,
        net::ws::switchingProtocolsResponse(head.header("sec-websocket-key")), received);
    channel->countIn(m_liveLightChannels);
    channel->holdLease(std::move(watch->share));
    announce(channel);
}

void HttpListener::announceUpgradedSockets()
{
    while (QWebSocket *webSocket = m_webSocketServer->nextPendingConnection()) {
        const SocketWatch *watch = adoptTcpSocket(webSocket);
        auto *channel = new transport::WebSocketChannel(webSocket);
        if (watch) // the watch, and with it the quota share, lives as long as the socket
            channel->setPeerAddress(watch->client.toString());
        // Qt checks an announced frame length against this before buffering the
        // payload, so an oversize frame closes the connection instead of filling memory.
        channel->setMaxPayload(m_options.maxIncomingMessageBytes);
        announce(channel);
    }
}

bool HttpListener::announce(transport::FrameChannel *channel)
{
    static const QMetaMethod acceptedSignal = QMetaMethod::fromSignal(&HttpListener::channelAccepted);
    if (!isSignalConnected(acceptedSignal)) {
        qCWarning(lcServer) << "nobody takes upgraded connections; closing";
        channel->close(QStringLiteral("server not ready"));
        channel->deleteLater();
        return false;
    }
    Q_EMIT channelAccepted(channel);
    return true;
}

HttpListener::SocketWatch *HttpListener::adoptTcpSocket(QWebSocket *webSocket)
{
    // Qt 6.4's QWebSocket neither owns the TCP socket it wraps nor keeps the signal
    // connections that would delete it (it disconnects them all when it closes), so
    // the TCP socket would outlive its WebSocket. Making it the WebSocket's child ties
    // their lifetimes. The two are matched by the peer's address and port.
    for (auto it = m_liveSockets.cbegin(); it != m_liveSockets.cend(); ++it) {
        QTcpSocket *socket = it.key();
        if (it.value()->stage == SocketWatch::Stage::Upgrading &&
            socket->peerPort() == webSocket->peerPort() &&
            socket->peerAddress() == webSocket->peerAddress()) {
            it.value()->stage = SocketWatch::Stage::Upgraded;
            socket->setParent(webSocket);
            return it.value();
        }
    }
    qCWarning(lcServer) << "no TCP socket found for the WebSocket from" << webSocket->peerAddress()
                        << webSocket->peerPort();
    return nullptr;
}

} // namespace parley::server
