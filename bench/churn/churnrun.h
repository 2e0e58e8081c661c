#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>

namespace parley::churn {

class RawClient;

struct ChurnPlan
{
    quint16 port = 0;
    QString token; // every cycle signs in as this user
    int parallel = 4; // cycles in flight at once
    // Bound before each connect; null: not bound (the kernel may then reuse ports in
    // TIME_WAIT, which a long run needs).
    QHostAddress source {};
    std::chrono::milliseconds cycleTimeout {20000}; // upgrade to connection:ready
};

struct ChurnResult
{
    qint64 completed = 0; // reached connection:ready, then left
    qint64 failed = 0; // ended or timed out before connection:ready
    qint64 elapsedMs = 0;
    QStringList failures; // the first few, with what was seen
};

// Connect → connection:ready → disconnect, over and over, a few at once. The ways out
// take turns: a close frame then FIN (waiting for the server's end), `41` and a close
// frame, and a reset (abort) — so every path that frees a connection's rooms is walked.
class ChurnRun : public QObject
{
    Q_OBJECT
public:
    explicit ChurnRun(ChurnPlan plan, QObject *parent = nullptr);

    // Runs `cycles` more cycles; returns once each has completed or failed, or at timeout.
    ChurnResult run(qint64 cycles, std::chrono::milliseconds timeout);

private:
    void startCycle();
    void finishCycle(RawClient *client, bool completed, const QString &why = {});

    ChurnPlan m_plan;
    qint64 m_target = 0;
    qint64 m_started = 0;
    qint64 m_serial = 0; // over every run, so the ways out keep taking turns
    int m_inFlight = 0;
    ChurnResult m_result;
};

} // namespace parley::churn
