#pragma once

#include "clientcache.h"
#include "requester.h"

#include <QObject>
#include <QSet>

namespace parley::client {

// Keeps each channel's cached history gap-free and hands every message to the
// layer above exactly once, in seq order. Messages from any source (message:new,
// an ack, a history page) are stored first; then the run of consecutive seqs above
// the channel's synced seq is delivered and the synced seq moves up. Whatever is
// known to exist beyond a hole (a lastSeq in connection:ready, a message:new that
// skips ahead) is fetched with message:history afterSeq, page by page while
// hasMore. A channel seen for the first time starts with its newest page; older
// pages come on request (beforeSeq).
class ChannelSync : public QObject
{
    Q_OBJECT
public:
    ChannelSync(ClientCache &cache, int pageSize, QObject *parent = nullptr);

    void start(Requester requester); // the session is Ready: sync every cached channel
    void stop();
    void syncChannel(const QString &channelId);
    void receive(const protocol::Message &message);
    // olderMessagesLoaded follows: from the cache when it holds the whole page,
    // else from the server (or, offline, what the cache has).
    void loadOlder(const QString &channelId, qint64 beforeSeq, int limit);

Q_SIGNALS:
    void messagesArrived(const QString &channelId, const QList<parley::protocol::Message> &messages);
    void olderMessagesLoaded(
        const QString &channelId, const QList<parley::protocol::Message> &messages, bool hasMore);
    void syncFailed(const QString &channelId, const parley::client::SessionError &error);
    void cacheFailed(const QString &message);

private:
    // Delivers what is contiguous; returns whether something is known to be missing.
    bool advance(const QString &channelId);
    void fetchGap(const QString &channelId, qint64 afterSeq);
    void fetchNewest(const QString &channelId);
    void onPage(const QString &channelId, const AckResult &result, qint64 syncedBefore);
    void retryLater(const QString &channelId, qint64 afterMs);
    QList<protocol::Message> messagesOf(const AckResult &result) const;

    ClientCache &m_cache;
    int m_pageSize;
    Requester m_requester;
    bool m_running = false;
    quint64 m_generation = 0;
    QSet<QString> m_fetching; // one history request per channel at a time
};

} // namespace parley::client
