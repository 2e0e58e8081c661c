#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

namespace parley::transport {

// A text message encoded once for many channels (a broadcast): the message, and the
// WebSocket frame that carries it (RFC 6455, server to client: FIN, text, unmasked).
struct SharedTextMessage
{
    QByteArray text;
    QByteArray webSocketFrame;
};

// One message-oriented duplex link (a WebSocket, in practice) as the Socket.IO
// connection sees it. Nothing above this interface knows the socket type, so the
// server can move to a lighter socket without touching the protocol code.
class FrameChannel : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void sendText(const QByteArray &utf8) = 0;
    virtual void sendBinary(const QByteArray &bytes) = 0;
    // Sends a message encoded once for many. A channel that writes its own WebSocket
    // frames writes message.webSocketFrame as is, the same bytes for every recipient;
    // any other sends message.text like sendText().
    virtual void sendShared(const SharedTextMessage &message) { sendText(message.text); }
    // Bytes accepted by sendText/sendBinary that the kernel has not taken yet (a frame
    // written in this event-loop turn and not yet offered to it does not count).
    virtual qint64 queuedBytes() const = 0;
    // Past this many queued bytes (0: no limit) the channel takes no more: a ping from
    // the peer is left unanswered, and a frame sent over the limit closes the link.
    // Memory per connection then stays under the limit plus one reply, whatever the peer
    // sends without reading.
    virtual void setSendQueueLimit(qint64 bytes) { Q_UNUSED(bytes) }
    // Closes the link (a WebSocket close frame when possible); disconnected() follows.
    virtual void close(const QString &reason) = 0;

    // What the peer asked for when it opened the link (server side) or what we
    // opened (client side).
    virtual QUrl requestUrl() const = 0;
    virtual QByteArray requestHeader(const QByteArray &name) const = 0;
    virtual QString peerAddress() const = 0;

    // What a channel reports, as direct calls: a server holds thousands of channels, and
    // three signal connections each cost memory per connection (bench/README.md).
    class Receiver
    {
    public:
        virtual void receivedText(const QByteArray &utf8) = 0;
        virtual void receivedBinary(const QByteArray &bytes) = 0;
        virtual void channelDisconnected(const QString &reason) = 0;

    protected:
        ~Receiver() = default;
    };
    // A channel that can report to a receiver takes it and returns true: from then on it
    // reports textReceived, binaryReceived and disconnected to it instead of emitting
    // them (nullptr: back to the signals). The default keeps to the signals and returns false.
    virtual bool setReceiver(Receiver *receiver)
    {
        Q_UNUSED(receiver)
        return false;
    }

Q_SIGNALS:
    void opened(); // client side: the link is up
    void textReceived(const QByteArray &utf8);
    void binaryReceived(const QByteArray &bytes);
    void disconnected(const QString &reason);
};

} // namespace parley::transport
