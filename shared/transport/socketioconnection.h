#pragma once

#include "protocol/socketio.h"

#include <QAnyStringView>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace parley::transport {

class CaptureRecorder;
class FrameChannel;
struct SharedTextMessage;

// An event (or binary event) that arrived on a connected namespace.
struct IncomingEvent
{
    QString nsp;
    QString name;
    QJsonArray args; // without the event name
    std::optional<qint64> ackId; // set when the sender waits for an ack
    QList<QByteArray> attachments;
};

// Why an ack callback ran without a reply.
enum class AckFailure
{
    None, // the reply arrived
    TimedOut, // no reply within the timeout
    ConnectionClosed, // the connection closed, or the namespace was left, first
    NotSent, // refused locally: not open, namespace not joined, or over maxPayload
};

struct AckReply
{
    bool timedOut = false; // set for every failure; failure says which
    AckFailure failure = AckFailure::None;
    QJsonArray args;
    QList<QByteArray> attachments;
};

struct ConnectionOptions
{
    std::chrono::milliseconds pingInterval {25000};
    std::chrono::milliseconds pingTimeout {20000};
    // server: a namespace joined after the open packet; client: the open packet
    std::chrono::milliseconds connectTimeout {10000};
    std::chrono::milliseconds ackTimeout {10000}; // default for emitWithAck
    qint64 maxPayload = 1000000;
    // Server role: false refuses BINARY_EVENT and BINARY_ACK at their header, before any
    // attachment is buffered (a server whose namespaces carry JSON only).
    bool acceptBinary = true;
};

// One Socket.IO v5 connection over Engine.IO v4, in either role, over a FrameChannel
// it owns. Protocol errors close the connection with a logged reason; everything
// valid is surfaced as signals for the layer above (server core or client session).
//
// closed(reason) is emitted exactly once; reasons are "ping timeout", "connect timeout",
// "transport close: <detail>" (the link went away, or the peer sent Engine.IO close),
// "protocol error: <detail>", or what was passed to close(). Deleting the connection
// is safe at any time, also with deleteLater() from a slot of closed(); deleting it
// while open drops pending ack callbacks without calling them (close() first to have
// them fail). The server's maxPayload limit for incoming frames belongs on the
// channel (WebSocketChannel::setMaxPayload) so that Qt refuses them unbuffered; the
// connection checks the frame size again for channels that cannot.
//
// Client role: a CONNECT reply without a "sid" is reported as namespaceRefused()
// with {"message": ...}, as socket.io-client does; the connection stays open. Events
// for a namespace whose CONNECT reply has not arrived are delivered after
// namespaceConnected(). A packet larger than the server's maxPayload is not sent
// (warning, and a NotSent ack failure). Attachments: args carry
// {"_placeholder":true,"num":k} where attachment k stands, in both directions.
class SocketIoConnection : public QObject
{
    Q_OBJECT
public:
    enum class Role
    {
        Server,
        Client
    };
    Q_ENUM(Role)
    enum class State
    {
        Opening,
        Open,
        Closed
    };
    Q_ENUM(State)

    SocketIoConnection(
        Role role, FrameChannel *channel, ConnectionOptions options = {}, QObject *parent = nullptr);
    ~SocketIoConnection() override;

    Role role() const;
    State state() const;
    QString engineId() const; // the Engine.IO sid (from the open packet)
    const ConnectionOptions &options() const; // client: the server's values once open
    FrameChannel *channel() const;

    // Server role: send the open packet, start the heartbeat and the CONNECT timer
    // (closes with "connect timeout" unless a namespace is joined by then, or a
    // CONNECT still waits for acceptNamespace/refuseNamespace).
    void open();
    void acceptNamespace(const QString &nsp, const QString &sid); // 40{"sid":...}
    void refuseNamespace(const QString &nsp, const QJsonValue &error); // 44{...}

    // Client role: CONNECT to nsp with the auth payload once the link is open (sent
    // when the open packet arrives if called before). The open packet is due within
    // connectTimeout of the link opening.
    void connectNamespace(const QString &nsp, const QJsonObject &auth = {});

    // Both roles.
    bool isNamespaceConnected(QAnyStringView nsp) const; // no QString made: asked once per delivery
    void emitEvent(const QString &nsp, const QString &event, const QJsonArray &args = {},
        const QList<QByteArray> &attachments = {});
    using AckCallback = std::function<void(const AckReply &)>;
    // The callback runs once: with the reply, or with timedOut when none came in time
    // (or the connection closed first).
    void emitWithAck(const QString &nsp, const QString &event, const QJsonArray &args, AckCallback callback,
        std::chrono::milliseconds timeout = std::chrono::milliseconds::zero(),
        const QList<QByteArray> &attachments = {});
    void sendAck(
        const QString &nsp, qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments = {});
    // A Socket.IO packet text already encoded (e.g. one broadcast written to many
    // connections): sent as one Engine.IO message frame, "4" prepended. Unchecked:
    // the caller makes sure its namespace is joined.
    void sendEncoded(const QByteArray &socketPacketText);
    // An Engine.IO message encoded once for many connections ("4" and the packet text,
    // and its WebSocket frame): handed to the channel as is (FrameChannel::sendShared).
    // Unchecked like sendEncoded().
    void sendShared(const SharedTextMessage &engineMessage);
    // 41; fails that namespace's pending acks. Events to a namespace not joined are
    // dropped with a warning (acks fail with NotSent).
    void disconnectNamespace(const QString &nsp);
    void close(const QString &reason);

    // What a connection reports to the one object that runs it, as direct calls: a
    // server holds thousands of connections, and four signal connections each cost
    // memory per connection (bench/README.md). While an observer is set, these four reports go to it
    // instead of the signals of the same names (closed() becomes connectionClosed()).
    class Observer
    {
    public:
        virtual void namespaceConnectRequested(const QString &nsp, const QJsonValue &auth) = 0;
        virtual void eventReceived(const IncomingEvent &event) = 0;
        virtual void namespaceDisconnected(const QString &nsp) = 0;
        virtual void connectionClosed(const QString &reason) = 0;

    protected:
        ~Observer() = default;
    };
    void setObserver(Observer *observer); // nullptr: back to the signals

    // Protocol capture: every frame from now on, in and out, goes to recorder while it
    // is enabled (nullptr detaches); deleting the recorder detaches too. Attach
    // before open() (server) or before the link opens (client) to see the open packet.
    // Records carry connectionId as "conn" (the server passes its own connection ids,
    // so that traces match its log); 0 lets the recorder number connections from 1.
    // A no-op, with a warning, in a build with -DPARLEY_CAPTURE=OFF.
    void attachCapture(CaptureRecorder *recorder, quint64 connectionId = 0);
    quint64 captureId() const; // the recorder's number for this connection; 0 if none

Q_SIGNALS:
    void opened(); // client: the open packet arrived
    void namespaceConnectRequested(const QString &nsp, const QJsonValue &auth); // server
    void namespaceConnected(const QString &nsp, const QJsonObject &reply); // client: CONNECT accepted
    void namespaceRefused(const QString &nsp, const QJsonValue &error); // client: CONNECT_ERROR
    void namespaceDisconnected(const QString &nsp); // the peer sent DISCONNECT
    void eventReceived(const parley::transport::IncomingEvent &event);
    void heartbeatReceived(); // server: a pong arrived; client: a ping arrived
    void closed(const QString &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace parley::transport

Q_DECLARE_METATYPE(parley::transport::IncomingEvent)
