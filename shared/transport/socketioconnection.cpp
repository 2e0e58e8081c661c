#include "socketioconnection.h"

#include "socketioconnection_p.h"
#include "transportlogging.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <array>

namespace parley::transport {

using namespace parley::protocol;

namespace {

// The Engine.IO sid: 15 random bytes are exactly 20 base64url characters, URL-safe
// without padding, and unguessable (it names the connection in logs and to peers).
QString newEngineId()
{
    std::array<quint32, 4> words;
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), 15);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

AckReply failedReply(AckFailure why)
{
    AckReply reply;
    reply.timedOut = true;
    reply.failure = why;
    return reply;
}

SocketPacket eventPacket(
    const QString &nsp, const QString &event, const QJsonArray &args, const QList<QByteArray> &attachments)
{
    QJsonArray data {event};
    for (const auto &arg : args)
        data.append(arg);
    SocketPacket packet = makePacket(SocketPacketType::Event, nsp, data);
    packet.attachments = attachments;
    return packet;
}

} // namespace

SocketIoConnection::Private::Private(
    SocketIoConnection *q, Role role, FrameChannel *channel, const ConnectionOptions &options)
    : q(q)
    , role(role)
    , channel(channel)
    , options(options)
    , heartbeat([this] { writeText(pingFrame()); },
          [this] { shutdown(QStringLiteral("ping timeout"), Teardown::Graceful); })
    , acks([this](QList<AckCallback> expired) { failCallbacks(std::move(expired), AckFailure::TimedOut); })
    , connectTimer([this] { onConnectTimeout(); })
{ }

void SocketIoConnection::Private::onConnectTimeout()
{
    if (state == State::Closed)
        return;
    if (role == Role::Server && namespaces.hasPending()) {
        connectTimer.start(options.connectTimeout); // the layer above is still deciding
        return;
    }
    if (role == Role::Server && namespaces.hasConnected())
        return;
    qCInfo(lcTransport) << "closing" << engineId << "from" << channel->peerAddress()
                        << (role == Role::Server ? "which joined no namespace in time"
                                                 : "open packet never came");
    shutdown(QStringLiteral("connect timeout"), Teardown::Graceful);
}

bool SocketIoConnection::Private::sendPacket(const SocketPacket &packet, std::chrono::milliseconds ackTimeout)
{
    const EncodedSocketPacket encoded = encodeSocketPacket(packet);
    bool fits = fitsPeerLimit(encoded.text.size() + 1);
    for (const QByteArray &attachment : encoded.attachments)
        fits = fits && fitsPeerLimit(attachment.size());
    if (!fits) {
        qCWarning(lcTransport) << "packet on" << packet.nsp << "not sent: over the server's maxPayload of"
                               << options.maxPayload << "bytes";
        return false;
    }
    writeText(encodeEngineText(EnginePacketType::Message, encoded.text), ackTimeout);
    for (const QByteArray &attachment : encoded.attachments)
        writeBinary(attachment);
    return true;
}

void SocketIoConnection::Private::sendConnect(const QString &nsp, const QJsonObject &auth)
{
    // socket.io-client sends a bare "40" when there is no auth payload.
    sendPacket(makePacket(SocketPacketType::Connect, nsp,
        auth.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(auth)));
}

bool SocketIoConnection::Private::failCallbacks(QList<AckCallback> callbacks, AckFailure why)
{
    QPointer<SocketIoConnection> alive(q);
    const AckReply reply = failedReply(why);
    for (const AckCallback &callback : callbacks)
        callback(reply); // only locals from here on: `this` may be gone
    return !alive.isNull();
}

void SocketIoConnection::Private::failLater(AckCallback callback, AckFailure why)
{
    // Never from inside emitWithAck: its caller may not expect to be re-entered.
    if (callback)
        QMetaObject::invokeMethod(
            q, [callback = std::move(callback), why] { callback(failedReply(why)); }, Qt::QueuedConnection);
}

void SocketIoConnection::Private::fail(const QString &detail)
{
    qCWarning(lcTransport).noquote() << "closing" << (role == Role::Server ? "client" : "server") << engineId
                                     << channel->peerAddress() << "on protocol error:" << detail;
    shutdown(QStringLiteral("protocol error: ") + detail, Teardown::Graceful);
}

void SocketIoConnection::Private::shutdown(const QString &reason, Teardown how)
{
    if (state == State::Closed)
        return;
    const bool wasOpen = state == State::Open;
    state = State::Closed;
    heartbeat.stop();
    connectTimer.stop();
    decoder.reset();
    namespaces.clear();
    queuedConnects.clear();
    if (how != Teardown::ChannelGone) {
        if (how == Teardown::Graceful && wasOpen)
            writeText(closeFrame());
        channel->close(reason); // its disconnected() finds us closed already
    }
    qCDebug(lcTransport) << "connection" << engineId << "closed:" << reason;
    if (capturing())
        capture->connectionClosed(reason);
    if (failCallbacks(acks.takeAll(), AckFailure::ConnectionClosed))
        reportClosed(reason);
}

SocketIoConnection::SocketIoConnection(
    Role role, FrameChannel *channel, ConnectionOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, role, channel, options))
{
    Q_ASSERT(channel);
    channel->setParent(this);
    if (!channel->setReceiver(d.get())) {
        connect(
            channel, &FrameChannel::textReceived, this, [this](const QByteArray &utf8) { d->onText(utf8); });
        connect(channel, &FrameChannel::binaryReceived, this,
            [this](const QByteArray &bytes) { d->onBinary(bytes); });
        connect(channel, &FrameChannel::disconnected, this,
            [this](const QString &reason) { d->channelDisconnected(reason); });
    }
    if (role == Role::Client) {
        connect(channel, &FrameChannel::opened, this, [this] {
            if (d->state == State::Opening)
                d->connectTimer.start(d->options.connectTimeout); // now the open packet is due
        });
    }
}

SocketIoConnection::~SocketIoConnection()
{
    // The channel is our child and is deleted after d: nothing it emits on the way
    // may reach us.
    d->channel->setReceiver(nullptr);
    d->channel->disconnect(this);
}

SocketIoConnection::Role SocketIoConnection::role() const
{
    return d->role;
}

SocketIoConnection::State SocketIoConnection::state() const
{
    return d->state;
}

QString SocketIoConnection::engineId() const
{
    return d->engineId;
}

const ConnectionOptions &SocketIoConnection::options() const
{
    return d->options;
}

FrameChannel *SocketIoConnection::channel() const
{
    return d->channel;
}

bool SocketIoConnection::isNamespaceConnected(QAnyStringView nsp) const
{
    return d->namespaces.isConnected(nsp);
}

void SocketIoConnection::open()
{
    if (d->role != Role::Server || d->state != State::Opening) {
        qCWarning(lcTransport) << "open() is for a server connection, once";
        return;
    }
    d->engineId = newEngineId();
    d->state = State::Open;
    EngineOpenInfo info;
    info.sid = d->engineId;
    info.pingInterval = int(d->options.pingInterval.count());
    info.pingTimeout = int(d->options.pingTimeout.count());
    info.maxPayload = d->options.maxPayload;
    d->writeText(encodeEngineOpen(info));
    d->heartbeat.startAsServer(d->options.pingInterval, d->options.pingTimeout);
    d->connectTimer.start(d->options.connectTimeout);
}

void SocketIoConnection::acceptNamespace(const QString &nsp, const QString &sid)
{
    if (d->role != Role::Server || d->state != State::Open || !d->namespaces.isPending(nsp)) {
        qCWarning(lcTransport) << "acceptNamespace" << nsp << "without a CONNECT waiting for it; ignored";
        return;
    }
    d->namespaces.markConnected(nsp);
    d->connectTimer.stop();
    d->sendPacket(makePacket(SocketPacketType::Connect, nsp, QJsonObject {{QStringLiteral("sid"), sid}}));
}

void SocketIoConnection::refuseNamespace(const QString &nsp, const QJsonValue &error)
{
    if (d->role != Role::Server || d->state != State::Open || !d->namespaces.isPending(nsp)) {
        qCWarning(lcTransport) << "refuseNamespace" << nsp << "without a CONNECT waiting for it; ignored";
        return;
    }
    // The WebSocket stays open for another CONNECT (contract, section 3).
    d->namespaces.remove(nsp);
    d->sendPacket(makePacket(SocketPacketType::ConnectError, nsp, error));
}

void SocketIoConnection::connectNamespace(const QString &nsp, const QJsonObject &auth)
{
    if (d->role != Role::Client || d->state == State::Closed) {
        qCWarning(lcTransport) << "connectNamespace" << nsp << "needs an open client connection; ignored";
        return;
    }
    if (d->namespaces.isConnected(nsp) || d->namespaces.isPending(nsp)) {
        qCWarning(lcTransport) << "connectNamespace" << nsp << "already joined or asked for; ignored";
        return;
    }
    d->namespaces.markPending(nsp);
    if (d->state == State::Opening)
        d->queuedConnects.append({nsp, auth});
    else
        d->sendConnect(nsp, auth);
}

void SocketIoConnection::emitEvent(
    const QString &nsp, const QString &event, const QJsonArray &args, const QList<QByteArray> &attachments)
{
    if (!d->canEmitOn(nsp)) {
        qCWarning(lcTransport) << "event" << event << "not sent:" << nsp << "is not joined";
        return;
    }
    d->sendPacket(eventPacket(nsp, event, args, attachments));
}

void SocketIoConnection::emitWithAck(const QString &nsp, const QString &event, const QJsonArray &args,
    AckCallback callback, std::chrono::milliseconds timeout, const QList<QByteArray> &attachments)
{
    if (!d->canEmitOn(nsp)) {
        qCWarning(lcTransport) << "event" << event << "not sent:" << nsp << "is not joined";
        return d->failLater(std::move(callback), AckFailure::NotSent);
    }
    if (!callback)
        return emitEvent(nsp, event, args, attachments);
    if (timeout <= std::chrono::milliseconds::zero())
        timeout = d->options.ackTimeout;
    const qint64 ackId = d->acks.add(nsp, std::move(callback), timeout);
    SocketPacket packet = eventPacket(nsp, event, args, attachments);
    packet.ackId = ackId;
    if (!d->sendPacket(packet, timeout))
        d->failLater(d->acks.take(nsp, ackId), AckFailure::NotSent);
}

void SocketIoConnection::sendAck(
    const QString &nsp, qint64 ackId, const QJsonArray &args, const QList<QByteArray> &attachments)
{
    if (!d->canEmitOn(nsp) || ackId < 0 || ackId > MaxAckId) {
        qCWarning(lcTransport) << "ack" << ackId << "on" << nsp << "not sent: not joined or id out of range";
        return;
    }
    SocketPacket packet = makePacket(SocketPacketType::Ack, nsp, args);
    packet.ackId = ackId;
    packet.attachments = attachments;
    d->sendPacket(packet);
}

void SocketIoConnection::sendEncoded(const QByteArray &socketPacketText)
{
    // The broadcast fast path: no JSON, no namespace lookup, one frame.
    if (d->state != State::Open || !d->fitsPeerLimit(socketPacketText.size() + 1))
        return;
    d->writeText(encodeEngineText(EnginePacketType::Message, socketPacketText));
}

void SocketIoConnection::sendShared(const SharedTextMessage &engineMessage)
{
    if (d->state != State::Open || !d->fitsPeerLimit(engineMessage.text.size()))
        return;
    if (d->capturing()) [[unlikely]]
        d->capture->frameOut(engineMessage.text, false, std::chrono::milliseconds::zero());
    d->channel->sendShared(engineMessage);
}

void SocketIoConnection::disconnectNamespace(const QString &nsp)
{
    if (d->state != State::Open || !d->namespaces.remove(nsp))
        return;
    d->sendPacket(makePacket(SocketPacketType::Disconnect, nsp));
    d->failCallbacks(d->acks.takeNamespace(nsp), AckFailure::ConnectionClosed);
}

void SocketIoConnection::setObserver(Observer *observer)
{
    d->observer = observer;
}

void SocketIoConnection::attachCapture(CaptureRecorder *recorder, quint64 connectionId)
{
#if PARLEY_CAPTURE_ENABLED
    d->capture = recorder
        ? std::make_unique<ConnectionCapture>(*recorder, d->options.ackTimeout, connectionId)
        : nullptr;
#else
    Q_UNUSED(connectionId)
    if (recorder)
        qCWarning(lcTransport)
            << "protocol capture is compiled out (PARLEY_CAPTURE=OFF); nothing is recorded";
#endif
}

quint64 SocketIoConnection::captureId() const
{
    return d->capture ? d->capture->connectionId() : 0;
}

void SocketIoConnection::close(const QString &reason)
{
    d->shutdown(reason, Teardown::Graceful);
}

} // namespace parley::transport
