#include "engineechosession.h"

#include "transport/framechannel.h"

#include <chrono>

namespace parley::conformance {

using protocol::EnginePacketType;

EngineEchoSession::EngineEchoSession(
    transport::FrameChannel *channel, const protocol::EngineOpenInfo &open, QObject *parent)
    : QObject(parent)
    , m_channel(channel)
    , m_heartbeat([this] { m_channel->sendText(protocol::encodeEngineText(EnginePacketType::Ping)); },
          [this] { close(QStringLiteral("ping timeout")); })
{
    m_channel->setParent(this);
    connect(m_channel, &transport::FrameChannel::textReceived, this, &EngineEchoSession::onText);
    connect(m_channel, &transport::FrameChannel::binaryReceived, this, &EngineEchoSession::onBinary);
    connect(m_channel, &transport::FrameChannel::disconnected, this, [this] {
        m_heartbeat.stop();
        deleteLater();
    });

    m_channel->sendText(protocol::encodeEngineOpen(open));
    m_heartbeat.startAsServer(
        std::chrono::milliseconds(open.pingInterval), std::chrono::milliseconds(open.pingTimeout));
}

void EngineEchoSession::onText(const QByteArray &utf8)
{
    const auto packet = protocol::decodeEngineText(utf8);
    if (!packet) {
        close(QStringLiteral("invalid packet: ") + packet.error().message);
        return;
    }
    switch (packet->type) {
    case EnginePacketType::Message:
        m_channel->sendText(protocol::encodeEngineText(EnginePacketType::Message, packet->payload));
        break;
    case EnginePacketType::Pong:
        m_heartbeat.pongReceived();
        break;
    case EnginePacketType::Noop:
        break;
    case EnginePacketType::Close:
        close(QStringLiteral("client closed"));
        break;
    case EnginePacketType::Ping: // v4: only the server pings
    case EnginePacketType::Open:
    case EnginePacketType::Upgrade: // nothing to upgrade from: WebSocket only
        close(QStringLiteral("unexpected packet type"));
        break;
    }
}

void EngineEchoSession::onBinary(const QByteArray &bytes)
{
    m_channel->sendBinary(bytes);
}

void EngineEchoSession::close(const QString &reason)
{
    m_heartbeat.stop();
    m_channel->close(reason); // disconnected() follows and deletes this session
}

} // namespace parley::conformance
