#pragma once

// The abuse tests attack the real parley-server (bench/churn's SeededServer) from
// loopback addresses of their own (127.0.0.2 and up: the per-address limits then spare
// the innocent on 127.0.0.1) while a legitimate chat goes on beside the attack.
#include "churnrun.h"
#include "eventwait.h"
#include "rawclient.h"
#include "seededserver.h"
#include "serverprobe.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <array>
#include <chrono>
#include <optional>

namespace parley::transport {
class SocketIoConnection;
} // namespace parley::transport

namespace parley::abuse {

inline const QString ServerBinary = QStringLiteral(PARLEY_SERVER_BINARY);

// 127.0.0.(2 + k): where attackers come from.
QHostAddress attackerAddress(int k = 0);

// Raises this process's descriptor soft limit to the hard one; the soft limit now.
qint64 raiseOwnDescriptorLimit();

// Two users on separate connections of the project's client transport, from 127.0.0.1,
// both members of one channel, taking turns sending to it. Counts what the test must
// see as zero: acked messages the other member (or the sender) never received as
// message:new, sends that failed, and disconnects nobody asked for.
class LegitChat : public QObject
{
    Q_OBJECT
public:
    LegitChat(QUrl url, QString channelId, std::array<QString, 2> tokens, QObject *parent = nullptr);
    ~LegitChat() override;

    // Both connected and Ready within timeout.
    bool connectBoth(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // Every interval one of the two sends a short message (they take turns).
    void startChatting(std::chrono::milliseconds interval);
    void send(int member, const QString &content, const QString &channelId = {});
    // A request and its ack (waited for in the event loop); nullopt without one.
    std::optional<QJsonObject> request(int member, const QString &event, const QJsonObject &payload,
        std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Stops the turns, then waits until every send has its ack and every acked message
    // has reached both members. True when that happened within timeout.
    bool settle(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // Closes both connections on purpose (not counted as disconnects).
    void leave();

    qsizetype acked() const;
    qsizetype lost() const; // acked, yet not received by one of the two (summed over both)
    qsizetype failedSends() const;
    int inFlight() const { return m_members[0].inFlight + m_members[1].inFlight; }
    int disconnects() const;
    QString summary() const;

private:
    struct Member
    {
        QString token;
        transport::SocketIoConnection *connection = nullptr;
        bool ready = false;
        int disconnects = 0;
        int inFlight = 0;
        qsizetype failed = 0;
        QStringList ackedIds;
        QSet<QString> seenIds;
        QStringList failures; // the first few
    };
    void onTurn();

    QUrl m_url;
    QString m_channelId;
    std::array<Member, 2> m_members;
    bool m_leaving = false;
    int m_turn = 0;
    qint64 m_sent = 0;
    QTimer *m_turns;
};

// A fresh client connects (project transport, 127.0.0.1) and reaches connection:ready.
// Empty when it did, else what happened.
QString freshClientReaches(
    const QUrl &url, const QString &token, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// One attacker socket that streams copies of `chunk` (whole frames, say) as fast as the
// kernel takes them, never reading, until `target` bytes have gone. When the server cuts
// it, it stops, or with reconnect opens another connection from the same address and
// goes on. Throttled: the kernel stopped taking bytes (the server stopped reading).
class Flooder : public QObject
{
    Q_OBJECT
public:
    Flooder(QHostAddress source, QByteArray chunk, qint64 target, bool reconnect, QObject *parent = nullptr);
    void start(quint16 port);

    churn::RawClient &client() { return m_client; }
    qint64 sent() const { return m_client.bytesSent(); } // over every connection
    int cuts() const { return m_cuts; }
    bool reachedTarget() const { return sent() >= m_target; }
    bool isCut() const { return m_client.stage() == churn::RawClient::Stage::Closed; }
    bool isThrottled(std::chrono::milliseconds quiet) const;
    bool isFinished(std::chrono::milliseconds quiet) const
    {
        return reachedTarget() || (isCut() && !m_reconnect) || isThrottled(quiet);
    }

private:
    void feed();

    churn::RawClient m_client;
    QByteArray m_chunk;
    qint64 m_target;
    bool m_reconnect;
    quint16 m_port = 0;
    qint64 m_queued = 0;
    int m_cuts = 0;
    QElapsedTimer m_lastProgress;
};

// Samples a server's resident size every few milliseconds while the event loop runs.
class RssWatch : public QObject
{
    Q_OBJECT
public:
    explicit RssWatch(qint64 pid, QObject *parent = nullptr);
    qint64 peakKiB() const { return m_peakKiB; }

private:
    qint64 m_pid;
    qint64 m_peakKiB = 0;
};

} // namespace parley::abuse
