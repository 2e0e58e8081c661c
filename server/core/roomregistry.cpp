#include "roomregistry.h"

namespace parley::server {

bool RoomRegistry::join(ConnectionId connection, const QString &room)
{
    auto roomIt = m_members.find(room);
    if (roomIt == m_members.end())
        roomIt = m_members.insert(room, {});
    if (roomIt->contains(connection))
        return false;
    roomIt->insert(connection);
    m_rooms[connection].append(roomIt.key()); // the key's string, shared
    return true;
}

bool RoomRegistry::leave(ConnectionId connection, const QString &room)
{
    auto roomIt = m_members.find(room);
    if (roomIt == m_members.end() || !roomIt->remove(connection))
        return false;
    if (roomIt->isEmpty())
        m_members.erase(roomIt);

    auto connIt = m_rooms.find(connection);
    if (connIt != m_rooms.end()) {
        connIt->removeOne(room);
        if (connIt->isEmpty())
            m_rooms.erase(connIt);
    }
    return true;
}

void RoomRegistry::moveUserIn(const QString &userId, const QString &channelId)
{
    const QString room = channelRoom(channelId);
    for (const ConnectionId connection : members(userRoom(userId)))
        join(connection, room);
}

void RoomRegistry::moveUserOut(const QString &userId, const QString &channelId)
{
    const QString room = channelRoom(channelId);
    for (const ConnectionId connection : members(userRoom(userId)))
        leave(connection, room); // the last one out removes the room
}

QSet<QString> RoomRegistry::leaveAll(ConnectionId connection)
{
    const QList<QString> rooms = m_rooms.take(connection);
    for (const QString &room : rooms) {
        auto roomIt = m_members.find(room);
        if (roomIt == m_members.end())
            continue;
        roomIt->remove(connection);
        if (roomIt->isEmpty())
            m_members.erase(roomIt);
    }
    return QSet<QString>(rooms.cbegin(), rooms.cend());
}

QSet<ConnectionId> RoomRegistry::members(const QString &room) const
{
    return m_members.value(room);
}

const QSet<ConnectionId> *RoomRegistry::find(const QString &room) const
{
    auto it = m_members.constFind(room);
    return it == m_members.constEnd() ? nullptr : &*it;
}

QSet<QString> RoomRegistry::roomsOf(ConnectionId connection) const
{
    const QList<QString> rooms = m_rooms.value(connection);
    return QSet<QString>(rooms.cbegin(), rooms.cend());
}

bool RoomRegistry::contains(ConnectionId connection, const QString &room) const
{
    auto it = m_members.constFind(room);
    return it != m_members.constEnd() && it->contains(connection);
}

QString RoomRegistry::userRoom(const QString &userId)
{
    return QStringLiteral("user:") + userId;
}

QString RoomRegistry::channelRoom(const QString &channelId)
{
    return QStringLiteral("channel:") + channelId;
}

} // namespace parley::server
