#include "protocol/catalogue.h"
#include "serverharness.h"
#include "session/clientsession.h"
#include "store/chatstore.h"

#include <QHash>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace parley;
using namespace parley::client;
using namespace parley::server::test;
using namespace std::chrono_literals;
using Stage = ClientSession::Stage;

// A ClientSession away while 500 messages land in three
// channels gets exactly those when it is back — in seq order, none twice, none
// missing — also when the server restarted meanwhile, and when the app itself
// restarted with messages still waiting in its outbox.
class TestCatchUp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void offlineSessionGetsExactlyWhatItMissed();
    void serverRestartedWhileAway();
    void appRestartedWithAPendingOutbox();

private:
    SessionOptions options() const;
    std::unique_ptr<ClientSession> startSession();
    // Bob sends `count` messages round-robin into the channels, pipelined, each
    // acked; returns when every ack is in.
    void bobSends(int count, const QString &tag);
    QList<protocol::Message> history(const QString &channelId);
    // The session delivered exactly the server's messages after `after`, in order.
    void verifyDelivered(qint64 after, const QString &channelId);
    QHash<QString, qint64> lastSeqs();

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<QTemporaryDir> m_cacheDir;
    TestServer::Account m_alice;
    TestServer::Account m_bob;
    QStringList m_channels;
    QHash<QString, QList<protocol::Message>> m_delivered; // what the session handed up
};

void TestCatchUp::init()
{
    server::ServerConfig config;
    config.limits.eventRate = 10000;
    config.limits.eventBurst = 20000;
    config.limits.userEventRate = 10000;
    config.limits.userEventBurst = 20000;
    m_server = std::make_unique<TestServer>(TestServer::Storage::TemporaryFile, config);
    QVERIFY(m_server->start());
    m_cacheDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_cacheDir->isValid());
    m_alice = m_server->createUser(QStringLiteral("alice"));
    m_bob = m_server->createUser(QStringLiteral("bob"));
    m_channels.clear();
    m_delivered.clear();
    for (int c = 0; c < 3; ++c) {
        const auto channel = m_server->createChannel(QStringLiteral("room-%1").arg(c), m_bob.user.id);
        m_server->addMember(channel.id, m_alice.user.id);
        m_channels.append(channel.id);
    }
}

void TestCatchUp::cleanup()
{
    m_server.reset();
    m_cacheDir.reset();
}

SessionOptions TestCatchUp::options() const
{
    SessionOptions options;
    options.server = ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_server->port())));
    options.account = QStringLiteral("alice");
    options.cacheDir = m_cacheDir->path();
    options.reconnectBase = 50ms;
    options.reconnectMax = 400ms;
    return options;
}

std::unique_ptr<ClientSession> TestCatchUp::startSession()
{
    auto session = std::make_unique<ClientSession>(options());
    connect(session.get(), &ClientSession::messagesArrived, this,
        [this](const QString &channelId, const QList<protocol::Message> &messages) {
            m_delivered[channelId].append(messages);
        });
    return session;
}

void TestCatchUp::bobSends(int count, const QString &tag)
{
    TestClient bob(m_server->url());
    QVERIFY(bob.connectMain(m_bob.token));
    auto acked = std::make_shared<int>(0);
    auto failed = std::make_shared<int>(0);
    for (int i = 0; i < count; ++i) {
        const QString id = QStringLiteral("%1-%2").arg(tag).arg(i);
        bob.connection().emitWithAck(
            QStringLiteral("/"), protocol::event::MessageSend,
            QJsonArray {QJsonObject {{QStringLiteral("channelId"), m_channels.at(i % m_channels.size())},
                {QStringLiteral("content"), QStringLiteral("bob ") + id},
                {QStringLiteral("clientMsgId"), id}}},
            [acked, failed](const transport::AckReply &reply) {
                const bool ok = !reply.timedOut && !reply.args.isEmpty() &&
                    reply.args.first().toObject().value(QLatin1String("success")).toBool();
                ++*(ok ? acked : failed);
            },
            30s);
    }
    QVERIFY(QTest::qWaitFor([&] { return *acked + *failed == count; }, 60000));
    QCOMPARE(*failed, 0);
}

QList<protocol::Message> TestCatchUp::history(const QString &channelId)
{
    const auto page =
        m_server->server().store().messages().history(channelId, std::nullopt, std::nullopt, 5000);
    return page ? page->messages : QList<protocol::Message> {};
}

QHash<QString, qint64> TestCatchUp::lastSeqs()
{
    QHash<QString, qint64> last;
    for (const QString &channelId : std::as_const(m_channels)) {
        const auto messages = history(channelId);
        last.insert(channelId, messages.isEmpty() ? 0 : messages.last().seq);
    }
    return last;
}

void TestCatchUp::verifyDelivered(qint64 after, const QString &channelId)
{
    QList<protocol::Message> expected;
    for (const protocol::Message &message : history(channelId)) {
        if (message.seq > after)
            expected.append(message);
    }
    const QList<protocol::Message> got = m_delivered.value(channelId);
    QCOMPARE(got.size(), expected.size());
    for (qsizetype i = 0; i < got.size(); ++i) {
        QCOMPARE(got.at(i).seq, expected.at(i).seq);
        QCOMPARE(got.at(i).id, expected.at(i).id);
        QCOMPARE(got.at(i).content, expected.at(i).content);
    }
}

void TestCatchUp::offlineSessionGetsExactlyWhatItMissed()
{
    auto session = startSession();
    session->start(m_alice.token);
    QTRY_COMPARE_WITH_TIMEOUT(session->stage(), Stage::Ready, 30000);
    bobSends(30, QStringLiteral("live"));
    QTRY_COMPARE_WITH_TIMEOUT(m_delivered.value(m_channels.last()).size(), 10, 30000);
    session->stop();
    const auto before = lastSeqs();
    m_delivered.clear();

    bobSends(500, QStringLiteral("away"));
    session->start(m_alice.token);
    qsizetype total = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (total = m_delivered.value(m_channels.at(0)).size() + m_delivered.value(m_channels.at(1)).size() +
                m_delivered.value(m_channels.at(2)).size()) >= 500,
        30000);
    QCOMPARE(total, 500);
    for (const QString &channelId : std::as_const(m_channels))
        verifyDelivered(before.value(channelId), channelId);
}

void TestCatchUp::serverRestartedWhileAway()
{
    auto session = startSession();
    session->start(m_alice.token);
    QTRY_COMPARE_WITH_TIMEOUT(session->stage(), Stage::Ready, 30000);
    bobSends(9, QStringLiteral("live"));
    QTRY_COMPARE_WITH_TIMEOUT(m_delivered.value(m_channels.last()).size(), 3, 30000);
    session->stop();
    const auto before = lastSeqs();
    m_delivered.clear();

    bobSends(250, QStringLiteral("away-a"));
    QVERIFY(m_server->restart());
    bobSends(250, QStringLiteral("away-b"));
    session->start(m_alice.token);
    qsizetype total = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (total = m_delivered.value(m_channels.at(0)).size() + m_delivered.value(m_channels.at(1)).size() +
                m_delivered.value(m_channels.at(2)).size()) >= 500,
        30000);
    QCOMPARE(total, 500);
    for (const QString &channelId : std::as_const(m_channels))
        verifyDelivered(before.value(channelId), channelId);
}

void TestCatchUp::appRestartedWithAPendingOutbox()
{
    QHash<QString, qint64> before;
    QStringList typed;
    {
        auto session = startSession();
        session->start(m_alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session->stage(), Stage::Ready, 30000);
        bobSends(6, QStringLiteral("live"));
        QTRY_COMPARE_WITH_TIMEOUT(m_delivered.value(m_channels.last()).size(), 2, 30000);
        before = lastSeqs();
        QVERIFY(m_server->stop());
        QTRY_COMPARE_WITH_TIMEOUT(session->stage(), Stage::Reconnecting, 30000);
        for (int i = 0; i < 30; ++i) {
            typed.append(session->sendMessage(m_channels.at(i % 3), QStringLiteral("alice typed %1").arg(i)));
            QVERIFY(!typed.last().isEmpty());
        }
        QCOMPARE(session->outbox().size(), 30);
        // The app quits here, its outbox full.
    }
    m_delivered.clear();
    QVERIFY(m_server->start());
    bobSends(500, QStringLiteral("away"));

    auto session = startSession();
    QCOMPARE(session->outbox().size(), 30);
    session->start(m_alice.token);
    QTRY_VERIFY_WITH_TIMEOUT(session->outbox().isEmpty(), 60000);
    qsizetype total = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (total = m_delivered.value(m_channels.at(0)).size() + m_delivered.value(m_channels.at(1)).size() +
                m_delivered.value(m_channels.at(2)).size()) >= 530,
        30000);
    QCOMPARE(total, 530);
    for (const QString &channelId : std::as_const(m_channels))
        verifyDelivered(before.value(channelId), channelId);
    // Each typed message stored once, under the id the outbox gave it.
    QSet<QString> stored;
    for (const QString &channelId : std::as_const(m_channels)) {
        for (const protocol::Message &message : history(channelId)) {
            if (message.userId == m_alice.user.id) {
                QVERIFY2(!stored.contains(message.clientMsgId), qPrintable(message.clientMsgId));
                stored.insert(message.clientMsgId);
            }
        }
    }
    QCOMPARE(stored, QSet<QString>(typed.begin(), typed.end()));
}

QTEST_GUILESS_MAIN(TestCatchUp)
#include "tst_catchup.moc"
