#pragma once

#include "protocol/jsonwriter.h"
#include "roomregistry.h"
#include "transport/framechannel.h"

#include <QJsonValue>
#include <QString>

namespace parley::server {

class SessionDirectory;

// One server event on `/`, encoded once for any number of recipients: the Engine.IO
// message ("4" and the Socket.IO packet text) and the WebSocket frame that carries it,
// for channels that write their own frames.
using EncodedEvent = transport::SharedTextMessage;

// Sends server events on `/` to rooms. A broadcast is encoded once and the same
// bytes are written to every member, whatever the room's size; each write is
// followed by the member's slow-consumer check.
class Broadcaster
{
public:
    Broadcaster(const RoomRegistry &rooms, SessionDirectory &sessions);

    // Returns how many connections it was written to.
    qsizetype toRoom(const QString &room, const QString &event, const QJsonValue &payload,
        ConnectionId except = NoConnection) const;
    qsizetype toUser(const QString &userId, const QString &event, const QJsonValue &payload) const;
    qsizetype toChannel(const QString &channelId, const QString &event, const QJsonValue &payload) const;
    // The payload written as text already (a stored message: the same text as its ack's).
    qsizetype toChannel(
        const QString &channelId, const QString &event, const protocol::JsonText &payload) const;

    static constexpr ConnectionId NoConnection = 0; // connection ids start at 1
    static EncodedEvent encodeEvent(const QString &event, const QJsonValue &payload);
    static EncodedEvent encodeEvent(const QString &event, const protocol::JsonText &payload);

private:
    qsizetype deliver(
        const QSet<ConnectionId> &members, const EncodedEvent &encoded, ConnectionId except) const;

    const RoomRegistry &m_rooms;
    SessionDirectory &m_sessions;
};

} // namespace parley::server
