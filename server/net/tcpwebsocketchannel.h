#pragma once

#include "transport/framechannel.h"
#include "websocketframes.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

class QSocketNotifier;

namespace parley::net {

// What the client asked for in its upgrade request, kept for requestUrl()/requestHeader().
// Those are read once or twice per connection (the token lookup of a CONNECT), while
// the connection may be held for days: so the request head is kept as the bytes that
// came (a few hundred) and searched when asked, not as a URL and a hash of every
// header (bench/README.md has the cost per idle connection).
class UpgradeRequest
{
public:
    UpgradeRequest() = default;
    // head: the request line and the header lines, as received (the blank line may follow).
    UpgradeRequest(QByteArray head, QString peerAddress);

    QUrl url() const; // ws://<Host><request target>
    // The value of a header (name case-insensitive, repeats joined with ","); empty if absent.
    QByteArray header(QByteArrayView name) const;
    QString peerAddress() const { return m_peerAddress; }

private:
    QByteArray m_head;
    QString m_peerAddress;
};

// The server side of one WebSocket, framed here over a non-blocking TCP descriptor
// instead of a QWebSocket: no Qt socket buffers (a QTcpSocket keeps a 16 KiB read and a
// 32 KiB write chunk once used). The frames of one event-loop turn go out with one
// sendmsg() when the turn ends; only the part the kernel does not take is copied and
// queued. Reading keeps at most one incomplete frame.
//
// Same contract as transport::WebSocketChannel on the server side: close() reports
// disconnected() at once; a peer's close, a protocol violation (close codes 1002, 1007,
// 1009) or a dead connection report it from the event loop. The closing handshake and
// the final bytes are finished by a SocketCloser, so the channel may be deleted as soon
// as disconnected() arrives.
class TcpWebSocketChannel final : public transport::FrameChannel
{
    Q_OBJECT
public:
    // Takes ownership of fd, a connected TCP socket whose upgrade request has been read.
    // greeting is sent first (the 101 response); received is what the client already
    // sent after its request head.
    TcpWebSocketChannel(int fd, UpgradeRequest request, qint64 maxPayload, const QByteArray &greeting = {},
        const QByteArray &received = {}, QObject *parent = nullptr);
    ~TcpWebSocketChannel() override;

    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &bytes) override;
    // Writes message.webSocketFrame (made once with ws::encodeFrame()) as is.
    void sendShared(const transport::SharedTextMessage &message) override;
    qint64 queuedBytes() const override;
    void setSendQueueLimit(qint64 bytes) override { m_sendQueueLimit = bytes; }
    void close(const QString &reason) override;
    QUrl requestUrl() const override { return m_request.url(); }
    QByteArray requestHeader(const QByteArray &name) const override { return m_request.header(name); }
    QString peerAddress() const override { return m_request.peerAddress(); }
    bool setReceiver(Receiver *receiver) override;

    qint64 maxPayload() const { return m_maxPayload; }
    // Counted in *counter from now until this channel is destroyed (a listener's count of
    // live connections, without a destroyed() connection per channel).
    void countIn(std::shared_ptr<qsizetype> counter);
    // Kept until this channel is destroyed (a connection quota's lease for its address).
    void holdLease(std::shared_ptr<void> lease) { m_lease = std::move(lease); }
    bool isOpen() const { return m_fd >= 0; }

private:
    class TurnFlusher;
    class Notifier;
    void send(const QByteArray &head, const QByteArray &body);
    bool overQueueLimit() const { return m_sendQueueLimit > 0 && queuedBytes() > m_sendQueueLimit; }
    void flushPendingFrames();
    void flushQueue();
    void onReadable();
    bool consumeEarly();
    bool consume(QByteArrayView bytes); // false: this channel is finished (or deleted)
    bool handle(ws::Incoming &incoming);
    void closeWith(quint16 code, const QByteArray &reason, const QString &reportedReason);
    void failLater(const QString &reason);
    void release(const QByteArray &finalFrame);
    void reportDisconnected(const QString &reason);

    int m_fd;
    UpgradeRequest m_request;
    qint64 m_maxPayload;
    ws::FrameDecoder m_decoder;
    QByteArray m_early; // sent by the client along with its request head, not yet decoded
    QByteArray m_incomplete; // the start of a frame still being received
    QList<QByteArray> m_pending; // frames of this turn, written when it ends
    bool m_flushScheduled = false;
    QByteArray m_queue; // bytes the kernel has not taken yet, from m_queueOffset on
    qsizetype m_queueOffset = 0;
    QSocketNotifier *m_readNotifier;
    QSocketNotifier *m_writeNotifier = nullptr;
    bool m_disconnectedReported = false;
    Receiver *m_receiver = nullptr;
    std::shared_ptr<qsizetype> m_liveCounter;
    std::shared_ptr<void> m_lease;
    qint64 m_sendQueueLimit = 0;
};

} // namespace parley::net
