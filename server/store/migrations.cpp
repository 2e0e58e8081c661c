#include "migrations.h"

#include "database.h"
#include "storelogging.h"
#include "transaction.h"

namespace parley::store {

namespace {

// Version 1: users, channels, memberships, messages.
// - Case-insensitive uniqueness lives in *_key columns filled with Unicode case
//   folding by the repositories (SQLite's NOCASE folds only ASCII).
// - channels.last_seq is the per-channel counter: bumped in the same transaction
//   as the insert, so seqs are gapless and in commit order.
// - Times are UTC milliseconds since the epoch.
Migration coreSchema()
{
    return {1,
        {
            QStringLiteral("CREATE TABLE users ("
                           " id INTEGER PRIMARY KEY,"
                           " username TEXT NOT NULL CHECK (length(username) > 0),"
                           " username_key TEXT NOT NULL UNIQUE,"
                           " display_name TEXT NOT NULL,"
                           " password_hash TEXT NOT NULL DEFAULT '',"
                           " token_version INTEGER NOT NULL DEFAULT 1,"
                           " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
                           " created_at INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE channels ("
                           " id INTEGER PRIMARY KEY,"
                           " name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),"
                           " name_key TEXT NOT NULL UNIQUE,"
                           " topic TEXT NOT NULL DEFAULT '',"
                           " is_private INTEGER NOT NULL DEFAULT 0 CHECK (is_private IN (0, 1)),"
                           " created_by INTEGER REFERENCES users(id),"
                           " created_at INTEGER NOT NULL,"
                           " last_seq INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE memberships ("
                           " channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
                           " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                           " joined_at INTEGER NOT NULL,"
                           " PRIMARY KEY (channel_id, user_id)) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX memberships_by_user ON memberships(user_id, channel_id)"),
            QStringLiteral("CREATE TABLE messages ("
                           " id INTEGER PRIMARY KEY,"
                           " channel_id INTEGER NOT NULL REFERENCES channels(id),"
                           " seq INTEGER NOT NULL CHECK (seq > 0),"
                           " user_id INTEGER NOT NULL REFERENCES users(id),"
                           " content TEXT NOT NULL,"
                           " client_msg_id TEXT,"
                           " created_at INTEGER NOT NULL)"),
            // History pages walk this index in both directions.
            QStringLiteral("CREATE UNIQUE INDEX messages_by_channel_seq ON messages(channel_id, seq)"),
            // Idempotent sends: one message per (sender, clientMsgId).
            QStringLiteral("CREATE UNIQUE INDEX messages_by_client_id ON messages(user_id, client_msg_id)"
                           " WHERE client_msg_id IS NOT NULL"),
            QStringLiteral("PRAGMA user_version = 1"),
        }};
}

// Version 2: users provisioned by an external identity provider, keyed by
// (issuer, subject). Both set or both NULL; NULLs never collide in the index.
Migration externalIdentities()
{
    return {2,
        {
            QStringLiteral("ALTER TABLE users ADD COLUMN external_issuer TEXT"),
            QStringLiteral("ALTER TABLE users ADD COLUMN external_subject TEXT"),
            QStringLiteral("CREATE UNIQUE INDEX users_by_external_identity"
                           " ON users(external_issuer, external_subject)"
                           " WHERE external_issuer IS NOT NULL"),
            QStringLiteral("PRAGMA user_version = 2"),
        }};
}

StoreResult<Done> applyMigration(const Database &database, const Migration &migration)
{
    auto transaction = Transaction::begin(database);
    if (!transaction)
        return transaction.error();
    for (const QString &statement : migration.statements) {
        if (auto result = database.run(statement); !result)
            return result.error();
    }
    const auto version = readSchemaVersion(database);
    if (!version)
        return version.error();
    if (*version != migration.version)
        return StoreError {StoreError::Kind::Internal,
            QStringLiteral("migration %1 left user_version at %2").arg(migration.version).arg(*version)};
    return transaction->commit();
}

} // namespace

const QList<Migration> &schemaMigrations()
{
    static const QList<Migration> migrations {coreSchema(), externalIdentities()};
    return migrations;
}

int latestSchemaVersion()
{
    return schemaMigrations().last().version;
}

StoreResult<int> readSchemaVersion(const Database &database)
{
    auto query = database.run(QStringLiteral("PRAGMA user_version"));
    if (!query)
        return query.error();
    if (!query->next())
        return StoreError {StoreError::Kind::Internal, QStringLiteral("PRAGMA user_version returned no row")};
    return query->value(0).toInt();
}

StoreResult<int> migrate(const Database &database, const QList<Migration> &migrations)
{
    const auto current = readSchemaVersion(database);
    if (!current)
        return current.error();
    const int known = migrations.isEmpty() ? 0 : migrations.last().version;
    if (*current > known)
        return StoreError {StoreError::Kind::Internal,
            QStringLiteral("the database has schema version %1, newer than this build's %2")
                .arg(*current)
                .arg(known)};

    int version = *current;
    for (const Migration &migration : migrations) {
        if (migration.version <= version)
            continue;
        if (migration.version != version + 1)
            return StoreError {StoreError::Kind::Internal,
                QStringLiteral("migration %1 follows version %2: steps must be consecutive")
                    .arg(migration.version)
                    .arg(version)};
        if (auto applied = applyMigration(database, migration); !applied)
            return applied.error();
        qCDebug(lcStore) << "migrated" << database.connectionName() << "to schema version"
                         << migration.version;
        version = migration.version;
    }
    return version;
}

} // namespace parley::store
