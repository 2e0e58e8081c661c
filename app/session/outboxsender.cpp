#include "outboxsender.h"

#include "protocol/catalogue.h"
#include "sessionlogging.h"

namespace parley::client {

OutboxSender::OutboxSender(ClientCache &cache, int perSecond, QObject *parent)
    : QObject(parent)
    , m_cache(cache)
    , m_spacing(1000 / std::max(1, perSecond))
{
    m_clock.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &OutboxSender::pump);
}

void OutboxSender::start(Requester requester)
{
    m_requester = std::move(requester);
    m_running = true;
    ++m_generation;
    m_busyChannels.clear();
    pump();
}

void OutboxSender::stop()
{
    m_running = false;
    ++m_generation;
    m_busyChannels.clear();
    m_timer.stop();
}

void OutboxSender::wake()
{
    if (m_running && !m_timer.isActive())
        pump();
}

void OutboxSender::holdUntil(qint64 atMs)
{
    m_nextSendAtMs = std::max(m_nextSendAtMs, atMs);
}

void OutboxSender::pump()
{
    if (!m_running || !m_requester.isConnected())
        return;
    const auto entries = m_cache.outbox();
    if (!entries) {
        Q_EMIT cacheFailed(entries.error().message);
        return;
    }
    QSet<QString> seenChannels;
    for (const OutboxEntry &entry : *entries) {
        if (entry.state != MessageState::Pending || seenChannels.contains(entry.channelId))
            continue;
        // Only the oldest pending entry of a channel may be on the wire.
        seenChannels.insert(entry.channelId);
        if (m_busyChannels.contains(entry.channelId))
            continue;
        const qint64 now = m_clock.elapsed();
        if (now < m_nextSendAtMs) {
            m_timer.start(std::chrono::milliseconds(m_nextSendAtMs - now));
            return;
        }
        m_nextSendAtMs = now + m_spacing.count();
        send(entry);
    }
}

void OutboxSender::send(const OutboxEntry &entry)
{
    m_busyChannels.insert(entry.channelId);
    const quint64 generation = m_generation;
    m_requester.request(this, protocol::event::MessageSend,
        QJsonObject {{QStringLiteral("channelId"), entry.channelId},
            {QStringLiteral("content"), entry.content}, {QStringLiteral("clientMsgId"), entry.clientMsgId}},
        [this, entry, generation](const AckResult &result) {
            if (generation == m_generation)
                onReply(entry, result);
        });
}

void OutboxSender::onReply(const OutboxEntry &entry, const AckResult &result)
{
    m_busyChannels.remove(entry.channelId);
    switch (result.status) {
    case AckResult::Status::Succeeded: {
        if (auto removed = m_cache.removeFromOutbox(entry.clientMsgId); !removed)
            Q_EMIT cacheFailed(removed.error().message);
        Q_EMIT stateChanged(entry.clientMsgId, MessageState::Sent);
        // Without the message in the ack the broadcast or the next catch-up brings it.
        if (auto message =
                protocol::Message::fromJson(result.body.value(QStringLiteral("message")).toObject()))
            Q_EMIT messageAcknowledged(*message);
        break;
    }
    case AckResult::Status::Refused:
        if (result.rateLimited()) {
            qCDebug(lcClient) << "outbox rate limited for" << result.retryAfterMs << "ms";
            holdUntil(m_clock.elapsed() + std::max<qint64>(result.retryAfterMs, m_spacing.count()));
            Q_EMIT rateLimited(result.retryAfterMs);
            break;
        }
        if (auto failed = m_cache.setOutboxState(entry.clientMsgId, MessageState::Failed, result.error);
            !failed)
            Q_EMIT cacheFailed(failed.error().message);
        qCInfo(lcClient) << "message" << entry.clientMsgId
                         << "refused:" << protocol::errorCodeName(result.error.code);
        Q_EMIT stateChanged(entry.clientMsgId, MessageState::Failed);
        break;
    case AckResult::Status::NoReply:
        // Still pending: sent again with the same id, now if the connection is
        // alive (the ack timed out), else on the next Ready.
        holdUntil(m_clock.elapsed() + m_noReplyRetry.count());
        break;
    }
    pump();
}

} // namespace parley::client
