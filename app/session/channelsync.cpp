#include "channelsync.h"

#include "protocol/catalogue.h"
#include "sessionlogging.h"

#include <QJsonArray>
#include <QTimer>

namespace parley::client {

using protocol::Message;

ChannelSync::ChannelSync(ClientCache &cache, int pageSize, QObject *parent)
    : QObject(parent)
    , m_cache(cache)
    , m_pageSize(pageSize)
{ }

void ChannelSync::start(Requester requester)
{
    m_requester = std::move(requester);
    m_running = true;
    ++m_generation;
    m_fetching.clear();
    const auto channels = m_cache.channels();
    if (!channels) {
        Q_EMIT cacheFailed(channels.error().message);
        return;
    }
    for (const CachedChannel &cached : *channels)
        syncChannel(cached.channel.id);
}

void ChannelSync::stop()
{
    m_running = false;
    ++m_generation;
    m_fetching.clear();
}

void ChannelSync::syncChannel(const QString &channelId)
{
    const auto cached = m_cache.channel(channelId);
    if (!cached) {
        Q_EMIT cacheFailed(cached.error().message);
        return;
    }
    if (!*cached)
        return;
    if ((*cached)->syncedSeq) {
        advance(channelId);
        return;
    }
    if ((*cached)->channel.lastSeq == 0) {
        // Nothing to fetch: the channel starts here.
        if (auto done = m_cache.setSyncedSeq(channelId, 0); !done)
            Q_EMIT cacheFailed(done.error().message);
        advance(channelId);
        return;
    }
    fetchNewest(channelId);
}

void ChannelSync::receive(const Message &message)
{
    if (auto stored = m_cache.storeMessages({message}); !stored) {
        Q_EMIT cacheFailed(stored.error().message);
        return;
    }
    if (auto noted = m_cache.noteServerSeq(message.channelId, message.seq); !noted)
        Q_EMIT cacheFailed(noted.error().message);
    advance(message.channelId);
}

bool ChannelSync::advance(const QString &channelId)
{
    const auto cached = m_cache.channel(channelId);
    if (!cached) {
        Q_EMIT cacheFailed(cached.error().message);
        return false;
    }
    if (!*cached || !(*cached)->syncedSeq)
        return false; // not a channel of ours, or its first page is on the way
    qint64 synced = *(*cached)->syncedSeq;
    const auto above = m_cache.messagesAfter(channelId, synced);
    if (!above) {
        Q_EMIT cacheFailed(above.error().message);
        return false;
    }
    QList<Message> batch;
    for (const Message &message : *above) {
        if (message.seq != synced + 1)
            break;
        synced = message.seq;
        batch.append(message);
    }
    if (!batch.isEmpty()) {
        // Recorded before delivery: a slot that re-enters sees the new position.
        if (auto done = m_cache.setSyncedSeq(channelId, synced); !done) {
            Q_EMIT cacheFailed(done.error().message);
            return false;
        }
        Q_EMIT messagesArrived(channelId, batch);
    }
    const qint64 newest = std::max((*cached)->channel.lastSeq, above->isEmpty() ? 0 : above->last().seq);
    const bool missing = newest > synced;
    if (missing && m_running && !m_fetching.contains(channelId))
        fetchGap(channelId, synced);
    return missing;
}

void ChannelSync::fetchGap(const QString &channelId, qint64 afterSeq)
{
    m_fetching.insert(channelId);
    const quint64 generation = m_generation;
    m_requester.request(this, protocol::event::MessageHistory,
        QJsonObject {{QStringLiteral("channelId"), channelId}, {QStringLiteral("afterSeq"), afterSeq},
            {QStringLiteral("limit"), m_pageSize}},
        [this, channelId, afterSeq, generation](const AckResult &result) {
            if (generation == m_generation)
                onPage(channelId, result, afterSeq);
        });
}

void ChannelSync::fetchNewest(const QString &channelId)
{
    if (!m_running || m_fetching.contains(channelId))
        return;
    m_fetching.insert(channelId);
    const quint64 generation = m_generation;
    m_requester.request(this, protocol::event::MessageHistory,
        QJsonObject {{QStringLiteral("channelId"), channelId}, {QStringLiteral("limit"), m_pageSize}},
        [this, channelId, generation](const AckResult &result) {
            if (generation != m_generation)
                return;
            if (result.succeeded()) {
                const QList<Message> page = messagesOf(result);
                // The newest page is where this channel's history starts for us.
                const qint64 start = page.isEmpty() ? 0 : page.first().seq - 1;
                if (auto done = m_cache.setSyncedSeq(channelId, start); !done)
                    Q_EMIT cacheFailed(done.error().message);
            }
            onPage(channelId, result, -1);
        });
}

QList<Message> ChannelSync::messagesOf(const AckResult &result) const
{
    QList<Message> messages;
    const QJsonArray array = result.body.value(QStringLiteral("messages")).toArray();
    for (const QJsonValue &value : array) {
        if (auto message = Message::fromJson(value.toObject()))
            messages.append(std::move(*message));
    }
    return messages;
}

void ChannelSync::onPage(const QString &channelId, const AckResult &result, qint64 syncedBefore)
{
    m_fetching.remove(channelId);
    switch (result.status) {
    case AckResult::Status::Succeeded: {
        const QList<Message> page = messagesOf(result);
        if (auto stored = m_cache.storeMessages(page); !stored) {
            Q_EMIT cacheFailed(stored.error().message);
            return;
        }
        if (!page.isEmpty() && result.body.value(QStringLiteral("hasMore")).toBool() && syncedBefore >= 0) {
            // More after this page: make sure advance() asks for it.
            if (auto noted = m_cache.noteServerSeq(channelId, page.last().seq + 1); !noted)
                Q_EMIT cacheFailed(noted.error().message);
        }
        if (page.isEmpty() && syncedBefore >= 0) {
            // The server has nothing above our position although we expected more:
            // do not ask again until something new arrives.
            qCWarning(lcClient) << "channel" << channelId << "history ends at" << syncedBefore;
            m_fetching.insert(channelId);
            advance(channelId);
            m_fetching.remove(channelId);
            return;
        }
        advance(channelId);
        return;
    }
    case AckResult::Status::Refused:
        if (result.rateLimited()) {
            retryLater(channelId, std::max<qint64>(result.retryAfterMs, 50));
            return;
        }
        qCInfo(lcClient) << "history of channel" << channelId
                         << "refused:" << protocol::errorCodeName(result.error.code);
        Q_EMIT syncFailed(channelId, result.error);
        return;
    case AckResult::Status::NoReply:
        // The next Ready syncs again; while connected, try once more shortly.
        retryLater(channelId, 1000);
        return;
    }
}

void ChannelSync::retryLater(const QString &channelId, qint64 afterMs)
{
    m_fetching.insert(channelId); // nothing else asks meanwhile
    const quint64 generation = m_generation;
    QTimer::singleShot(std::chrono::milliseconds(afterMs), this, [this, channelId, generation] {
        if (generation != m_generation)
            return;
        m_fetching.remove(channelId);
        syncChannel(channelId);
    });
}

void ChannelSync::loadOlder(const QString &channelId, qint64 beforeSeq, int limit)
{
    const auto cached = m_cache.messagesBefore(channelId, beforeSeq, limit);
    if (!cached) {
        Q_EMIT cacheFailed(cached.error().message);
        return;
    }
    bool contiguous = !cached->isEmpty() && cached->last().seq == beforeSeq - 1;
    for (qsizetype i = 1; contiguous && i < cached->size(); ++i)
        contiguous = (*cached)[i].seq == (*cached)[i - 1].seq + 1;
    const bool complete = contiguous && (cached->size() == limit || cached->first().seq == 1);
    if (complete || !m_running) {
        Q_EMIT olderMessagesLoaded(
            channelId, *cached, cached->isEmpty() ? beforeSeq > 1 : cached->first().seq > 1);
        return;
    }
    m_requester.request(this, protocol::event::MessageHistory,
        QJsonObject {{QStringLiteral("channelId"), channelId}, {QStringLiteral("beforeSeq"), beforeSeq},
            {QStringLiteral("limit"), limit}},
        [this, channelId, beforeSeq, limit](const AckResult &result) {
            if (!result.succeeded()) {
                if (result.status == AckResult::Status::Refused && !result.rateLimited())
                    Q_EMIT syncFailed(channelId, result.error);
                const auto fallback = m_cache.messagesBefore(channelId, beforeSeq, limit);
                Q_EMIT olderMessagesLoaded(channelId, fallback ? *fallback : QList<Message> {}, true);
                return;
            }
            const QList<Message> page = messagesOf(result);
            if (auto stored = m_cache.storeMessages(page); !stored)
                Q_EMIT cacheFailed(stored.error().message);
            Q_EMIT olderMessagesLoaded(
                channelId, page, result.body.value(QStringLiteral("hasMore")).toBool());
        });
}

} // namespace parley::client
