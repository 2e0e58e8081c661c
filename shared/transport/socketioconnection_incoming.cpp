#include "socketioconnection_p.h"
#include "transportlogging.h"

#include <QPointer>

// What arrives from the peer: Engine.IO frames, then Socket.IO packets, checked
// against the role and the namespaces joined; anything out of place closes.
namespace parley::transport {

using namespace parley::protocol;

namespace {

IncomingEvent toIncomingEvent(SocketPacket &packet)
{
    IncomingEvent event;
    event.nsp = packet.nsp;
    QJsonArray data = packet.data.toArray();
    if (!data.isEmpty()) {
        event.name = data.first().toString();
        data.removeFirst();
    }
    event.args = std::move(data);
    event.ackId = packet.ackId;
    event.attachments = std::move(packet.attachments);
    return event;
}

} // namespace

void SocketIoConnection::Private::onText(const QByteArray &utf8)
{
    if (capturing()) [[unlikely]]
        capture->frameIn(utf8, false);
    if (state == State::Closed)
        return;
    if (role == Role::Server && utf8.size() > options.maxPayload)
        return fail(QStringLiteral("frame of %1 bytes is over maxPayload").arg(utf8.size()));
    auto decoded = decodeEngineText(utf8);
    if (!decoded)
        return fail(decoded.error().message);
    const EnginePacket &packet = *decoded;
    if (state == State::Opening && !(role == Role::Client && packet.type == EnginePacketType::Open))
        return fail(QStringLiteral("a packet before the open packet"));

    switch (packet.type) {
    case EnginePacketType::Open:
        if (role == Role::Server || state != State::Opening)
            return fail(QStringLiteral("unexpected open packet"));
        return onOpenPacket(packet.payload);
    case EnginePacketType::Close:
        return shutdown(
            QStringLiteral("transport close: the peer sent Engine.IO close"), Teardown::CloseChannel);
    case EnginePacketType::Ping:
        if (role == Role::Server)
            return fail(QStringLiteral("the client sent a ping"));
        writeText(pongFrame());
        heartbeat.pingReceived();
        Q_EMIT q->heartbeatReceived();
        return;
    case EnginePacketType::Pong:
        if (role == Role::Client)
            return fail(QStringLiteral("the server sent a pong"));
        if (heartbeat.pongReceived())
            Q_EMIT q->heartbeatReceived();
        return;
    case EnginePacketType::Message:
        if (refusesBinaryPacket(packet.payload))
            return fail(QStringLiteral("binary packets are not accepted"));
        return onDecoded(decoder.feedText(packet.payload));
    case EnginePacketType::Upgrade:
        return fail(QStringLiteral("transport upgrade is not supported"));
    case EnginePacketType::Noop:
        return;
    }
    fail(QStringLiteral("unknown Engine.IO packet type"));
}

void SocketIoConnection::Private::onBinary(const QByteArray &bytes)
{
    if (capturing()) [[unlikely]]
        capture->frameIn(bytes, true);
    if (state == State::Closed)
        return;
    if (state != State::Open)
        return fail(QStringLiteral("a binary frame before the open packet"));
    if (role == Role::Server && !options.acceptBinary)
        return fail(QStringLiteral("binary frames are not accepted"));
    if (role == Role::Server && bytes.size() > options.maxPayload)
        return fail(QStringLiteral("frame of %1 bytes is over maxPayload").arg(bytes.size()));
    onDecoded(decoder.feedBinary(bytes));
}

// The packet type is the first character of a Socket.IO packet: refusing 5 and 6 there
// keeps a stranger from making the server hold attachments it would refuse anyway.
bool SocketIoConnection::Private::refusesBinaryPacket(const QByteArray &socketPacket) const
{
    if (role != Role::Server || options.acceptBinary || socketPacket.isEmpty())
        return false;
    const char type = socketPacket.front();
    return type == '0' + int(SocketPacketType::BinaryEvent) || type == '0' + int(SocketPacketType::BinaryAck);
}

void SocketIoConnection::Private::onOpenPacket(const QByteArray &payload)
{
    const auto info = decodeEngineOpen(payload);
    if (!info)
        return fail(QStringLiteral("invalid open packet: ") + info.error().message);
    engineId = info->sid;
    options.pingInterval = std::chrono::milliseconds(info->pingInterval);
    options.pingTimeout = std::chrono::milliseconds(info->pingTimeout);
    options.maxPayload = info->maxPayload;
    state = State::Open;
    connectTimer.stop();
    heartbeat.startAsClient(options.pingInterval, options.pingTimeout);
    const auto queued = std::exchange(queuedConnects, {});
    for (const auto &[nsp, auth] : queued)
        sendConnect(nsp, auth);
    Q_EMIT q->opened();
}

void SocketIoConnection::Private::onDecoded(Result<std::optional<SocketPacket>, ProtocolError> decoded)
{
    if (!decoded)
        return fail(decoded.error().message);
    if (!decoded->has_value())
        return; // a binary packet waits for its attachments
    SocketPacket &packet = **decoded;
    if (role == Role::Server)
        onServerPacket(packet);
    else
        onClientPacket(packet);
}

void SocketIoConnection::Private::onServerPacket(SocketPacket &packet)
{
    const QString &nsp = packet.nsp;
    if (packet.type == SocketPacketType::Connect) {
        if (namespaces.isConnected(nsp) || namespaces.isPending(nsp))
            return fail(QStringLiteral("a second CONNECT to %1").arg(nsp));
        namespaces.markPending(nsp);
        // socket.io servers treat a CONNECT without data as an empty auth object.
        reportConnectRequested(nsp, packet.data.isUndefined() ? QJsonValue(QJsonObject()) : packet.data);
        return;
    }
    if (packet.type == SocketPacketType::ConnectError)
        return fail(QStringLiteral("the client sent CONNECT_ERROR"));
    if (!namespaces.isConnected(nsp))
        return fail(QStringLiteral("a packet for %1, which this connection has not joined").arg(nsp));

    switch (packet.type) {
    case SocketPacketType::Disconnect:
        return onPeerLeft(nsp);
    case SocketPacketType::Event:
    case SocketPacketType::BinaryEvent:
        reportEvent(toIncomingEvent(packet));
        return;
    case SocketPacketType::Ack:
    case SocketPacketType::BinaryAck:
        return onAck(packet);
    case SocketPacketType::Connect:
    case SocketPacketType::ConnectError:
        return; // handled above
    }
}

void SocketIoConnection::Private::onClientPacket(SocketPacket &packet)
{
    const QString &nsp = packet.nsp;
    switch (packet.type) {
    case SocketPacketType::Connect:
        return onConnectReply(packet);
    case SocketPacketType::ConnectError:
        if (!namespaces.remove(nsp)) {
            qCWarning(lcTransport) << "CONNECT_ERROR for" << nsp << "which was not requested; ignored";
            return;
        }
        if (failCallbacks(acks.takeNamespace(nsp), AckFailure::ConnectionClosed))
            Q_EMIT q->namespaceRefused(nsp, packet.data);
        return;
    case SocketPacketType::Disconnect:
        if (namespaces.isConnected(nsp))
            onPeerLeft(nsp);
        return;
    case SocketPacketType::Event:
    case SocketPacketType::BinaryEvent:
        // Packets for a namespace we left may still be in flight: dropped, as
        // socket.io-client does.
        if (namespaces.isConnected(nsp))
            reportEvent(toIncomingEvent(packet));
        else if (namespaces.isPending(nsp))
            namespaces.bufferEvent(toIncomingEvent(packet));
        else
            qCDebug(lcTransport) << "event for" << nsp << "which is not joined; dropped";
        return;
    case SocketPacketType::Ack:
    case SocketPacketType::BinaryAck:
        return onAck(packet);
    }
}

void SocketIoConnection::Private::onConnectReply(const SocketPacket &packet)
{
    const QString &nsp = packet.nsp;
    if (!namespaces.isPending(nsp)) {
        qCWarning(lcTransport) << "CONNECT reply for" << nsp << "which was not requested; ignored";
        return;
    }
    const QJsonObject reply = packet.data.toObject();
    const QJsonValue sid = reply.value(QLatin1String("sid"));
    if (!sid.isString() || sid.toString().isEmpty()) {
        qCWarning(lcTransport) << "CONNECT reply for" << nsp << "carries no sid; treated as refused";
        namespaces.remove(nsp);
        Q_EMIT q->namespaceRefused(
            nsp, QJsonObject {{QStringLiteral("message"), QStringLiteral("CONNECT reply without sid")}});
        return;
    }
    const QList<IncomingEvent> buffered = namespaces.markConnected(nsp);
    QPointer<SocketIoConnection> alive(q);
    Q_EMIT q->namespaceConnected(nsp, reply);
    for (const IncomingEvent &event : buffered) {
        // A slot may have closed, left or deleted everything in the meantime.
        if (!alive || state != State::Open || !namespaces.isConnected(nsp))
            return;
        reportEvent(event);
    }
}

void SocketIoConnection::Private::onAck(SocketPacket &packet)
{
    if (!packet.ackId)
        return fail(QStringLiteral("an ACK without an id"));
    AckCallback callback = acks.take(packet.nsp, *packet.ackId);
    if (!callback) {
        // Late (already timed out) or never asked for: harmless, as in socket.io.
        qCDebug(lcTransport) << "ack" << *packet.ackId << "on" << packet.nsp << "matches no emit; dropped";
        return;
    }
    AckReply reply;
    reply.args = packet.data.toArray();
    reply.attachments = std::move(packet.attachments);
    callback(reply);
}

void SocketIoConnection::Private::onPeerLeft(const QString &nsp)
{
    namespaces.remove(nsp);
    if (failCallbacks(acks.takeNamespace(nsp), AckFailure::ConnectionClosed))
        reportNamespaceDisconnected(nsp);
}

} // namespace parley::transport
