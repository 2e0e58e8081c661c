#pragma once

#include "records.h"
#include "storeerror.h"

#include <QHash>
#include <QList>

#include <optional>

class QSqlQuery;

namespace parley::store {

class Database;

// The message log: per-channel gapless seqs, idempotent appends keyed by
// (sender, clientMsgId), and history pages in both directions. Membership and
// content rules are the handlers' job; the store records what it is given.
class MessageRepository
{
public:
    explicit MessageRepository(const Database &database)
        : m_database(database)
    { }

    // Commits the message with the channel's next seq before returning: what
    // this returns is durable. A clientMsgId the sender used before returns the
    // first message with duplicate = true and writes nothing (checked before
    // the channel, as the contract orders it). NotFound: no such channel or user.
    StoreResult<AppendedMessage> appendMessage(const QString &channelId, const QString &userId,
        const QString &content, const QString &clientMsgId = {});

    // Group commit: every item in ONE transaction, one result per item in order.
    // A failing item is rolled back alone and the others are stored (the batch
    // runs again without it); the outer error means the transaction failed and
    // nothing is stored.
    StoreResult<QList<StoreResult<AppendedMessage>>> appendMessages(const QList<NewMessage> &messages);

    // The contract's `message:history`: no cursor gives the newest `limit`;
    // afterSeq the first `limit` after it (hasMore: newer remain); beforeSeq the
    // last `limit` before it (hasMore: older remain). Oldest first.
    // InvalidArgument: both cursors, a negative cursor, limit < 1 (capping is
    // the handler's). NotFound: no such channel.
    StoreResult<HistoryPage> history(const QString &channelId, std::optional<qint64> beforeSeq,
        std::optional<qint64> afterSeq, int limit) const;

    StoreResult<qint64> lastSeq(const QString &channelId) const; // 0 before the first message

    // The message the user sent with this clientMsgId, if any (a handler answers
    // a repeat before it looks at the channel). nullopt for an id no user can have.
    StoreResult<std::optional<protocol::Message>> findByClientMsgId(
        const QString &userId, const QString &clientMsgId) const;

private:
    // One transaction over `messages`; the items in `failedItems` are answered
    // with their error and not run. An item failing now sets *failedAt, returns
    // its error and stores nothing.
    StoreResult<QList<StoreResult<AppendedMessage>>> appendAttempt(const QList<NewMessage> &messages,
        const QHash<qsizetype, StoreError> &failedItems, std::optional<qsizetype> *failedAt);
    StoreResult<AppendedMessage> appendWithinTransaction(const NewMessage &message);
    StoreResult<std::optional<protocol::Message>> messageByClientId(
        qint64 userId, const QString &clientMsgId) const;
    static protocol::Message messageFromRow(const QSqlQuery &row);

    const Database &m_database;
};

} // namespace parley::store
