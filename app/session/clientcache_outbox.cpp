// The outbox half of ClientCache: messages typed and not yet acknowledged.
#include "clientcache.h"
#include "clientcache_p.h"

#include <QUuid>

namespace parley::client {

using cachedetail::run;

namespace {

OutboxEntry entryFromRow(const QSqlQuery &query)
{
    OutboxEntry entry;
    entry.clientMsgId = query.value(0).toString();
    entry.channelId = query.value(1).toString();
    entry.content = query.value(2).toString();
    entry.createdAt = protocol::parseTimestamp(query.value(3).toString());
    entry.state = static_cast<MessageState>(query.value(4).toInt());
    if (entry.state == MessageState::Failed) {
        SessionError error;
        error.code =
            protocol::errorCodeFromName(query.value(5).toString()).value_or(protocol::ErrorCode::Internal);
        error.message = query.value(6).toString();
        entry.error = error;
    }
    return entry;
}

const QString SelectEntry = QStringLiteral(
    "SELECT client_msg_id, channel_id, content, created_at, state, error_code, error_message FROM outbox ");

} // namespace

CacheResult<OutboxEntry> ClientCache::addToOutbox(const QString &channelId, const QString &content)
{
    OutboxEntry entry;
    // 36 ASCII characters: well inside the contract's 64, unique without coordination.
    entry.clientMsgId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    entry.channelId = channelId;
    entry.content = content;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    auto done = run(m_connectionName,
        QStringLiteral("INSERT INTO outbox (client_msg_id, channel_id, content, created_at, state) "
                       "VALUES (?, ?, ?, ?, ?)"),
        {entry.clientMsgId, channelId, content, protocol::formatTimestamp(entry.createdAt),
            static_cast<int>(MessageState::Pending)});
    if (!done)
        return done.error();
    return entry;
}

CacheResult<QList<OutboxEntry>> ClientCache::outbox() const
{
    auto query = run(m_connectionName, SelectEntry + QStringLiteral("ORDER BY position"));
    if (!query)
        return query.error();
    QList<OutboxEntry> entries;
    while (query->next())
        entries.append(entryFromRow(*query));
    return entries;
}

CacheResult<std::optional<OutboxEntry>> ClientCache::outboxEntry(const QString &clientMsgId) const
{
    auto query =
        run(m_connectionName, SelectEntry + QStringLiteral("WHERE client_msg_id = ?"), {clientMsgId});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<OutboxEntry>();
    return std::optional<OutboxEntry>(entryFromRow(*query));
}

CacheResult<Done> ClientCache::setOutboxState(
    const QString &clientMsgId, MessageState state, const std::optional<SessionError> &error)
{
    const QVariant code = error ? QVariant(protocol::errorCodeName(error->code)) : QVariant();
    const QVariant message = error ? QVariant(error->message) : QVariant();
    auto done = run(m_connectionName,
        QStringLiteral(
            "UPDATE outbox SET state = ?, error_code = ?, error_message = ? WHERE client_msg_id = ?"),
        {static_cast<int>(state), code, message, clientMsgId});
    if (!done)
        return done.error();
    return Done {};
}

CacheResult<Done> ClientCache::removeFromOutbox(const QString &clientMsgId)
{
    auto done =
        run(m_connectionName, QStringLiteral("DELETE FROM outbox WHERE client_msg_id = ?"), {clientMsgId});
    if (!done)
        return done.error();
    return Done {};
}

} // namespace parley::client
