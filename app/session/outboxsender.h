#pragma once

#include "clientcache.h"
#include "requester.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>

namespace parley::client {

// Drains the outbox while the session is Ready: per channel strictly in the order
// typed (the next message of a channel leaves only once the previous one is
// acknowledged or failed), at most `perSecond` sends overall, pausing for
// retryAfterMs when the server says RATE_LIMITED and sending the same clientMsgId
// again until it is acknowledged. A refusal other than RATE_LIMITED is final: the
// entry becomes Failed with its code, and the channel's next message goes on.
class OutboxSender : public QObject
{
    Q_OBJECT
public:
    OutboxSender(ClientCache &cache, int perSecond, QObject *parent = nullptr);

    void start(Requester requester); // the session is Ready
    void stop(); // the connection is gone; unacknowledged entries stay pending
    void wake(); // an entry became pending
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    // Acknowledged: durable on the server, and gone from the outbox.
    void messageAcknowledged(const parley::protocol::Message &message);
    void stateChanged(const QString &clientMsgId, parley::client::MessageState state);
    void rateLimited(qint64 retryAfterMs);
    void cacheFailed(const QString &message);

private:
    void pump();
    void send(const OutboxEntry &entry);
    void onReply(const OutboxEntry &entry, const AckResult &result);
    void holdUntil(qint64 atMs);

    ClientCache &m_cache;
    Requester m_requester;
    bool m_running = false;
    quint64 m_generation = 0; // replies to an earlier connection are ignored
    QSet<QString> m_busyChannels; // a send waits for its ack
    std::chrono::milliseconds m_spacing;
    QElapsedTimer m_clock;
    qint64 m_nextSendAtMs = 0; // on m_clock
    QTimer m_timer; // wakes pump() at m_nextSendAtMs
    std::chrono::milliseconds m_noReplyRetry {1000};
};

} // namespace parley::client
