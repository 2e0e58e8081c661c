#pragma once

#include "channelrepository.h"
#include "database.h"
#include "messagerepository.h"
#include "storeerror.h"
#include "userrepository.h"

#include <QString>

namespace parley::store {

// The server's storage: one SQLite connection (its own connection name, a file
// path or ":memory:"), migrated to the latest schema on open, and the three
// repositories that work on it.
//
// No globals and no default connection, so a store can later live on a worker
// thread: create, open, use and close it on that thread. Not copyable; the
// repositories refer to this store's connection.
class ChatStore
{
public:
    ChatStore() = default;
    ~ChatStore() = default;
    Q_DISABLE_COPY_MOVE(ChatStore)

    // Opens and migrates. On failure the store stays closed and says why.
    StoreResult<Done> open(const QString &path);
    void close();
    bool isOpen() const { return m_database.isOpen(); }

    StoreResult<int> schemaVersion() const;
    static int latestSchemaVersion();
    // The pragmas in force, for the startup log line and for tests.
    StoreResult<ConnectionSettings> connectionSettings() const { return m_database.settings(); }

    // The connection underneath, for diagnostics and for tests that check the stored rows.
    const Database &database() const { return m_database; }

    UserRepository &users() { return m_users; }
    ChannelRepository &channels() { return m_channels; }
    MessageRepository &messages() { return m_messages; }

private:
    Database m_database;
    UserRepository m_users {m_database};
    ChannelRepository m_channels {m_database};
    MessageRepository m_messages {m_database};
};

} // namespace parley::store
