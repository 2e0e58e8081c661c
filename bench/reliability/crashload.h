#pragma once

#include "crashlog.h"

#include <QList>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace parley::reliability {

class CrashSender;
class ServerProcess;

// How a crash run goes: who sends how much, and how often the server dies.
struct CrashPlan
{
    QString serverBinary;
    QString dataDir; // fresh: seeded with the senders (users 1..N) and channels 1..C, all members
    int senders = 20;
    int messagesPerSender = 15;
    int channels = 3;
    int randomKills = 5; // SIGKILL once a random share of the messages is acked
    // Crash points the server kills itself at (needs a -DPARLEY_FAULT_POINTS=ON
    // build), each faultRounds times, at a random pass between 1 and 8.
    QStringList faultPoints;
    int faultRounds = 1;
    QStringList serverArguments; // e.g. --commit-window 0
    std::chrono::milliseconds phaseTimeout {90000};
    // Seeds every random choice of the run (kill moments, fault passes): the same
    // seed replays the same schedule. runSeed() gives PARLEY_SEED or a fresh one.
    quint32 seed = 0;
    std::function<void(const QString &)> progress; // a line per kill; may be empty
};

// What a run measured. Figures are for printing, never for asserting.
struct CrashReport
{
    quint32 seed = 0; // the plan's: PARLEY_SEED=<seed> replays the run's kill schedule
    QStringList failures; // the run could not be carried out as planned; empty: it was
    qsizetype planned = 0;
    qsizetype acked = 0;
    int kills = 0; // including the final SIGKILL before the check
    qsizetype retries = 0;
    qsizetype errorAcks = 0;
    qsizetype seen = 0; // message:new events the senders received
    qint64 wallMs = 0; // first start to last kill
    qint64 upMs = 0; // summed over runs: every sender ready until the kill
    // Per start, from exec: "listening on", the first connection:ready, every sender's.
    QList<qint64> listeningMs;
    QList<qint64> firstReadyMs;
    QList<qint64> allReadyMs;

    // One paragraph with every figure (min/median/max for the restart times).
    QString figures() const;
};

// PARLEY_SEED from the environment when set (a failed run printed it), else a
// fresh random seed.
quint32 runSeed();

// A crash run against parley-server: seed a data dir, start the server, let the
// senders send (each retrying one clientMsgId until acked), kill the server at
// random moments and at the planned fault points, start it again, until every
// planned message is acked; then one last SIGKILL. log() is what the clients
// saw, for checkExactlyOnce() on the database left behind.
class CrashLoad
{
public:
    explicit CrashLoad(CrashPlan plan);
    ~CrashLoad();
    Q_DISABLE_COPY_MOVE(CrashLoad)

    // Writes users, channels and tokens into plan.dataDir. Empty on success, else why not.
    QString seed();
    CrashReport run();
    CrashLog log() const;
    QString databasePath() const;

private:
    // One server lifetime: start, connect everyone, send until the kill (at
    // `target` acked, or at the fault point), `phasesLeft` more to come. False
    // (with report.failures) when the run cannot go on.
    bool runPhase(qsizetype target, const QString &faultPoint, qsizetype phasesLeft, CrashReport &report);
    qsizetype ackedCount() const;
    qsizetype plannedCount() const;

    CrashPlan m_plan;
    QStringList m_tokens; // by sender
    QStringList m_channelIds;
    std::unique_ptr<ServerProcess> m_server;
    std::vector<std::unique_ptr<CrashSender>> m_senders;
    QRandomGenerator m_random;
};

} // namespace parley::reliability
