#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace parley::server {

using ConnectionId = quint64;

// Rooms as the contract means them: named, in-memory groups of connections
// (`user:<id>`, `channel:<id>`). Plain C++, no sockets, so the bookkeeping can be
// tested on its own. A room exists only while it has a member: the last leave
// removes it at once, so a server that ran for weeks holds no empty rooms.
class RoomRegistry
{
public:
    // Returns true when the connection was not yet in the room.
    bool join(ConnectionId connection, const QString &room);
    // Returns true when the connection was in the room.
    bool leave(ConnectionId connection, const QString &room);
    // Every connection of the user (the user's room) into, or out of, the channel's room:
    // how the channel rooms follow a stored membership that was added or removed.
    void moveUserIn(const QString &userId, const QString &channelId);
    void moveUserOut(const QString &userId, const QString &channelId);
    // On disconnect: leaves every room; returns the rooms it was in.
    QSet<QString> leaveAll(ConnectionId connection);

    // The members of a room; empty when the room does not exist.
    QSet<ConnectionId> members(const QString &room) const;
    // For broadcast loops: no copy. nullptr when the room does not exist.
    const QSet<ConnectionId> *find(const QString &room) const;
    QSet<QString> roomsOf(ConnectionId connection) const;
    bool contains(ConnectionId connection, const QString &room) const;

    qsizetype roomCount() const { return m_members.size(); }
    qsizetype connectionCount() const { return m_rooms.size(); }

    static QString userRoom(const QString &userId);
    static QString channelRoom(const QString &channelId);

private:
    QHash<QString, QSet<ConnectionId>> m_members; // room -> connections
    // connection -> rooms (for leaveAll). A list, not a set: a connection is in a few
    // rooms, and a QSet's first allocation is sized for 48 entries (bench/README.md has
    // the cost per idle connection). The names are the m_members keys, shared, not copies.
    QHash<ConnectionId, QList<QString>> m_rooms;
};

} // namespace parley::server
