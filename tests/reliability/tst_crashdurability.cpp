#include "crashload.h"
#include "promisedcheck.h"
#include "reliabilitysupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace parley::reliability;

// parley-server killed with SIGKILL at random moments and at
// its fault points (before commit, after commit before ack, mid-broadcast) while
// 20 clients send with retries; afterwards every acked message is in the
// database exactly once with its acked id and seq, every message:new seen has its
// row, seq has no gaps and SQLite finds its file intact (checkExactlyOnce).
// Short form by default (300 messages, 5 random kills + each fault point);
// long form: PARLEY_RELIABILITY_LONG=1 (5,000 messages, 20 random kills + each
// fault point twice).
class TestCrashDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ackedMessagesSurviveKills();
    void checkerCatchesLostDuplicateAndPhantomRows();

private:
    static CrashPlan planIn(const QString &dataDir);
};

namespace {

const QStringList FaultPoints {QStringLiteral("before-commit"), QStringLiteral("after-commit-before-ack"),
    QStringLiteral("mid-broadcast")};

} // namespace

CrashPlan TestCrashDurability::planIn(const QString &dataDir)
{
    CrashPlan plan;
    plan.serverBinary = ServerBinary;
    plan.dataDir = dataDir;
    plan.progress = [](const QString &line) { qInfo().noquote() << line; };
    // Printed first, so that a failing run can be replayed with PARLEY_SEED.
    plan.seed = runSeed();
    qInfo().noquote() << QStringLiteral("seed %1 (replay: PARLEY_SEED=%1)").arg(plan.seed);
    return plan;
}

void TestCrashDurability::ackedMessagesSurviveKills()
{
#ifndef PARLEY_FAULT_POINTS
    PARLEY_SKIP_OR_FAIL_IN_CI(QStringLiteral(
        "configure with -DPARLEY_FAULT_POINTS=ON (scripts/test.sh does) for the crash points"));
#endif
    const bool longForm = qEnvironmentVariableIntValue("PARLEY_RELIABILITY_LONG") != 0;
    QTemporaryDir scratch;
    QVERIFY(scratch.isValid());
    CrashPlan plan = planIn(scratch.filePath(QStringLiteral("data")));
    plan.senders = 20;
    plan.messagesPerSender = longForm ? 250 : 15;
    plan.channels = 3;
    plan.randomKills = longForm ? 20 : 5;
    plan.faultPoints = FaultPoints;
    plan.faultRounds = longForm ? 2 : 1;

    CrashLoad load(plan);
    const QString seeded = load.seed();
    QVERIFY2(seeded.isEmpty(), qPrintable(seeded));
    const CrashReport report = load.run();
    QVERIFY2(report.failures.isEmpty(), qPrintable(report.failures.join(QLatin1Char('\n'))));
    QCOMPARE(report.planned, qsizetype(plan.senders) * plan.messagesPerSender);
    QCOMPARE(report.acked, report.planned);
    QCOMPARE(report.kills, plan.randomKills + FaultPoints.size() * plan.faultRounds + 1);
    QVERIFY(report.seen >= report.acked); // every sender is in every channel

    const CrashLog log = load.log();
    QCOMPARE(log.planned.size(), report.planned);
    const QStringList wrong = checkExactlyOnce(load.databasePath(), log);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    qInfo().noquote() << QStringLiteral("FIGURES:\n") + report.figures();
}

// The check above can fail: a small crash run passes it, then copies of its
// database with one thing broken each (a lost row, a duplicate, a seq gap) and
// a log with a message:new nobody stored or an ack that named another seq do not.
void TestCrashDurability::checkerCatchesLostDuplicateAndPhantomRows()
{
    QTemporaryDir scratch;
    QVERIFY(scratch.isValid());
    CrashPlan plan = planIn(scratch.filePath(QStringLiteral("data")));
    plan.senders = 3;
    plan.messagesPerSender = 10;
    plan.channels = 2;
    plan.randomKills = 1;
    CrashLoad load(plan);
    QVERIFY(load.seed().isEmpty());
    const CrashReport report = load.run();
    QVERIFY2(report.failures.isEmpty(), qPrintable(report.failures.join(QLatin1Char('\n'))));
    const CrashLog log = load.log();
    QCOMPARE(checkExactlyOnce(load.databasePath(), log), QStringList());
    {
        // Everything into the main file, so a copy of it is the whole database.
        const DatabaseView db(load.databasePath());
        QVERIFY(db.query(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")).isActive());
    }

    const PlannedMessage &first = log.planned.first();
    const auto brokenCopy = [&](const QString &name, const QStringList &statements) {
        const QString copy = scratch.filePath(name + QStringLiteral(".db"));
        if (!QFile::copy(load.databasePath(), copy))
            return QString();
        const DatabaseView db(copy);
        for (const QString &sql : statements) {
            if (!db.query(sql).isActive())
                return QString();
        }
        return copy;
    };
    const auto findings = [](const QString &path, const CrashLog &checked) {
        return checkExactlyOnce(path, checked).join(QLatin1Char('\n'));
    };

    const QString lost = brokenCopy(
        QStringLiteral("lost"), {QStringLiteral("DELETE FROM messages WHERE id = %1").arg(first.messageId)});
    QVERIFY(!lost.isEmpty());
    QVERIFY2(findings(lost, log).contains(QStringLiteral("acked as %1, stored as \"\"").arg(first.messageId)),
        qPrintable(findings(lost, log)));

    const QString duplicate = brokenCopy(QStringLiteral("duplicate"),
        {QStringLiteral("DROP INDEX messages_by_client_id"),
            QStringLiteral(
                "INSERT INTO messages (channel_id, seq, user_id, content, client_msg_id, created_at) "
                "SELECT channel_id, (SELECT MAX(seq) + 1 FROM messages m WHERE m.channel_id = "
                "messages.channel_id), user_id, content, client_msg_id, created_at FROM messages "
                "WHERE id = %1")
                .arg(first.messageId)});
    QVERIFY(!duplicate.isEmpty());
    QVERIFY2(findings(duplicate, log)
                 .contains(QStringLiteral("duplicate: %1/%2").arg(first.userId, first.clientMsgId)),
        qPrintable(findings(duplicate, log)));

    const QString gap = brokenCopy(QStringLiteral("gap"),
        {QStringLiteral(
            "UPDATE messages SET seq = seq + 5 WHERE id = (SELECT id FROM messages WHERE channel_id "
            "= %1 ORDER BY seq DESC LIMIT 1)")
                .arg(first.channelId)});
    QVERIFY(!gap.isEmpty());
    QVERIFY2(findings(gap, log).contains(QStringLiteral("channel %1:").arg(first.channelId)),
        qPrintable(findings(gap, log)));

    const QString intact = brokenCopy(QStringLiteral("intact"), {});
    QVERIFY(!intact.isEmpty());
    CrashLog phantom = log;
    phantom.seen.append({QStringLiteral("999999"), first.channelId, 999, QStringLiteral("never-sent")});
    QVERIFY2(findings(intact, phantom).contains(QStringLiteral("message:new 999999 (seq 999) has no row")),
        qPrintable(findings(intact, phantom)));
    CrashLog lyingAck = log;
    lyingAck.planned.first().seq += 1;
    QVERIFY2(findings(intact, lyingAck).contains(QStringLiteral("acked in channel")),
        qPrintable(findings(intact, lyingAck)));
    QCOMPARE(findings(intact, log), QString());
}

QTEST_GUILESS_MAIN(TestCrashDurability)
#include "tst_crashdurability.moc"
