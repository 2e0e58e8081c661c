#include "protocol/catalogue.h"
#include "reliabilitysupport.h"
#include "serverharness.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <memory>
#include <vector>

using namespace parley;
using namespace parley::reliability;
using namespace parley::server::test;

namespace {

// One message a sender must get acknowledged, and what the ack said.
struct Planned
{
    QString clientMsgId;
    QString channelId;
    QString content;
    QString messageId; // from the first success ack
    qint64 seq = 0;
};

// A message:new some client saw.
struct Seen
{
    QString id;
    QString channelId;
    qint64 seq = 0;
    QString clientMsgId;
};

// A user sending its planned messages one at a time, each retried with the same
// clientMsgId (after a reconnect if need be) until a success ack names it.
struct Sender
{
    QString userId;
    QString token;
    QList<Planned> plan;
    qsizetype next = 0; // the first not yet acknowledged
    bool inFlight = false;
    std::unique_ptr<TestClient> client;
};

bool envFlag(const char *name)
{
    return qEnvironmentVariableIntValue(name) != 0;
}

} // namespace

// Issue 8, test 1: parley-server killed with SIGKILL at random moments and at
// its fault points (before commit, after commit before ack, mid-broadcast) while
// clients send with retries; afterwards every acked message is in the database
// exactly once with its acked id and seq, every message:new seen has its row,
// seq has no gaps and SQLite finds its file intact.
// Long form: PARLEY_RELIABILITY_LONG=1 (20 senders, 5,000 messages, 26 kills).
class TestCrashDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ackedMessagesSurviveKills();

private:
    bool connectAll();
    void disconnectAll();
    void pump();
    qsizetype ackedCount() const;
    qsizetype plannedCount() const;
    // Runs until `target` messages are acked (then SIGKILL) or, with a fault
    // point armed, until the server kills itself.
    void runPhase(qsizetype target, const QString &faultPoint);

    std::unique_ptr<TestServer> m_setup; // owns the data dir and signing key
    QStringList m_channels;
    std::vector<Sender> m_senders; // never resized while sends are out: acks point into it
    QList<Seen> m_seen;
    ServerProcess m_server;
    QStringList m_failures; // ack mismatches, found while running
    QList<qint64> m_readyMs;
    qsizetype m_retries = 0;
    qsizetype m_errorAcks = 0;
};

void TestCrashDurability::initTestCase()
{
#ifndef PARLEY_FAULT_POINTS
    QSKIP("configure with -DPARLEY_FAULT_POINTS=ON (scripts/test.sh does) for the crash points");
#endif
}

bool TestCrashDurability::connectAll()
{
    for (Sender &sender : m_senders) {
        sender.client = std::make_unique<TestClient>(m_server.url());
        if (!sender.client->connectMain(sender.token))
            return false;
    }
    return true;
}

void TestCrashDurability::disconnectAll()
{
    for (Sender &sender : m_senders) {
        if (!sender.client)
            continue;
        for (const ReceivedEvent &event : sender.client->eventsNamed(protocol::event::MessageNew)) {
            const QJsonObject message = event.payload.toObject();
            m_seen.append({message.value(QLatin1String("id")).toString(),
                message.value(QLatin1String("channelId")).toString(),
                message.value(QLatin1String("seq")).toInteger(),
                message.value(QLatin1String("clientMsgId")).toString()});
        }
        sender.client.reset(); // fails its pending ack: inFlight is cleared
    }
}

void TestCrashDurability::pump()
{
    for (Sender &sender : m_senders) {
        if (sender.inFlight || sender.next >= sender.plan.size() || !sender.client ||
            sender.client->isClosed())
            continue;
        const Planned &planned = sender.plan.at(sender.next);
        sender.inFlight = true;
        Sender *self = &sender;
        const qsizetype index = sender.next;
        sender.client->connection().emitWithAck(
            QStringLiteral("/"), protocol::event::MessageSend,
            QJsonArray {QJsonObject {{QStringLiteral("channelId"), planned.channelId},
                {QStringLiteral("content"), planned.content},
                {QStringLiteral("clientMsgId"), planned.clientMsgId}}},
            [this, self, index](const transport::AckReply &reply) {
                self->inFlight = false;
                const QJsonObject ack = reply.args.isEmpty() ? QJsonObject() : reply.args.first().toObject();
                if (reply.timedOut || !ack.value(QLatin1String("success")).toBool()) {
                    if (!reply.timedOut)
                        ++m_errorAcks;
                    ++m_retries; // the same clientMsgId goes again
                    return;
                }
                Planned &acked = self->plan[index];
                const QJsonObject message = ack.value(QLatin1String("message")).toObject();
                acked.messageId = ack.value(QLatin1String("messageId")).toString();
                acked.seq = ack.value(QLatin1String("seq")).toInteger();
                if (message.value(QLatin1String("clientMsgId")).toString() != acked.clientMsgId ||
                    message.value(QLatin1String("channelId")).toString() != acked.channelId ||
                    message.value(QLatin1String("id")).toString() != acked.messageId || acked.seq <= 0)
                    m_failures.append(
                        QStringLiteral("ack for %1 does not match: %2")
                            .arg(acked.clientMsgId,
                                QString::fromUtf8(QJsonDocument(ack).toJson(QJsonDocument::Compact))));
                self->next = index + 1;
            },
            std::chrono::seconds(20));
    }
}

qsizetype TestCrashDurability::ackedCount() const
{
    qsizetype acked = 0;
    for (const Sender &sender : m_senders)
        acked += sender.next;
    return acked;
}

qsizetype TestCrashDurability::plannedCount() const
{
    qsizetype planned = 0;
    for (const Sender &sender : m_senders)
        planned += sender.plan.size();
    return planned;
}

void TestCrashDurability::runPhase(qsizetype target, const QString &faultPoint)
{
    const QString secret = m_setup->config().jwtSecretFile;
    QStringList environment;
    if (!faultPoint.isEmpty()) {
        // Small enough to be reached before the senders run out of messages.
        const auto pass = QRandomGenerator::global()->bounded(1, 9);
        environment.append(QStringLiteral("PARLEY_FAULT_POINT=%1:%2").arg(faultPoint).arg(pass));
    }
    QVERIFY2(m_server.start(m_setup->dataDir(), secret, {}, environment) != 0,
        qPrintable(m_server.standardError()));
    m_readyMs.append(m_server.readyMs());
    QVERIFY(connectAll());

    const bool ended = QTest::qWaitFor(
        [&] {
            pump();
            if (!m_server.isRunning())
                return true;
            return ackedCount() >= (faultPoint.isEmpty() ? target : plannedCount());
        },
        90000);
    QVERIFY2(ended, qPrintable(QStringLiteral("stuck at %1 acked").arg(ackedCount())));
    if (faultPoint.isEmpty()) {
        m_server.kill();
    } else {
        QVERIFY2(m_server.waitForEnd(10000),
            qPrintable(QStringLiteral("every message acked, %1 never reached").arg(faultPoint)));
        QVERIFY2(m_server.crashed() &&
                m_server.standardError().contains(QStringLiteral("fault point ") + faultPoint),
            qPrintable(m_server.standardError()));
    }
    disconnectAll();
    qInfo().noquote() << QStringLiteral("killed %1 at %2 acked (ready in %3 ms)")
                             .arg(faultPoint.isEmpty() ? QStringLiteral("at random") : faultPoint)
                             .arg(ackedCount())
                             .arg(m_server.readyMs());
}

void TestCrashDurability::ackedMessagesSurviveKills()
{
    const bool longForm = envFlag("PARLEY_RELIABILITY_LONG");
    const int senderCount = longForm ? 20 : 5;
    const int perSender = longForm ? 250 : 60;
    const int randomKills = longForm ? 20 : 2;
    const int faultRounds = longForm ? 2 : 1;

    server::ServerConfig config;
    m_setup = std::make_unique<TestServer>(TestServer::Storage::TemporaryFile, config);
    QVERIFY(m_setup->start());
    QList<TestServer::Account> accounts;
    for (int i = 0; i < senderCount; ++i)
        accounts.append(m_setup->createUser(QStringLiteral("sender%1").arg(i)));
    for (int c = 0; c < 3; ++c) {
        const auto channel =
            m_setup->createChannel(QStringLiteral("durable-%1").arg(c), accounts.first().user.id);
        QVERIFY(!channel.id.isEmpty());
        for (int i = 1; i < senderCount; ++i)
            m_setup->addMember(channel.id, accounts.at(i).user.id);
        m_channels.append(channel.id);
    }
    for (int i = 0; i < senderCount; ++i) {
        Sender sender;
        sender.userId = accounts.at(i).user.id;
        sender.token = accounts.at(i).token;
        QVERIFY(!sender.token.isEmpty());
        for (int k = 0; k < perSender; ++k) {
            const QString id = QStringLiteral("s%1-m%2").arg(i).arg(k);
            sender.plan.append({id, m_channels.at((i + k) % 3), QStringLiteral("message ") + id, {}, 0});
        }
        m_senders.push_back(std::move(sender));
    }
    QVERIFY(m_setup->stop());

    // The kill schedule: random moments spread over the run, each fault point in between.
    QStringList schedule;
    for (int round = 0; round < faultRounds; ++round)
        schedule << QStringLiteral("before-commit") << QStringLiteral("after-commit-before-ack")
                 << QStringLiteral("mid-broadcast");
    for (int i = 0; i < randomKills; ++i)
        schedule.insert(QRandomGenerator::global()->bounded(schedule.size() + 1), QString());
    const qsizetype total = plannedCount();
    const qsizetype step = total / (schedule.size() + 1);

    QElapsedTimer clock;
    clock.start();
    for (qsizetype k = 0; k < schedule.size(); ++k) {
        const qsizetype jitter = QRandomGenerator::global()->bounded(qMax<qsizetype>(step / 2, 1));
        runPhase(std::min(total - 1, step * (k + 1) + jitter), schedule.at(k));
        if (QTest::currentTestFailed())
            return;
    }
    // The last run: everything left, then one more SIGKILL before looking.
    runPhase(total, {});
    if (QTest::currentTestFailed())
        return;
    const qint64 elapsedMs = clock.elapsed();
    QCOMPARE(ackedCount(), total);
    QVERIFY2(m_failures.isEmpty(), qPrintable(m_failures.join(QLatin1Char('\n'))));

    DatabaseView db(QDir(m_setup->dataDir()).filePath(QStringLiteral("parley.db")));
    QVERIFY(db.isOpen());
    QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));

    // Every row, by id.
    struct Row
    {
        QString channelId;
        qint64 seq;
        QString userId;
        QString clientMsgId;
    };
    QHash<QString, Row> rows;
    QHash<QString, QString> idByClientMsgId; // "user/clientMsgId" -> id
    QSqlQuery all =
        db.query(QStringLiteral("SELECT id, channel_id, seq, user_id, client_msg_id FROM messages"));
    while (all.next()) {
        const QString id = all.value(0).toString();
        const Row row {all.value(1).toString(), all.value(2).toLongLong(), all.value(3).toString(),
            all.value(4).toString()};
        rows.insert(id, row);
        const QString key = row.userId + QLatin1Char('/') + row.clientMsgId;
        QVERIFY2(!idByClientMsgId.contains(key), qPrintable(QStringLiteral("duplicate row for ") + key));
        idByClientMsgId.insert(key, id);
    }
    QCOMPARE(rows.size(), total); // every planned message once, nothing else

    for (const Sender &sender : std::as_const(m_senders)) {
        for (const Planned &planned : sender.plan) {
            const QString key = sender.userId + QLatin1Char('/') + planned.clientMsgId;
            QVERIFY2(idByClientMsgId.value(key) == planned.messageId,
                qPrintable(QStringLiteral("%1 acked as %2, stored as %3")
                               .arg(planned.clientMsgId, planned.messageId, idByClientMsgId.value(key))));
            const Row row = rows.value(planned.messageId);
            QCOMPARE(row.seq, planned.seq);
            QCOMPARE(row.channelId, planned.channelId);
        }
    }
    for (const Seen &seen : std::as_const(m_seen)) {
        QVERIFY2(
            rows.contains(seen.id), qPrintable(QStringLiteral("message:new %1 has no row").arg(seen.id)));
        QCOMPARE(rows.value(seen.id).seq, seen.seq);
        QCOMPARE(rows.value(seen.id).channelId, seen.channelId);
        QCOMPARE(rows.value(seen.id).clientMsgId, seen.clientMsgId);
    }
    for (const QString &channelId : std::as_const(m_channels)) {
        QSqlQuery seqs =
            db.query(QStringLiteral("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM messages "
                                    "WHERE channel_id = %1")
                         .arg(channelId.toLongLong()));
        QVERIFY(seqs.next());
        const qint64 count = seqs.value(0).toLongLong();
        QVERIFY(count > 0);
        QCOMPARE(seqs.value(1).toLongLong(), count);
        QCOMPARE(seqs.value(2).toLongLong(), 1);
        QCOMPARE(seqs.value(3).toLongLong(), count); // 1..count, no gap
    }

    qint64 readySum = 0;
    qint64 readyMax = 0;
    for (const qint64 ms : std::as_const(m_readyMs)) {
        readySum += ms;
        readyMax = std::max(readyMax, ms);
    }
    qInfo().noquote() << QStringLiteral(
        "FIGURES: %1 acked by %2 senders across %3 kills in %4 ms (%5 msg/s under crash load, "
        "restarts included); restart to ready: mean %6 ms, max %7 ms; %8 retries, %9 error acks, "
        "%10 message:new seen")
                             .arg(total)
                             .arg(senderCount)
                             .arg(schedule.size() + 1)
                             .arg(elapsedMs)
                             .arg(elapsedMs > 0 ? total * 1000 / elapsedMs : 0)
                             .arg(readySum / std::max<qsizetype>(m_readyMs.size(), 1))
                             .arg(readyMax)
                             .arg(m_retries)
                             .arg(m_errorAcks)
                             .arg(m_seen.size());
}

QTEST_GUILESS_MAIN(TestCrashDurability)
#include "tst_crashdurability.moc"
