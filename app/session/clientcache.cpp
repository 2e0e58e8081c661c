#include "clientcache.h"

#include "clientcache_p.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>

#include <atomic>

namespace parley::client {

using cachedetail::run;
using cachedetail::sqlError;
using protocol::Channel;
using protocol::Message;

namespace {

// Numbered migrations: migration i brings the schema to user_version i + 1.
const char *const Migrations[] = {
    R"(CREATE TABLE channels (
           id TEXT PRIMARY KEY,
           json TEXT NOT NULL,
           last_seq INTEGER NOT NULL DEFAULT 0,
           synced_seq INTEGER,
           last_read_seq INTEGER NOT NULL DEFAULT 0);
       CREATE TABLE messages (
           channel_id TEXT NOT NULL,
           seq INTEGER NOT NULL,
           json TEXT NOT NULL,
           PRIMARY KEY (channel_id, seq)) WITHOUT ROWID;
       CREATE TABLE outbox (
           position INTEGER PRIMARY KEY AUTOINCREMENT,
           client_msg_id TEXT NOT NULL UNIQUE,
           channel_id TEXT NOT NULL,
           content TEXT NOT NULL,
           created_at TEXT NOT NULL,
           state INTEGER NOT NULL DEFAULT 0,
           error_code TEXT,
           error_message TEXT);)",
};

QString nextConnectionName()
{
    static std::atomic<int> counter {0};
    return QStringLiteral("parley-client-cache-%1").arg(++counter);
}

std::optional<Message> messageFromJson(const QString &json)
{
    return Message::fromJson(QJsonDocument::fromJson(json.toUtf8()).object());
}

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

CacheResult<QList<Message>> readMessages(QSqlQuery query)
{
    QList<Message> messages;
    while (query.next()) {
        auto message = messageFromJson(query.value(0).toString());
        if (!message)
            return CacheError {QStringLiteral("a cached message is unreadable")};
        messages.append(std::move(*message));
    }
    return messages;
}

} // namespace

ClientCache::ClientCache(QString connectionName)
    : m_connectionName(std::move(connectionName))
{ }

ClientCache::~ClientCache()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

protocol::Result<std::unique_ptr<ClientCache>, CacheError> ClientCache::open(const QString &path)
{
    if (path != QLatin1String(":memory:") && !QDir().mkpath(QFileInfo(path).absolutePath()))
        return CacheError {QStringLiteral("cannot create the folder of %1").arg(path)};
    std::unique_ptr<ClientCache> cache(new ClientCache(nextConnectionName()));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), cache->m_connectionName);
        db.setDatabaseName(path);
        if (!db.open())
            return sqlError(QStringLiteral("cannot open %1").arg(path), db.lastError());
    }
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000"}) {
        if (auto done = run(cache->m_connectionName, QString::fromLatin1(pragma)); !done)
            return done.error();
    }
    if (auto migrated = cache->migrate(); !migrated)
        return migrated.error();
    return cache;
}

CacheResult<Done> ClientCache::migrate()
{
    auto version = run(m_connectionName, QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    const int current = version->next() ? version->value(0).toInt() : 0;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    for (int i = current; i < int(std::size(Migrations)); ++i) {
        if (!db.transaction())
            return sqlError(QStringLiteral("cannot begin a migration"), db.lastError());
        const QStringList statements =
            QString::fromLatin1(Migrations[i]).split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString &statement : statements) {
            if (statement.trimmed().isEmpty())
                continue;
            if (auto done = run(m_connectionName, statement); !done) {
                db.rollback();
                return done.error();
            }
        }
        if (auto done = run(m_connectionName, QStringLiteral("PRAGMA user_version = %1").arg(i + 1)); !done) {
            db.rollback();
            return done.error();
        }
        if (!db.commit())
            return sqlError(QStringLiteral("cannot commit a migration"), db.lastError());
    }
    return Done {};
}

CacheResult<Done> ClientCache::upsertChannel(const Channel &channel)
{
    // lastSeq only grows: a stale channel object must not hide messages already seen.
    auto done = run(m_connectionName,
        QStringLiteral("INSERT INTO channels (id, json, last_seq) VALUES (?, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET json = excluded.json, "
                       "last_seq = max(last_seq, excluded.last_seq)"),
        {channel.id, jsonText(channel.toJson()), channel.lastSeq});
    if (!done)
        return done.error();
    return Done {};
}

CacheResult<Done> ClientCache::replaceChannels(const QList<Channel> &channels)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot begin"), db.lastError());
    auto fail = [&db](CacheError error) -> CacheResult<Done> {
        db.rollback();
        return error;
    };
    auto existing = this->channels();
    if (!existing)
        return fail(existing.error());
    for (const CachedChannel &cached : *existing) {
        const bool kept = std::any_of(channels.begin(), channels.end(),
            [&](const Channel &channel) { return channel.id == cached.channel.id; });
        if (!kept) {
            if (auto done = removeChannel(cached.channel.id); !done)
                return fail(done.error());
        }
    }
    for (const Channel &channel : channels) {
        if (auto done = upsertChannel(channel); !done)
            return fail(done.error());
    }
    if (!db.commit())
        return sqlError(QStringLiteral("cannot commit"), db.lastError());
    return Done {};
}

CacheResult<Done> ClientCache::removeChannel(const QString &channelId)
{
    for (const QString &sql : {QStringLiteral("DELETE FROM messages WHERE channel_id = ?"),
             QStringLiteral("DELETE FROM channels WHERE id = ?")}) {
        if (auto done = run(m_connectionName, sql, {channelId}); !done)
            return done.error();
    }
    return Done {};
}

CacheResult<QList<CachedChannel>> ClientCache::channels() const
{
    auto query = run(m_connectionName,
        QStringLiteral("SELECT json, last_seq, synced_seq, last_read_seq FROM channels ORDER BY rowid"));
    if (!query)
        return query.error();
    QList<CachedChannel> result;
    while (query->next()) {
        auto channel =
            Channel::fromJson(QJsonDocument::fromJson(query->value(0).toString().toUtf8()).object());
        if (!channel)
            return CacheError {QStringLiteral("a cached channel is unreadable")};
        CachedChannel cached;
        cached.channel = std::move(*channel);
        cached.channel.lastSeq = query->value(1).toLongLong();
        if (!query->value(2).isNull())
            cached.syncedSeq = query->value(2).toLongLong();
        cached.lastReadSeq = query->value(3).toLongLong();
        result.append(std::move(cached));
    }
    return result;
}

CacheResult<std::optional<CachedChannel>> ClientCache::channel(const QString &channelId) const
{
    auto all = channels();
    if (!all)
        return all.error();
    for (const CachedChannel &cached : *all) {
        if (cached.channel.id == channelId)
            return std::optional<CachedChannel>(cached);
    }
    return std::optional<CachedChannel>();
}

CacheResult<Done> ClientCache::setSyncedSeq(const QString &channelId, qint64 seq)
{
    auto done = run(m_connectionName,
        QStringLiteral("UPDATE channels SET synced_seq = ?, last_seq = max(last_seq, ?) WHERE id = ?"),
        {seq, seq, channelId});
    if (!done)
        return done.error();
    return Done {};
}

CacheResult<Done> ClientCache::setLastReadSeq(const QString &channelId, qint64 seq)
{
    auto done = run(m_connectionName,
        QStringLiteral("UPDATE channels SET last_read_seq = max(last_read_seq, ?) WHERE id = ?"),
        {seq, channelId});
    if (!done)
        return done.error();
    return Done {};
}

CacheResult<Done> ClientCache::noteServerSeq(const QString &channelId, qint64 seq)
{
    auto done = run(m_connectionName,
        QStringLiteral("UPDATE channels SET last_seq = max(last_seq, ?) WHERE id = ?"), {seq, channelId});
    if (!done)
        return done.error();
    return Done {};
}

CacheResult<Done> ClientCache::storeMessages(const QList<Message> &messages)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return sqlError(QStringLiteral("cannot begin"), db.lastError());
    for (const Message &message : messages) {
        auto done = run(m_connectionName,
            QStringLiteral("INSERT OR IGNORE INTO messages (channel_id, seq, json) VALUES (?, ?, ?)"),
            {message.channelId, message.seq, jsonText(message.toJson())});
        if (!done) {
            db.rollback();
            return done.error();
        }
    }
    if (!db.commit())
        return sqlError(QStringLiteral("cannot commit"), db.lastError());
    return Done {};
}

CacheResult<QList<Message>> ClientCache::messagesAfter(const QString &channelId, qint64 afterSeq) const
{
    auto query = run(m_connectionName,
        QStringLiteral("SELECT json FROM messages WHERE channel_id = ? AND seq > ? ORDER BY seq"),
        {channelId, afterSeq});
    if (!query)
        return query.error();
    return readMessages(std::move(*query));
}

CacheResult<QList<Message>> ClientCache::messagesBefore(
    const QString &channelId, qint64 beforeSeq, int limit) const
{
    auto query = run(m_connectionName,
        QStringLiteral("SELECT json FROM (SELECT json, seq FROM messages WHERE channel_id = ? AND seq < ? "
                       "ORDER BY seq DESC LIMIT ?) ORDER BY seq"),
        {channelId, beforeSeq, limit});
    if (!query)
        return query.error();
    return readMessages(std::move(*query));
}

} // namespace parley::client
