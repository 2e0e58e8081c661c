#include "protocol/catalogue.h"
#include "reliabilitysupport.h"
#include "serverharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace parley;
using namespace parley::reliability;
using namespace parley::server::test;

// The same clientMsgId sent 100 times — in one burst (repeats
// joining a send still waiting for its commit), one after another, across a
// reconnect and across a server restart — is one row and one message:new, and
// every one of the 100 acks is the same.
class TestIdempotentRetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameClientMsgIdHundredTimes();

private:
    // Sends the retry `count` times without waiting in between; returns the acks.
    QList<QJsonObject> burst(TestClient &client, int count);

    QString m_channelId;
};

namespace {

const QString RetriedId = QStringLiteral("retry-me-0001");

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

QList<QJsonObject> TestIdempotentRetry::burst(TestClient &client, int count)
{
    auto acks = std::make_shared<QList<QJsonObject>>();
    auto answered = std::make_shared<int>(0);
    for (int i = 0; i < count; ++i) {
        client.connection().emitWithAck(QStringLiteral("/"), protocol::event::MessageSend,
            QJsonArray {QJsonObject {{QStringLiteral("channelId"), m_channelId},
                {QStringLiteral("content"), QStringLiteral("said once")},
                {QStringLiteral("clientMsgId"), RetriedId}}},
            [acks, answered](const transport::AckReply &reply) {
                ++*answered;
                if (!reply.timedOut && !reply.args.isEmpty())
                    acks->append(reply.args.first().toObject());
            });
    }
    if (!QTest::qWaitFor([&] { return *answered == count; }, 30000))
        qWarning() << "burst: only" << *answered << "of" << count << "answered";
    return *acks;
}

void TestIdempotentRetry::sameClientMsgIdHundredTimes()
{
    server::ServerConfig config;
    config.limits.eventRate = 10000;
    config.limits.eventBurst = 20000;
    config.limits.userEventRate = 10000;
    config.limits.userEventBurst = 20000;
    TestServer server(TestServer::Storage::TemporaryFile, config);
    QVERIFY(server.start());
    const auto alice = server.createUser(QStringLiteral("alice"));
    const auto bob = server.createUser(QStringLiteral("bob"));
    const auto channel = server.createChannel(QStringLiteral("retries"), alice.user.id);
    server.addMember(channel.id, bob.user.id);
    m_channelId = channel.id;

    QList<QJsonObject> acks;
    qsizetype bobSawIt = 0;
    auto countSeen = [&bobSawIt](const TestClient &watcher) {
        for (const ReceivedEvent &event : watcher.eventsNamed(protocol::event::MessageNew)) {
            if (event.payload.toObject().value(QLatin1String("clientMsgId")).toString() == RetriedId)
                ++bobSawIt;
        }
    };
    // Ends a stretch: a different message from alice, whose message:new reaches
    // bob after any broadcast of the retried one on that connection.
    auto fence = [&](TestClient &sender, TestClient &watcher, const QString &id) {
        const auto ack = sender.request(protocol::event::MessageSend,
            QJsonObject {{QStringLiteral("channelId"), channel.id}, {QStringLiteral("content"), id},
                {QStringLiteral("clientMsgId"), id}});
        QVERIFY(isSuccess(ack));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const ReceivedEvent &event : watcher.eventsNamed(protocol::event::MessageNew)) {
                    if (event.payload.toObject().value(QLatin1String("clientMsgId")).toString() == id)
                        return true;
                }
                return false;
            },
            30000));
    };

    {
        auto sender = std::make_unique<TestClient>(server.url());
        auto watcher = std::make_unique<TestClient>(server.url());
        QVERIFY(sender->connectMain(alice.token));
        QVERIFY(watcher->connectMain(bob.token));
        acks += burst(*sender, 20); // most join the first while it waits for its commit
        for (int i = 0; i < 20; ++i)
            acks += burst(*sender, 1);
        fence(*sender, *watcher, QStringLiteral("fence-1"));
        countSeen(*watcher);
    }
    {
        // A reconnect: a new connection, the retry answered from the database.
        auto sender = std::make_unique<TestClient>(server.url());
        auto watcher = std::make_unique<TestClient>(server.url());
        QVERIFY(sender->connectMain(alice.token));
        QVERIFY(watcher->connectMain(bob.token));
        acks += burst(*sender, 10);
        for (int i = 0; i < 20; ++i)
            acks += burst(*sender, 1);
        fence(*sender, *watcher, QStringLiteral("fence-2"));
        countSeen(*watcher);
    }
    QVERIFY(server.restart());
    {
        auto sender = std::make_unique<TestClient>(server.url());
        auto watcher = std::make_unique<TestClient>(server.url());
        QVERIFY(sender->connectMain(alice.token));
        QVERIFY(watcher->connectMain(bob.token));
        acks += burst(*sender, 10);
        for (int i = 0; i < 20; ++i)
            acks += burst(*sender, 1);
        fence(*sender, *watcher, QStringLiteral("fence-3"));
        countSeen(*watcher);
    }

    QCOMPARE(acks.size(), 100);
    QVERIFY2(acks.first().value(QLatin1String("success")).toBool(), qPrintable(compact(acks.first())));
    for (const QJsonObject &ack : std::as_const(acks))
        QCOMPARE(compact(ack), compact(acks.first()));
    QCOMPARE(bobSawIt, 1);

    const QString dataDir = server.dataDir();
    QVERIFY(server.stop());
    DatabaseView db(QDir(dataDir).filePath(QStringLiteral("parley.db")));
    QVERIFY(db.isOpen());
    QSqlQuery rows =
        db.query(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_msg_id = '%1'").arg(RetriedId));
    QVERIFY(rows.next());
    QCOMPARE(rows.value(0).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestIdempotentRetry)
#include "tst_idempotentretry.moc"
