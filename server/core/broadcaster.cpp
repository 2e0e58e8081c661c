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

EncodedEvent Broadcaster::encodeEvent(const QString &event, const QJsonValue &payload)
{
    protocol::SocketPacket packet;
    packet.type = protocol::SocketPacketType::Event;
    packet.nsp = protocol::ns::Main;
    packet.data = QJsonArray {event, payload};
    EncodedEvent encoded;
    encoded.socketPacketText = protocol::encodeSocketPacket(packet).text;
    encoded.webSocketFrame = net::ws::encodeFrame(net::ws::Opcode::Text,
        protocol::encodeEngineText(protocol::EnginePacketType::Message, encoded.socketPacketText));
    return encoded;
}

qsizetype Broadcaster::toRoom(
    const QString &room, const QString &event, const QJsonValue &payload, ConnectionId except) const
{
    const QSet<ConnectionId> *members = m_rooms.find(room);
    if (!members || members->isEmpty())
        return 0;
    const EncodedEvent encoded = encodeEvent(event, payload);
    // A write may cut off a slow consumer, which leaves its rooms: iterate a copy.
    const QSet<ConnectionId> recipients = *members;
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

} // namespace parley::server
