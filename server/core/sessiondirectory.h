#pragma once

#include "roomregistry.h"

#include <QHash>
#include <QList>

namespace parley::server {

class ServerSession;

// Live sessions by connection id: how a broadcast to a room (a set of ids) finds
// the connections to write to.
class SessionDirectory
{
public:
    void add(ConnectionId id, ServerSession *session) { m_sessions.insert(id, session); }
    void remove(ConnectionId id) { m_sessions.remove(id); }
    ServerSession *find(ConnectionId id) const { return m_sessions.value(id); }
    qsizetype count() const { return m_sessions.size(); }
    QList<ServerSession *> all() const { return m_sessions.values(); }

private:
    QHash<ConnectionId, ServerSession *> m_sessions;
};

} // namespace parley::server
