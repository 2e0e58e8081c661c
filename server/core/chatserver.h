#pragma once

#include "protocol/result.h"
#include "roomregistry.h"
#include "serverconfig.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

namespace parley::store {
class ChatStore;
}
namespace parley::auth {
class Authenticator;
}
namespace parley::transport {
class FrameChannel;
}

namespace parley::server {

class ServerSession;

// The chat server: the listener, one ServerSession per connection, the rooms,
// the store and the handler families, wired together. Lives on one thread (the
// main thread in parley-server, a thread of its own in the desktop app's host
// mode) and knows nothing of any UI.
class ChatServer : public QObject
{
    Q_OBJECT
public:
    explicit ChatServer(ServerConfig config, QObject *parent = nullptr);
    ~ChatServer() override;

    // Takes the data dir's lock, loads or makes the signing key, opens and migrates
    // the database, and listens. Returns the bound port, or a sentence saying why
    // the server cannot start (the data dir is in use, the key is too short, ...).
    struct StartError
    {
        QString message;
    };
    protocol::Result<quint16, StartError> start();

    // Stops accepting, answers what is already committed, sends every connection
    // connection:closing SERVER_SHUTDOWN, and closes the database once the
    // connections are gone (or after `grace`). stopped() follows, exactly once.
    void shutdown(std::chrono::milliseconds grace = std::chrono::seconds(3));
    bool isRunning() const;

    quint16 port() const;
    const ServerConfig &config() const { return m_config; }

    // For tests, the admin tools and the host mode (same thread only).
    store::ChatStore &store();
    const RoomRegistry &rooms() const { return m_rooms; }
    // After a membership was changed in store() directly: the user's connections follow
    // it into or out of the channel's room without an event to anyone (the handlers of
    // channel:join and channel:leave do this themselves). A send is checked against the
    // room first, so a membership removed only in the store would otherwise still post.
    void refreshMembership(const QString &userId, const QString &channelId);
    auth::Authenticator &authenticator();
    qsizetype connectionCount() const;
    ServerSession *session(ConnectionId id) const;

Q_SIGNALS:
    void connectionOpened(parley::server::ConnectionId id);
    void connectionClosed(parley::server::ConnectionId id);
    void stopped();

private:
    struct Private;
    void onChannelAccepted(transport::FrameChannel *channel);
    void onSessionFinished(ConnectionId id);
    void finishShutdown();

    ServerConfig m_config;
    RoomRegistry m_rooms;
    std::unique_ptr<Private> d;
};

} // namespace parley::server
