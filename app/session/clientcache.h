#pragma once

#include "protocol/result.h"
#include "protocol/types.h"
#include "sessionerror.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <algorithm>
#include <memory>
#include <optional>

namespace parley::client {

Q_NAMESPACE

// Where a message the user typed stands.
enum class MessageState
{
    Pending, // in the outbox, not yet acknowledged (sent again until it is)
    Sent, // acknowledged: durable on the server
    Failed, // refused for good (error code kept); resend() makes it pending again
};
Q_ENUM_NS(MessageState)

struct CacheError
{
    QString message;
};
template<typename T>
using CacheResult = protocol::Result<T, CacheError>;
struct Done
{
};

struct CachedChannel
{
    protocol::Channel channel; // lastSeq: the newest seq the client has heard of
    // The newest seq held with nothing missing below it (down to the oldest page
    // loaded); nullopt until the first page arrived.
    std::optional<qint64> syncedSeq;
    qint64 lastReadSeq = 0; // the last seq shown to the user
    qint64 unreadCount() const { return std::max<qint64>(0, channel.lastSeq - lastReadSeq); }
};

struct OutboxEntry
{
    QString clientMsgId;
    QString channelId;
    QString content;
    QDateTime createdAt; // when it was typed (UTC)
    MessageState state = MessageState::Pending;
    std::optional<SessionError> error; // Failed only
};

// The local SQLite cache of one account on one server: channels, recent history,
// the read position per channel and the outbox. A repository with typed methods;
// every failure is returned, never logged and ignored. One file per account, one
// named connection per instance (same thread only).
class ClientCache
{
public:
    ~ClientCache();
    ClientCache(const ClientCache &) = delete;
    ClientCache &operator=(const ClientCache &) = delete;

    // Opens (creating folders and file as needed) and migrates; ":memory:" works.
    static protocol::Result<std::unique_ptr<ClientCache>, CacheError> open(const QString &path);

    // Channels. replaceChannels keeps sync state of channels still listed and drops
    // the others with their messages (the membership ended).
    CacheResult<Done> replaceChannels(const QList<protocol::Channel> &channels);
    CacheResult<Done> upsertChannel(const protocol::Channel &channel);
    CacheResult<Done> removeChannel(const QString &channelId);
    CacheResult<QList<CachedChannel>> channels() const;
    CacheResult<std::optional<CachedChannel>> channel(const QString &channelId) const;
    CacheResult<Done> setSyncedSeq(const QString &channelId, qint64 seq);
    CacheResult<Done> setLastReadSeq(const QString &channelId, qint64 seq);
    CacheResult<Done> noteServerSeq(const QString &channelId, qint64 seq); // raises lastSeq only

    // Messages, oldest first. Storing a (channel, seq) already held changes nothing.
    CacheResult<Done> storeMessages(const QList<protocol::Message> &messages);
    CacheResult<QList<protocol::Message>> messagesAfter(const QString &channelId, qint64 afterSeq) const;
    // The newest `limit` messages with seq < beforeSeq.
    CacheResult<QList<protocol::Message>> messagesBefore(
        const QString &channelId, qint64 beforeSeq, int limit) const;

    // The outbox, in the order the messages were typed.
    CacheResult<OutboxEntry> addToOutbox(const QString &channelId, const QString &content);
    CacheResult<QList<OutboxEntry>> outbox() const;
    CacheResult<std::optional<OutboxEntry>> outboxEntry(const QString &clientMsgId) const;
    CacheResult<Done> setOutboxState(
        const QString &clientMsgId, MessageState state, const std::optional<SessionError> &error = {});
    CacheResult<Done> removeFromOutbox(const QString &clientMsgId);

private:
    explicit ClientCache(QString connectionName);
    CacheResult<Done> migrate();
    QString m_connectionName;
};

} // namespace parley::client
