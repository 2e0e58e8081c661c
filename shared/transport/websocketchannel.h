#pragma once

#include "framechannel.h"
#include "singleshottimer.h"

#include <QList>

#include <utility>

class QWebSocket;

namespace parley::transport {

// A FrameChannel over a QWebSocket it owns. The server side wraps a socket that
// QWebSocketServer has already upgraded; the client side opens a ws:// URL with
// connectTo(). Incoming frames and messages larger than maxPayload() make Qt close
// the socket without buffering them whole; that close surfaces as disconnected().
class WebSocketChannel final : public FrameChannel
{
    Q_OBJECT
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    // Server side: takes ownership of an upgraded socket (sockets from
    // QWebSocketServer have no parent). If it is already gone, disconnected() follows
    // from the event loop.
    explicit WebSocketChannel(QWebSocket *socket, QObject *parent = nullptr);
    ~WebSocketChannel() override;

    // Client side: starts opening url with the extra request headers (for instance
    // Authorization). opened() or disconnected() follows.
    static WebSocketChannel *connectTo(
        const QUrl &url, const Headers &headers = {}, QObject *parent = nullptr);

    // The largest frame and message accepted from the peer; larger ones close the link.
    qint64 maxPayload() const;
    void setMaxPayload(qint64 bytes);

    bool isOpen() const;

    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &bytes) override;
    qint64 queuedBytes() const override;
    void setSendQueueLimit(qint64 bytes) override;
    void close(const QString &reason) override;
    QUrl requestUrl() const override;
    QByteArray requestHeader(const QByteArray &name) const override;
    QString peerAddress() const override;
    // Server side behind a trusted proxy: the client's address instead of the proxy's.
    void setPeerAddress(const QString &address) { m_peerAddress = address; }

private:
    struct ClientSide
    {
    };
    WebSocketChannel(QWebSocket *socket, QObject *parent, ClientSide);
    void onSocketConnected();
    void onSocketGone();
    void emitDisconnectedOnce(const QString &reason);
    bool overQueueLimit() const { return m_sendQueueLimit > 0 && queuedBytes() > m_sendQueueLimit; }
    void abortOverLimit();
    void checkQueue();
    static constexpr std::chrono::milliseconds QueueCheckInterval {250};

    QWebSocket *m_socket;
    qint64 m_maxPayload = 0; // 0: Qt's defaults
    qint64 m_sendQueueLimit = 0;
    SingleShotTimer m_queueCheck;
    QString m_localCloseReason;
    QString m_peerAddress; // empty: the socket's peer
    bool m_disconnectedEmitted = false;
};

} // namespace parley::transport
