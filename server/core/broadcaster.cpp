#include "broadcaster.h"

#include "faultpoints.h"
#include "net/websocketframes.h"
#include "protocol/catalogue.h"
#include "protocol/engineio.h"
#include "protocol/socketio.h"
#include "serversession.h"
#include "sessiondirectory.h"

#include <QJsonArray>

namespace parley::server {

Broadcaster::Broadcaster(const RoomRegistry &rooms, SessionDirectory &sessions)
    : m_rooms(rooms)
    , m_sessions(sessions)
{ }

namespace {

EncodedEvent encodedFromPacketText(const QByteArray &socketPacketText)
{
    EncodedEvent encoded;
    encoded.text = protocol::encodeEngineText(protocol::EnginePacketType::Message, socketPacketText);
    encoded.webSocketFrame = net::ws::encodeFrame(net::ws::Opcode::Text, encoded.text);
    return encoded;
}

} // namespace

EncodedEvent Broadcaster::encodeEvent(const QString &event, const QJsonValue &payload)
{
    protocol::SocketPacket packet;
    packet.type = protocol::SocketPacketType::Event;
    packet.nsp = protocol::ns::Main;
    packet.data = QJsonArray {event, payload};
    return encodedFromPacketText(protocol::encodeSocketPacket(packet).text);
}

EncodedEvent Broadcaster::encodeEvent(const QString &event, const protocol::JsonText &payload)
{
    protocol::JsonWriter arguments(payload.bytes.size() + event.size() + 8);
    arguments.beginArray().string(event).json(payload.bytes).endArray();
    return encodedFromPacketText(protocol::encodeJsonPacketText(
        protocol::SocketPacketType::Event, protocol::ns::Main, std::nullopt, arguments.take()));
}

qsizetype Broadcaster::toRoom(
    const QString &room, const QString &event, const QJsonValue &payload, ConnectionId except) const
{
    const QSet<ConnectionId> *members = m_rooms.find(room);
    if (!members || members->isEmpty())
        return 0;
    return deliver(*members, encodeEvent(event, payload), except);
}

qsizetype Broadcaster::deliver(
    const QSet<ConnectionId> &members, const EncodedEvent &encoded, ConnectionId except) const
{
    // A write may cut off a slow consumer, which leaves its rooms: iterate a copy.
    const QSet<ConnectionId> recipients = members;
    qsizetype written = 0;
    for (const ConnectionId id : recipients) {
        if (id == except)
            continue;
        if (ServerSession *session = m_sessions.find(id)) {
            session->sendEncodedEvent(encoded);
            ++written;
            if (written == 1 && recipients.size() > 1)
                PARLEY_FAULT_POINT("mid-broadcast"); // some members have it, the rest never will
        }
    }
    return written;
}

qsizetype Broadcaster::toUser(const QString &userId, const QString &event, const QJsonValue &payload) const
{
    return toRoom(RoomRegistry::userRoom(userId), event, payload);
}

qsizetype Broadcaster::toChannel(
    const QString &channelId, const QString &event, const QJsonValue &payload) const
{
    return toRoom(RoomRegistry::channelRoom(channelId), event, payload);
}

qsizetype Broadcaster::toChannel(
    const QString &channelId, const QString &event, const protocol::JsonText &payload) const
{
    const QSet<ConnectionId> *members = m_rooms.find(RoomRegistry::channelRoom(channelId));
    if (!members || members->isEmpty())
        return 0;
    return deliver(*members, encodeEvent(event, payload), NoConnection);
}

} // namespace parley::server
