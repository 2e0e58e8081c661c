// MessageListModel bound to a session and a channel: what the open channel shows
// and what the user types there.
#include "messagelistmodel.h"
#include "session/clientsession.h"

namespace parley::ui {

using client::ClientSession;

void MessageListModel::setSession(ClientSession *session)
{
    if (session == m_session)
        return;
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(session, &ClientSession::messagesArrived, this, &MessageListModel::onMessagesArrived);
        connect(session, &ClientSession::olderMessagesLoaded, this,
            [this](const QString &channelId, const QList<protocol::Message> &messages, bool /*hasMore*/) {
                onOlderLoaded(channelId, messages);
            });
        connect(session, &ClientSession::messageStateChanged, this, &MessageListModel::onStateChanged);
        connect(session, &ClientSession::channelsChanged, this, &MessageListModel::updateHasOlder);
    }
    reload();
    Q_EMIT sessionChanged();
}

void MessageListModel::setChannelId(const QString &channelId)
{
    if (channelId == m_channelId)
        return;
    m_channelId = channelId;
    reload();
    Q_EMIT channelIdChanged();
}

void MessageListModel::reload()
{
    m_loadingOlder = false;
    if (!m_session || m_channelId.isEmpty()) {
        clear();
    } else {
        QList<client::OutboxEntry> typed;
        const auto outbox = m_session->outbox();
        for (const auto &entry : outbox) {
            if (entry.channelId == m_channelId)
                typed.append(entry);
        }
        reset(m_session->cachedMessages(m_channelId), typed, m_session->user());
        markRead();
    }
    updateHasOlder();
    Q_EMIT historyChanged();
}

void MessageListModel::updateHasOlder()
{
    // Seqs start at 1 with no gaps and history is never pruned: anything above 1 has
    // something older. With nothing shown yet, the channel's lastSeq says whether
    // the sync is still bringing its newest page.
    qint64 lastSeq = 0;
    if (m_session && oldestSeq() == 0) {
        const auto channels = m_session->channels();
        for (const auto &cached : channels) {
            if (cached.channel.id == m_channelId)
                lastSeq = cached.channel.lastSeq;
        }
    }
    const qint64 oldest = oldestSeq();
    const bool older = oldest > 1 || (oldest == 0 && lastSeq > 0);
    if (older == m_hasOlder)
        return;
    m_hasOlder = older;
    Q_EMIT historyChanged();
}

void MessageListModel::markRead()
{
    const qint64 newest = newestSeq();
    if (m_session && newest > 0)
        m_session->markRead(m_channelId, newest);
}

void MessageListModel::onMessagesArrived(const QString &channelId, const QList<protocol::Message> &messages)
{
    if (channelId != m_channelId)
        return;
    addDelivered(messages);
    markRead();
    updateHasOlder();
}

void MessageListModel::onOlderLoaded(const QString &channelId, const QList<protocol::Message> &messages)
{
    if (channelId != m_channelId)
        return;
    addOlder(messages);
    m_loadingOlder = false;
    Q_EMIT historyChanged();
    updateHasOlder(); // from the seqs: exact, also offline
}

void MessageListModel::onStateChanged(const QString &clientMsgId, client::MessageState state)
{
    QString why;
    if (state == client::MessageState::Failed && m_session) {
        const auto outbox = m_session->outbox();
        for (const auto &entry : outbox) {
            if (entry.clientMsgId == clientMsgId && entry.error)
                why = entry.error->message;
        }
    }
    setState(clientMsgId, state, why);
}

void MessageListModel::loadOlder()
{
    if (!m_session || m_channelId.isEmpty() || !m_hasOlder || m_loadingOlder)
        return;
    const qint64 oldest = oldestSeq();
    if (oldest <= 1)
        return; // nothing older, or the newest page is still on its way
    m_loadingOlder = true;
    Q_EMIT historyChanged();
    m_session->loadOlderMessages(m_channelId, oldest); // may answer at once, from the cache
}

bool MessageListModel::sendMessage(const QString &text)
{
    if (!m_session || m_channelId.isEmpty() || text.trimmed().isEmpty() || text.size() > maxMessageLength())
        return false;
    const QString clientMsgId = m_session->sendMessage(m_channelId, text);
    if (clientMsgId.isEmpty()) {
        Q_EMIT notice(tr("The message could not be queued."));
        return false;
    }
    client::OutboxEntry entry;
    entry.clientMsgId = clientMsgId;
    entry.channelId = m_channelId;
    entry.content = text;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    addTyped(entry, m_session->user());
    return true;
}

void MessageListModel::resend(const QString &clientMsgId)
{
    if (!m_session)
        return;
    m_session->resend(clientMsgId);
    setState(clientMsgId, client::MessageState::Pending);
}

void MessageListModel::discard(const QString &clientMsgId)
{
    if (!m_session)
        return;
    m_session->discard(clientMsgId);
    reload();
}

} // namespace parley::ui
