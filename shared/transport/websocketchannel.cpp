#include "websocketchannel.h"

#include "transportlogging.h"

#include <QNetworkRequest>
#include <QWebSocket>

namespace parley::transport {

WebSocketChannel::WebSocketChannel(QWebSocket *socket, QObject *parent)
    : WebSocketChannel(socket, parent, ClientSide {})
{
    // A server-side peer may hang up between the upgrade and this wrapper: report it
    // from the event loop, once the owner has had a chance to connect to us.
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        QMetaObject::invokeMethod(this, &WebSocketChannel::onSocketGone, Qt::QueuedConnection);
}

WebSocketChannel::WebSocketChannel(QWebSocket *socket, QObject *parent, ClientSide)
    : FrameChannel(parent)
    , m_socket(socket)
    , m_queueCheck([this] { checkQueue(); })
{
    Q_ASSERT(socket);
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::connected, this, &WebSocketChannel::onSocketConnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
        [this](const QString &message) { Q_EMIT textReceived(message.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &WebSocketChannel::binaryReceived);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketChannel::onSocketGone);
    // A refused connection or failed handshake never reaches "connected", so Qt
    // sends no disconnected() for it; the state change is the one sure sign.
    connect(m_socket, &QWebSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onSocketGone();
    });
    // Qt 6.4 names this signal error(); errorOccurred() only exists from 6.5.
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this] {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onSocketGone();
    });
}

WebSocketChannel::~WebSocketChannel()
{
    // Deleting the socket may still emit (stateChanged, disconnected): not to us.
    m_socket->disconnect(this);
}

WebSocketChannel *WebSocketChannel::connectTo(const QUrl &url, const Headers &headers, QObject *parent)
{
    auto *channel = new WebSocketChannel(new QWebSocket, parent, ClientSide {});
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    channel->m_socket->open(request);
    return channel;
}

qint64 WebSocketChannel::maxPayload() const
{
    return m_maxPayload;
}

void WebSocketChannel::setMaxPayload(qint64 bytes)
{
    m_maxPayload = bytes;
    m_socket->setMaxAllowedIncomingFrameSize(quint64(bytes));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(bytes));
}

bool WebSocketChannel::isOpen() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

void WebSocketChannel::sendText(const QByteArray &utf8)
{
    if (overQueueLimit())
        return abortOverLimit();
    // QWebSocket (6.4) only takes text as a QString.
    m_socket->sendTextMessage(QString::fromUtf8(utf8));
}

void WebSocketChannel::sendBinary(const QByteArray &bytes)
{
    if (overQueueLimit())
        return abortOverLimit();
    m_socket->sendBinaryMessage(bytes);
}

void WebSocketChannel::setSendQueueLimit(qint64 bytes)
{
    m_sendQueueLimit = bytes;
    if (bytes > 0)
        m_queueCheck.start(QueueCheckInterval);
    else
        m_queueCheck.stop();
}

// QWebSocket answers every ping itself, with no way to hold the pong back and no signal
// for a ping received: a peer that pings without reading is found by looking at the
// unsent bytes now and then, and cut once they pass the limit.
void WebSocketChannel::checkQueue()
{
    if (overQueueLimit())
        return abortOverLimit();
    if (m_sendQueueLimit > 0 && !m_disconnectedEmitted)
        m_queueCheck.start(QueueCheckInterval);
}

void WebSocketChannel::abortOverLimit()
{
    if (m_disconnectedEmitted)
        return;
    qCInfo(lcTransport) << "closing websocket to" << peerAddress() << "with" << queuedBytes()
                        << "bytes it does not read";
    m_localCloseReason = QStringLiteral("send queue over its limit");
    // Reported from the event loop: this may run deep inside the owner's own call.
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_socket->abort();
            onSocketGone();
        },
        Qt::QueuedConnection);
}

qint64 WebSocketChannel::queuedBytes() const
{
    return m_socket->bytesToWrite();
}

void WebSocketChannel::close(const QString &reason)
{
    if (m_disconnectedEmitted)
        return;
    m_localCloseReason = reason;
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->close(QWebSocketProtocol::CloseCodeNormal, reason); // Qt flushes, then closes
    else
        m_socket->abort();
    onSocketGone(); // the owner asked to close: it is done as far as it is concerned
}

QUrl WebSocketChannel::requestUrl() const
{
    return m_socket->requestUrl();
}

QByteArray WebSocketChannel::requestHeader(const QByteArray &name) const
{
    return m_socket->request().rawHeader(name);
}

QString WebSocketChannel::peerAddress() const
{
    if (!m_peerAddress.isEmpty())
        return m_peerAddress;
    return m_socket->peerAddress().toString();
}

void WebSocketChannel::onSocketConnected()
{
    Q_EMIT opened();
}

void WebSocketChannel::onSocketGone()
{
    if (m_disconnectedEmitted)
        return;
    QString reason = m_localCloseReason;
    if (reason.isEmpty())
        reason = m_socket->closeReason();
    if (reason.isEmpty() && m_socket->error() != QAbstractSocket::UnknownSocketError)
        reason = m_socket->errorString();
    if (reason.isEmpty())
        reason = QStringLiteral("connection closed");
    emitDisconnectedOnce(reason);
}

void WebSocketChannel::emitDisconnectedOnce(const QString &reason)
{
    if (m_disconnectedEmitted)
        return;
    m_disconnectedEmitted = true;
    qCDebug(lcTransport) << "websocket to" << peerAddress() << "gone:" << reason;
    Q_EMIT disconnected(reason);
}

} // namespace parley::transport
