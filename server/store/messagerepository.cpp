#include "messagerepository.h"

#include "database.h"
#include "sqlsupport.h"
#include "transaction.h"

#include <QHash>
#include <QSqlQuery>

#include <algorithm>

namespace parley::store {

namespace {

// Column order is what messageFromRow() reads.
const QString SelectMessages =
    QStringLiteral("SELECT m.id, m.channel_id, m.seq, m.user_id, u.username, u.display_name, m.content,"
                   " m.created_at, m.client_msg_id FROM messages AS m JOIN users AS u ON u.id = m.user_id ");

} // namespace

protocol::Message MessageRepository::messageFromRow(const QSqlQuery &row)
{
    protocol::Message message;
    message.id = sql::idToString(row.value(0).toLongLong());
    message.channelId = sql::idToString(row.value(1).toLongLong());
    message.seq = row.value(2).toLongLong();
    message.userId = sql::idToString(row.value(3).toLongLong());
    message.author = {message.userId, row.value(4).toString(), row.value(5).toString()};
    message.content = row.value(6).toString();
    message.createdAt = sql::fromMsecs(row.value(7).toLongLong());
    message.clientMsgId = row.value(8).toString();
    return message;
}

StoreResult<AppendedMessage> MessageRepository::appendMessage(
    const QString &channelId, const QString &userId, const QString &content, const QString &clientMsgId)
{
    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    auto appended = appendWithinTransaction({channelId, userId, content, clientMsgId});
    if (!appended)
        return appended.error(); // rolls back
    if (auto committed = transaction->commit(); !committed)
        return committed.error();
    return appended;
}

StoreResult<QList<StoreResult<AppendedMessage>>> MessageRepository::appendMessages(
    const QList<NewMessage> &messages)
{
    // Items rarely fail (a channel deleted after the handler's check, a fault).
    // Instead of a savepoint around every item (two statements more each), an
    // item failing rolls the whole attempt back, and the batch runs again with
    // that item answered by its failure and not run: the other items are stored
    // as if the failed one had been rolled back alone. A fresh transaction per
    // attempt also never carries on in one SQLite ended by itself (an I/O error).
    QHash<qsizetype, StoreError> failedItems;
    for (;;) {
        std::optional<qsizetype> failedAt;
        auto attempt = appendAttempt(messages, failedItems, &failedAt);
        if (!failedAt)
            return attempt;
        failedItems.insert(*failedAt, attempt.error()); // one more each time: at most one attempt per item
    }
}

StoreResult<QList<StoreResult<AppendedMessage>>> MessageRepository::appendAttempt(
    const QList<NewMessage> &messages, const QHash<qsizetype, StoreError> &failedItems,
    std::optional<qsizetype> *failedAt)
{
    QList<StoreResult<AppendedMessage>> results;
    if (messages.isEmpty())
        return results;
    results.reserve(messages.size());

    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (const auto failed = failedItems.constFind(i); failed != failedItems.cend()) {
            results.append(*failed);
            continue;
        }
        auto appended = appendWithinTransaction(messages.at(i));
        if (!appended) {
            *failedAt = i;
            return appended.error(); // the transaction rolls back
        }
        results.append(std::move(appended));
    }
    if (auto committed = transaction->commit(); !committed)
        return committed.error();
    return results;
}

StoreResult<AppendedMessage> MessageRepository::appendWithinTransaction(const NewMessage &message)
{
    const auto channel = sql::parseId(message.channelId);
    if (!channel)
        return sql::notFound(QStringLiteral("no such channel"));
    const auto user = sql::parseId(message.userId);
    if (!user)
        return sql::notFound(QStringLiteral("no such user"));

    if (!message.clientMsgId.isEmpty()) {
        auto first = messageByClientId(*user, message.clientMsgId);
        if (!first)
            return first.error();
        if (*first)
            return AppendedMessage {**first, true};
    }

    // The channel's last seq and the author in one statement; no row: one of them is missing.
    auto row = m_database.run(QStringLiteral("SELECT c.last_seq, u.username, u.display_name"
                                             " FROM channels AS c, users AS u WHERE c.id = ? AND u.id = ?"),
        {*channel, *user});
    if (!row)
        return row.error();
    if (!row->next()) {
        const auto channelExists =
            sql::hasRow(m_database, QStringLiteral("SELECT 1 FROM channels WHERE id = ?"), {*channel});
        if (!channelExists)
            return channelExists.error();
        return sql::notFound(
            *channelExists ? QStringLiteral("no such user") : QStringLiteral("no such channel"));
    }
    // The write lock is held since BEGIN IMMEDIATE, so no other writer can take
    // this seq; a rollback takes the bump back with the insert, leaving no gap.
    const qint64 seq = row->value(0).toLongLong() + 1;

    protocol::Message stored;
    stored.channelId = sql::idToString(*channel);
    stored.seq = seq;
    stored.userId = sql::idToString(*user);
    stored.author = {stored.userId, row->value(1).toString(), row->value(2).toString()};
    stored.content = message.content;
    stored.clientMsgId = message.clientMsgId;
    const qint64 now = sql::nowMsecs();
    stored.createdAt = sql::fromMsecs(now);

    if (auto bumped =
            m_database.run(QStringLiteral("UPDATE channels SET last_seq = ? WHERE id = ?"), {seq, *channel});
        !bumped)
        return bumped.error();
    auto inserted = m_database.run(QStringLiteral("INSERT INTO messages (channel_id, seq, user_id, content,"
                                                  " client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
        {*channel, seq, *user, sql::text(message.content),
            message.clientMsgId.isEmpty() ? QVariant() : QVariant(message.clientMsgId), now});
    if (!inserted)
        return inserted.error();
    stored.id = sql::idToString(inserted->lastInsertId().toLongLong());
    return AppendedMessage {stored, false};
}

StoreResult<std::optional<protocol::Message>> MessageRepository::messageByClientId(
    qint64 userId, const QString &clientMsgId) const
{
    auto query =
        m_database.run(SelectMessages + QStringLiteral("WHERE m.user_id = ? AND m.client_msg_id = ?"),
            {userId, clientMsgId});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<protocol::Message>();
    return std::optional(messageFromRow(*query));
}

StoreResult<std::optional<protocol::Message>> MessageRepository::findByClientMsgId(
    const QString &userId, const QString &clientMsgId) const
{
    const auto user = sql::parseId(userId);
    if (!user || clientMsgId.isEmpty())
        return std::optional<protocol::Message>();
    return messageByClientId(*user, clientMsgId);
}

StoreResult<HistoryPage> MessageRepository::history(const QString &channelId, std::optional<qint64> beforeSeq,
    std::optional<qint64> afterSeq, int limit) const
{
    if (beforeSeq && afterSeq)
        return sql::invalidArgument(QStringLiteral("history takes beforeSeq or afterSeq, not both"));
    if ((beforeSeq && *beforeSeq < 0) || (afterSeq && *afterSeq < 0))
        return sql::invalidArgument(QStringLiteral("a history cursor is a seq, never negative"));
    if (limit < 1)
        return sql::invalidArgument(QStringLiteral("a history page holds at least one message"));
    const auto channel = sql::parseId(channelId);
    if (!channel)
        return sql::notFound(QStringLiteral("no such channel"));
    const auto exists =
        sql::hasRow(m_database, QStringLiteral("SELECT 1 FROM channels WHERE id = ?"), {*channel});
    if (!exists)
        return exists.error();
    if (!*exists)
        return sql::notFound(QStringLiteral("no such channel"));

    // One row more than asked tells whether more remain in the direction read.
    // Pages towards older messages are read newest first and turned around.
    const qint64 fetch = qint64(limit) + 1;
    const bool newestFirst = !afterSeq;
    auto query = afterSeq
        ? m_database.run(SelectMessages +
                  QStringLiteral("WHERE m.channel_id = ? AND m.seq > ? ORDER BY m.seq ASC LIMIT ?"),
              {*channel, *afterSeq, fetch})
        : beforeSeq
        ? m_database.run(SelectMessages +
                  QStringLiteral("WHERE m.channel_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?"),
              {*channel, *beforeSeq, fetch})
        : m_database.run(
              SelectMessages + QStringLiteral("WHERE m.channel_id = ? ORDER BY m.seq DESC LIMIT ?"),
              {*channel, fetch});
    if (!query)
        return query.error();

    HistoryPage page;
    while (query->next()) {
        if (page.messages.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.messages.append(messageFromRow(*query));
    }
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    return page;
}

StoreResult<qint64> MessageRepository::lastSeq(const QString &channelId) const
{
    const auto channel = sql::parseId(channelId);
    if (!channel)
        return sql::notFound(QStringLiteral("no such channel"));
    auto query = m_database.run(QStringLiteral("SELECT last_seq FROM channels WHERE id = ?"), {*channel});
    if (!query)
        return query.error();
    if (!query->next())
        return sql::notFound(QStringLiteral("no such channel"));
    return query->value(0).toLongLong();
}

} // namespace parley::store
