#pragma once

// Internals of SocketIoConnection shared by its two source files:
// socketioconnection.cpp (lifecycle and sending) and socketioconnection_incoming.cpp
// (what arrives from the peer).

#include "acktable.h"
#include "connectioncapture.h"
#include "framechannel.h"
#include "heartbeat.h"
#include "namespacetable.h"
#include "protocol/engineio.h"
#include "singleshottimer.h"
#include "socketioconnection.h"

namespace parley::transport {

// How a connection ends: politely (Engine.IO close, then the link), by closing the
// link only (the peer already said goodbye), or not at all (the link is gone).
enum class Teardown
{
    Graceful,
    CloseChannel,
    ChannelGone
};

// The constant frames, encoded once.
inline const QByteArray &pingFrame()
{
    static const QByteArray frame = protocol::encodeEngineText(protocol::EnginePacketType::Ping);
    return frame;
}

inline const QByteArray &pongFrame()
{
    static const QByteArray frame = protocol::encodeEngineText(protocol::EnginePacketType::Pong);
    return frame;
}

inline const QByteArray &closeFrame()
{
    static const QByteArray frame = protocol::encodeEngineText(protocol::EnginePacketType::Close);
    return frame;
}

inline protocol::SocketPacket makePacket(
    protocol::SocketPacketType type, const QString &nsp, QJsonValue data = QJsonValue::Undefined)
{
    protocol::SocketPacket packet;
    packet.type = type;
    packet.nsp = nsp;
    packet.data = std::move(data);
    return packet;
}

struct SocketIoConnection::Private final : FrameChannel::Receiver
{
    Private(SocketIoConnection *q, Role role, FrameChannel *channel, const ConnectionOptions &options);

    void onText(const QByteArray &utf8);
    bool refusesBinaryPacket(const QByteArray &socketPacket) const;
    void onBinary(const QByteArray &bytes);
    // FrameChannel::Receiver, for channels that report by call rather than signal.
    void receivedText(const QByteArray &utf8) override { onText(utf8); }
    void receivedBinary(const QByteArray &bytes) override { onBinary(bytes); }
    void channelDisconnected(const QString &reason) override
    {
        shutdown(QStringLiteral("transport close: ") + reason, Teardown::ChannelGone);
    }
    void onOpenPacket(const QByteArray &payload);
    void onDecoded(protocol::Result<std::optional<protocol::SocketPacket>, protocol::ProtocolError> decoded);
    void onServerPacket(protocol::SocketPacket &packet);
    void onClientPacket(protocol::SocketPacket &packet);
    void onConnectReply(const protocol::SocketPacket &packet);
    void onAck(protocol::SocketPacket &packet);
    void onPeerLeft(const QString &nsp);
    void onConnectTimeout();

    bool canEmitOn(const QString &nsp) const { return state == State::Open && namespaces.isConnected(nsp); }
    bool sendPacket(const protocol::SocketPacket &packet,
        std::chrono::milliseconds ackTimeout = std::chrono::milliseconds::zero());
    bool fitsPeerLimit(qint64 bytes) const { return role == Role::Server || bytes <= options.maxPayload; }
    void sendConnect(const QString &nsp, const QJsonObject &auth);

    // Runs every callback, even if one of them deletes the connection; false if one did.
    bool failCallbacks(QList<AckCallback> callbacks, AckFailure why);
    void failLater(AckCallback callback, AckFailure why);
    void fail(const QString &detail);

    // Capture: compiled out (PARLEY_CAPTURE_ENABLED 0) this is constant false and every
    // `if (capturing())` disappears; compiled in, one predictable branch while off.
    bool capturing() const
    {
#if PARLEY_CAPTURE_ENABLED
        return capture && capture->isOn();
#else
        return false;
#endif
    }
    // Every frame to the peer goes through these two, so the capture sees it.
    void writeText(
        const QByteArray &frame, std::chrono::milliseconds ackTimeout = std::chrono::milliseconds::zero())
    {
        if (capturing()) [[unlikely]]
            capture->frameOut(frame, false, ackTimeout);
        channel->sendText(frame);
    }
    void writeBinary(const QByteArray &bytes)
    {
        if (capturing()) [[unlikely]]
            capture->frameOut(bytes, true);
        channel->sendBinary(bytes);
    }
    void shutdown(const QString &reason, Teardown how);

    // The reports an Observer may take instead of the signals.
    void reportConnectRequested(const QString &nsp, const QJsonValue &auth)
    {
        if (observer)
            observer->namespaceConnectRequested(nsp, auth);
        else
            Q_EMIT q->namespaceConnectRequested(nsp, auth);
    }
    void reportEvent(const IncomingEvent &event)
    {
        if (observer)
            observer->eventReceived(event);
        else
            Q_EMIT q->eventReceived(event);
    }
    void reportNamespaceDisconnected(const QString &nsp)
    {
        if (observer)
            observer->namespaceDisconnected(nsp);
        else
            Q_EMIT q->namespaceDisconnected(nsp);
    }
    void reportClosed(const QString &reason)
    {
        if (observer)
            observer->connectionClosed(reason);
        else
            Q_EMIT q->closed(reason);
    }

    SocketIoConnection *const q;
    const Role role;
    State state = State::Opening;
    FrameChannel *const channel;
    ConnectionOptions options;
    QString engineId;
    protocol::SocketPacketDecoder decoder;
    NamespaceTable namespaces;
    QList<std::pair<QString, QJsonObject>> queuedConnects; // client: asked for before the open packet
    Heartbeat heartbeat;
    AckTable acks;
    SingleShotTimer connectTimer; // server: until a namespace is joined; client: until the open packet
    Observer *observer = nullptr;
    std::unique_ptr<ConnectionCapture> capture; // set by attachCapture() in builds with capture
};

} // namespace parley::transport
