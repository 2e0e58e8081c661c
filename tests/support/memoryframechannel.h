#pragma once

#include "transport/framechannel.h"

#include <QList>
#include <QPointer>

#include <utility>

namespace parley::test {

// One end of a FrameChannel pair joined in memory, for transport tests where a
// loopback socket adds nothing but timing: what one end sends arrives at the other,
// whole and in order, on the next turn of the event loop (never inside the send
// call, as with a socket), and nothing is ever lost, split or merged.
//
// The client end reports opened() on the first turn; close() on either end reports
// disconnected() on both, the closing end at once and the other from the event loop.
class MemoryFrameChannel final : public transport::FrameChannel
{
    Q_OBJECT
public:
    struct Pair
    {
        MemoryFrameChannel *server;
        MemoryFrameChannel *client;
    };
    // Two joined ends without a parent: each belongs to whoever takes it (a
    // SocketIoConnection adopts its channel). requestUrl is what the server end reports.
    static Pair makePair(
        const QUrl &requestUrl = QUrl(QStringLiteral("ws://memory/socket.io/?EIO=4&transport=websocket")));

    ~MemoryFrameChannel() override;

    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &bytes) override;
    // Messages sent and not yet delivered to the other end.
    qint64 queuedBytes() const override { return m_queuedBytes; }
    void close(const QString &reason) override;
    QUrl requestUrl() const override { return m_requestUrl; }
    QByteArray requestHeader(const QByteArray &name) const override;
    QString peerAddress() const override { return QStringLiteral("memory"); }
    bool setReceiver(Receiver *receiver) override;

    // Headers the server end reports, as a client would have sent them.
    void setRequestHeader(const QByteArray &name, const QByteArray &value);
    bool isOpen() const { return !m_closed; }
    // How many sendShared() calls arrived here (the default sends them as text).
    int sharedSends() const { return m_sharedSends; }
    void sendShared(const transport::SharedTextMessage &message) override;

private:
    struct Message
    {
        QByteArray bytes;
        bool binary;
    };
    explicit MemoryFrameChannel(QUrl requestUrl);
    void post(Message message);
    void deliverOne();
    void reportClosed(const QString &reason);

    QPointer<MemoryFrameChannel> m_peer;
    QUrl m_requestUrl;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QList<Message> m_inbox; // sent by the peer, not yet delivered
    qint64 m_queuedBytes = 0; // what this end sent that the peer has not delivered yet
    Receiver *m_receiver = nullptr;
    bool m_closed = false;
    int m_sharedSends = 0;
};

} // namespace parley::test
