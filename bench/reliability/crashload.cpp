#include "crashload.h"

#include "../seed/benchseeder.h"
#include "crashsender.h"
#include "eventwait.h"
#include "serverprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <utility>

namespace parley::reliability {

namespace {

QString spread(QList<qint64> values)
{
    if (values.isEmpty())
        return QStringLiteral("none");
    std::sort(values.begin(), values.end());
    return QStringLiteral("min %1 / median %2 / max %3 ms (%4 starts)")
        .arg(values.first())
        .arg(values.at(values.size() / 2))
        .arg(values.last())
        .arg(values.size());
}

// A fault point is armed for a random early pass, at most this one.
constexpr int HighestFaultPass = 8;

} // namespace

quint32 runSeed()
{
    bool ok = false;
    const quint32 given = qEnvironmentVariable("PARLEY_SEED").toUInt(&ok);
    return ok ? given : QRandomGenerator::global()->generate();
}

QString CrashReport::figures() const
{
    const auto perSecond = [](qsizetype count, qint64 ms) {
        return ms > 0 ? double(count) * 1000.0 / double(ms) : 0.0;
    };
    return QStringLiteral(
        "%1 of %2 messages acked across %3 kills in %4 ms: %5 msg/s under crash load (restarts included), "
        "%6 msg/s while every sender was connected\n"
        "restart to \"listening on\": %7\n"
        "restart to the first connection:ready: %8\n"
        "restart to every sender's connection:ready: %9\n"
        "%10 sends retried (%11 refused by the server, the rest cut off by a kill), %12 message:new seen\n"
        "seed %13 (PARLEY_SEED=%13 replays the kill schedule)")
        .arg(acked)
        .arg(planned)
        .arg(kills)
        .arg(wallMs)
        .arg(perSecond(acked, wallMs), 0, 'f', 0)
        .arg(perSecond(acked, upMs), 0, 'f', 0)
        .arg(spread(listeningMs), spread(firstReadyMs), spread(allReadyMs))
        .arg(retries)
        .arg(errorAcks)
        .arg(seen)
        .arg(seed);
}

CrashLoad::CrashLoad(CrashPlan plan)
    : m_plan(std::move(plan))
    , m_server(std::make_unique<ServerProcess>(m_plan.serverBinary))
    , m_random(m_plan.seed)
{ }

CrashLoad::~CrashLoad() = default;

QString CrashLoad::databasePath() const
{
    return QDir(m_plan.dataDir).filePath(QStringLiteral("parley.db"));
}

QString CrashLoad::seed()
{
    bench::SeedPlan seedPlan;
    seedPlan.dataDir = m_plan.dataDir;
    seedPlan.users = m_plan.senders;
    seedPlan.channels = m_plan.channels;
    seedPlan.perUser = m_plan.channels; // everyone in every channel: each send is a broadcast to all
    seedPlan.tokensFile = QDir(m_plan.dataDir).filePath(QStringLiteral("crash-run-tokens.json"));
    if (const auto seeded = bench::seed(seedPlan); !seeded)
        return seeded.error();
    QFile tokensFile(seedPlan.tokensFile);
    if (!tokensFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1").arg(seedPlan.tokensFile);
    const QJsonArray tokens = QJsonDocument::fromJson(tokensFile.readAll()).array();
    if (tokens.size() != m_plan.senders)
        return QStringLiteral("%1 tokens for %2 senders").arg(tokens.size()).arg(m_plan.senders);

    for (int c = 1; c <= m_plan.channels; ++c)
        m_channelIds.append(QString::number(c));
    m_senders.clear();
    for (int i = 0; i < m_plan.senders; ++i) {
        const QJsonObject entry = tokens.at(i).toObject();
        const QString userId = entry.value(QLatin1String("userId")).toString();
        QList<PlannedMessage> messages;
        for (int k = 0; k < m_plan.messagesPerSender; ++k) {
            const QString id = QStringLiteral("s%1-m%2").arg(i).arg(k);
            messages.append({userId, id, m_channelIds.at((i + k) % m_channelIds.size()),
                QStringLiteral("message ") + id, {}, 0});
        }
        m_senders.push_back(std::make_unique<CrashSender>(
            entry.value(QLatin1String("token")).toString(), std::move(messages)));
    }
    return {};
}

qsizetype CrashLoad::ackedCount() const
{
    qsizetype acked = 0;
    for (const auto &sender : m_senders)
        acked += sender->ackedCount();
    return acked;
}

qsizetype CrashLoad::plannedCount() const
{
    qsizetype planned = 0;
    for (const auto &sender : m_senders)
        planned += sender->plan().size();
    return planned;
}

CrashReport CrashLoad::run()
{
    CrashReport report;
    report.seed = m_plan.seed;
    // The kill schedule: random moments spread over the run, the fault points in between.
    QStringList schedule;
    for (int round = 0; round < m_plan.faultRounds; ++round)
        schedule += m_plan.faultPoints;
    QRandomGenerator *random = &m_random;
    for (int i = 0; i < m_plan.randomKills; ++i)
        schedule.insert(random->bounded(schedule.size() + 1), QString());
    const qsizetype total = plannedCount();
    const qsizetype step = total / (schedule.size() + 1);

    QElapsedTimer clock;
    clock.start();
    bool going = !m_senders.empty();
    if (!going)
        report.failures.append(QStringLiteral("nothing to send: seed() first"));
    for (qsizetype k = 0; k < schedule.size() && going; ++k) {
        const qsizetype jitter = random->bounded(std::max<qsizetype>(step / 2, 1));
        going = runPhase(
            std::min(total - 1, step * (k + 1) + jitter), schedule.at(k), schedule.size() - k, report);
    }
    // The last run: everything left, then one more SIGKILL before anyone looks.
    if (going)
        runPhase(total, {}, 0, report);
    report.wallMs = clock.elapsed();
    report.planned = total;
    report.acked = ackedCount();
    for (const auto &sender : m_senders) {
        report.retries += sender->retries();
        report.errorAcks += sender->errorAcks();
        report.seen += sender->seen().size();
    }
    if (report.failures.isEmpty() && report.acked != total)
        report.failures.append(QStringLiteral("%1 of %2 messages acked").arg(report.acked).arg(total));
    return report;
}

bool CrashLoad::runPhase(
    qsizetype target, const QString &faultPoint, qsizetype phasesLeft, CrashReport &report)
{
    ServerProcess::Launch launch;
    launch.dataDir = m_plan.dataDir;
    launch.arguments = m_plan.serverArguments;
    if (!faultPoint.isEmpty()) {
        // Reached before the senders run out, also when a commit carries a message of
        // every sender: at most this phase's share of what is left, in whole commits.
        const qsizetype share =
            (plannedCount() - ackedCount()) / (qsizetype(m_senders.size()) * (phasesLeft + 1));
        const int highest = int(std::clamp<qsizetype>(share, 1, HighestFaultPass));
        launch.environment.append(
            QStringLiteral("PARLEY_FAULT_POINT=%1:%2").arg(faultPoint).arg(m_random.bounded(1, highest + 1)));
    }
    if (m_server->start(launch) == 0) {
        report.failures.append(QStringLiteral("parley-server did not start: ") + m_server->standardError());
        return false;
    }
    report.listeningMs.append(m_server->listeningMs());

    // Restart to ready, as a client sees it: exec until connection:ready arrives.
    qsizetype ready = 0;
    QObject phase; // ends the connections below with this phase
    for (const auto &sender : m_senders) {
        QObject::connect(sender.get(), &CrashSender::becameReady, &phase, [&] {
            if (++ready == 1)
                report.firstReadyMs.append(m_server->msSinceStart());
            if (ready == qsizetype(m_senders.size()))
                report.allReadyMs.append(m_server->msSinceStart());
        });
        sender->connectTo(m_server->url());
    }
    const qsizetype senderCount = qsizetype(m_senders.size());
    waitUntil([&] { return ready == senderCount || !m_server->isRunning(); }, m_plan.phaseTimeout);
    if (ready < senderCount && m_server->isRunning()) {
        report.failures.append(
            QStringLiteral("%1 of %2 senders got connection:ready").arg(ready).arg(senderCount));
        return false;
    }

    QElapsedTimer up;
    up.start();
    const qsizetype until = faultPoint.isEmpty() ? target : plannedCount();
    const bool ended =
        waitUntil([&] { return !m_server->isRunning() || ackedCount() >= until; }, m_plan.phaseTimeout);
    bool going = true;
    if (!ended) {
        report.failures.append(QStringLiteral("stuck at %1 acked").arg(ackedCount()));
        going = false;
    }
    if (faultPoint.isEmpty()) {
        if (!m_server->isRunning()) {
            report.failures.append(
                QStringLiteral("parley-server died unplanned: ") + m_server->standardError());
            going = false;
        }
        m_server->kill();
    } else if (m_server->isRunning()) {
        m_server->kill();
        report.failures.append(QStringLiteral("every message acked, %1 never reached").arg(faultPoint));
        going = false;
    } else if (!m_server->crashed() ||
        !m_server->standardError().contains(QStringLiteral("fault point ") + faultPoint)) {
        report.failures.append(
            QStringLiteral("parley-server ended, not at %1: %2").arg(faultPoint, m_server->standardError()));
        going = false;
    }
    report.upMs += up.elapsed();
    ++report.kills;
    for (const auto &sender : m_senders)
        sender->disconnectFromServer();
    if (m_plan.progress)
        m_plan.progress(QStringLiteral("killed %1 at %2 acked (listening after %3 ms)")
                            .arg(faultPoint.isEmpty() ? QStringLiteral("at random") : faultPoint)
                            .arg(ackedCount())
                            .arg(m_server->listeningMs()));
    return going;
}

CrashLog CrashLoad::log() const
{
    CrashLog log;
    log.channelIds = m_channelIds;
    for (const auto &sender : m_senders) {
        log.planned += sender->plan();
        log.seen += sender->seen();
        log.ackMismatches += sender->ackMismatches();
    }
    return log;
}

} // namespace parley::reliability
