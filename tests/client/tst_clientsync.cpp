#include "protocol/catalogue.h"
#include "sessiontestsupport.h"
#include "store/chatstore.h"

#include <QElapsedTimer>
#include <QTest>

using namespace parley::client;
using namespace parley::client::test;
using parley::protocol::ErrorCode;
using parley::protocol::Message;
using parley::server::ServerConfig;
using parley::server::test::TestClient;
using parley::server::test::TestServer;
using Stage = ClientSession::Stage;

namespace {

// The channel's whole history as the server holds it, oldest first.
QList<Message> serverHistory(TestServer &server, const QString &channelId)
{
    const auto page = server.server().store().messages().history(channelId, std::nullopt, std::nullopt, 1000);
    return page ? page->messages : QList<Message> {};
}

} // namespace

class TestClientSync : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_cacheDir.isValid()); }

    void messagesTypedWhileDownArriveOnceInOrder()
    {
        TestServer server(TestServer::Storage::TemporaryFile);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto general = server.createChannel(QStringLiteral("general"), alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        DeliveryRecorder recorder(session);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);

        QVERIFY(server.stop());
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Reconnecting, 10000);
        QStringList typed;
        QHash<QString, QList<MessageState>> states;
        connect(&session, &ClientSession::messageStateChanged, this,
            [&](const QString &id, MessageState state) { states[id].append(state); });
        for (int i = 0; i < 50; ++i)
            typed.append(session.sendMessage(general.id, QStringLiteral("offline %1").arg(i)));
        QCOMPARE(session.outbox().size(), 50);
        QVERIFY(std::all_of(typed.begin(), typed.end(), [](const QString &id) { return !id.isEmpty(); }));

        QVERIFY(server.start());
        QTRY_VERIFY_WITH_TIMEOUT(session.outbox().isEmpty(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(recorder.count(general.id) == 50, 10000);

        const QList<Message> stored = serverHistory(server, general.id);
        QCOMPARE(stored.size(), 50);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(stored[i].seq, i + 1);
            QCOMPARE(stored[i].content, QStringLiteral("offline %1").arg(i));
            QCOMPARE(stored[i].clientMsgId, typed[i]);
            QCOMPARE(
                states.value(typed[i]), (QList<MessageState> {MessageState::Pending, MessageState::Sent}));
        }
        QVERIFY(recorder.isExactlyOneToN(general.id, 50));
        QCOMPARE(recorder.delivered(general.id).at(7).clientMsgId, typed[7]);
    }

    void appRestartKeepsTheOutbox()
    {
        TestServer server(TestServer::Storage::TemporaryFile);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto general = server.createChannel(QStringLiteral("general"), alice.user.id);
        const SessionOptions options = optionsFor(server, QStringLiteral("alice"), m_cacheDir.path());
        QStringList typed;
        {
            ClientSession first(options);
            first.start(alice.token);
            QTRY_COMPARE_WITH_TIMEOUT(first.stage(), Stage::Ready, 10000);
            typed.append(first.sendMessage(general.id, QStringLiteral("before the outage")));
            QTRY_VERIFY_WITH_TIMEOUT(first.outbox().isEmpty(), 10000);
            QVERIFY(server.stop());
            QTRY_COMPARE_WITH_TIMEOUT(first.stage(), Stage::Reconnecting, 10000);
            for (int i = 0; i < 20; ++i)
                typed.append(first.sendMessage(general.id, QStringLiteral("typed %1").arg(i)));
            // The app quits here with everything still pending.
        }
        QVERIFY(server.start());
        ClientSession second(options);
        const QList<OutboxEntry> kept = second.outbox();
        QCOMPARE(kept.size(), 20);
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(kept[i].clientMsgId, typed[i + 1]);
            QCOMPARE(kept[i].state, MessageState::Pending);
        }
        // The cache also still has what was delivered before the restart.
        QCOMPARE(second.cachedMessages(general.id).size(), 1);
        DeliveryRecorder recorder(second);
        second.start(alice.token);
        QTRY_VERIFY_WITH_TIMEOUT(second.outbox().isEmpty(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(general.id), 20, 10000);
        const QList<Message> stored = serverHistory(server, general.id);
        QCOMPARE(stored.size(), 21);
        for (int i = 0; i < 21; ++i)
            QCOMPARE(stored[i].clientMsgId, typed[i]);
        QCOMPARE(recorder.delivered(general.id).first().seq, 2); // seq 1 was delivered before
    }

    void offlineCatchUpFetchesExactlyTheGap()
    {
        TestServer server(TestServer::Storage::TemporaryFile);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto bob = server.createUser(QStringLiteral("bob"));
        const auto general = server.createChannel(QStringLiteral("general"), bob.user.id);
        server.addMember(general.id, alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        DeliveryRecorder recorder(session);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        session.stop();

        for (int i = 0; i < 200; ++i) {
            QVERIFY(server.server().store().messages().appendMessage(
                general.id, bob.user.id, QStringLiteral("while away %1").arg(i)));
        }
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(general.id), 200, 20000);
        QVERIFY(recorder.isExactlyOneToN(general.id, 200));
        QCOMPARE(recorder.delivered(general.id).at(199).content, QStringLiteral("while away 199"));
        auto channel = session.channels();
        QCOMPARE(channel.size(), 1);
        QCOMPARE(channel.first().unreadCount(), 200);
        session.markRead(general.id, 150);
        QCOMPARE(session.channels().first().unreadCount(), 50);

        // Once more after a server restart: nothing new, nothing delivered again.
        QVERIFY(server.restart());
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 15000);
        QVERIFY(server.server().store().messages().appendMessage(
            general.id, bob.user.id, QStringLiteral("one more")));
        session.stop();
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(general.id), 201, 10000);
        QVERIFY(recorder.isExactlyOneToN(general.id, 201));
        QCOMPARE(session.cachedMessages(general.id, 500).size(), 201);
    }

    void skippedSeqTriggersBackfill()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto bob = server.createUser(QStringLiteral("bob"));
        const auto general = server.createChannel(QStringLiteral("general"), bob.user.id);
        server.addMember(general.id, alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        DeliveryRecorder recorder(session);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);

        // Seqs 1-3 are committed without a broadcast; Bob's send (seq 4) is the
        // first message:new the session hears, and it skips ahead.
        for (int i = 0; i < 3; ++i)
            QVERIFY(server.server().store().messages().appendMessage(
                general.id, bob.user.id, QStringLiteral("quiet %1").arg(i)));
        TestClient bobClient(server.url());
        QVERIFY(bobClient.connectMain(bob.token));
        QVERIFY(parley::server::test::isSuccess(bobClient.request(parley::protocol::event::MessageSend,
            QJsonObject {{QStringLiteral("channelId"), general.id},
                {QStringLiteral("content"), QStringLiteral("loud")}})));
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(general.id), 4, 10000);
        QVERIFY(recorder.isExactlyOneToN(general.id, 4));
        QCOMPARE(recorder.delivered(general.id).at(0).content, QStringLiteral("quiet 0"));
        QCOMPARE(recorder.delivered(general.id).at(3).content, QStringLiteral("loud"));
    }

    void rateLimitingSlowsTheOutboxWithoutLosingOrder()
    {
        ServerConfig config;
        config.limits.eventRate = 3;
        config.limits.eventBurst = 3;
        TestServer server(TestServer::Storage::Memory, config);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto general = server.createChannel(QStringLiteral("general"), alice.user.id);
        const auto random = server.createChannel(QStringLiteral("random"), alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        int rateLimited = 0;
        connect(&session, &ClientSession::eventReceived, this,
            [&](const parley::transport::IncomingEvent &event) {
                if (event.name == parley::protocol::event::MessageError &&
                    event.args.first().toObject().value(QStringLiteral("code")).toString() ==
                        QStringLiteral("RATE_LIMITED"))
                    ++rateLimited;
            });
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QStringList typed;
        for (int i = 0; i < 12; ++i)
            typed.append(
                session.sendMessage(i % 3 ? general.id : random.id, QStringLiteral("fast %1").arg(i)));
        QTRY_VERIFY_WITH_TIMEOUT(session.outbox().isEmpty(), 30000);
        QVERIFY2(rateLimited > 0, "the server never limited the outbox: the test proves nothing");
        for (const QString &channelId : {general.id, random.id}) {
            const auto stored = serverHistory(server, channelId);
            QStringList expected;
            for (int i = 0; i < 12; ++i) {
                if ((channelId == general.id) == bool(i % 3))
                    expected.append(typed[i]);
            }
            QStringList actual;
            for (const Message &message : stored)
                actual.append(message.clientMsgId);
            QCOMPARE(actual, expected);
        }
    }

    void outboxSendsAtMostTenASecond()
    {
        ServerConfig config;
        config.limits.eventRate = 1000; // only the client's own pacing applies
        config.limits.eventBurst = 1000;
        TestServer server(TestServer::Storage::Memory, config);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto general = server.createChannel(QStringLiteral("general"), alice.user.id);
        const auto random = server.createChannel(QStringLiteral("random"), alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QElapsedTimer clock;
        clock.start();
        // Two channels, so the one-in-flight-per-channel rule alone would not slow it.
        for (int i = 0; i < 20; ++i)
            session.sendMessage(i % 2 ? general.id : random.id, QStringLiteral("paced %1").arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(session.outbox().isEmpty(), 20000);
        // 20 sends at 100 ms spacing: the last leaves 1.9 s after the first.
        QVERIFY2(clock.elapsed() >= 1850, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(serverHistory(server, general.id).size() + serverHistory(server, random.id).size(), 20);
    }

    void refusedMessageFailsAndResendSucceeds()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto bob = server.createUser(QStringLiteral("bob"));
        const auto mine = server.createChannel(QStringLiteral("mine"), alice.user.id);
        const auto bobs = server.createChannel(QStringLiteral("bobs"), bob.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QSignalSpy states(&session, &ClientSession::messageStateChanged);
        const QString refused = session.sendMessage(bobs.id, QStringLiteral("not a member"));
        const QString fine = session.sendMessage(mine.id, QStringLiteral("fine"));
        QTRY_VERIFY_WITH_TIMEOUT(session.outbox().size() == 1, 10000);
        const OutboxEntry failed = session.outbox().first();
        QCOMPARE(failed.clientMsgId, refused);
        QCOMPARE(failed.state, MessageState::Failed);
        QCOMPARE(failed.error->code, ErrorCode::Forbidden);
        QCOMPARE(serverHistory(server, mine.id).size(), 1);
        QCOMPARE(serverHistory(server, mine.id).first().clientMsgId, fine);

        server.addMember(bobs.id, alice.user.id);
        session.resend(refused);
        QTRY_VERIFY_WITH_TIMEOUT(session.outbox().isEmpty(), 10000);
        QCOMPARE(serverHistory(server, bobs.id).size(), 1);
        QCOMPARE(serverHistory(server, bobs.id).first().clientMsgId, refused);
        QCOMPARE(states.last().at(0).toString(), refused);
        QCOMPARE(states.last().at(1).value<MessageState>(), MessageState::Sent);
    }

    void firstSightLoadsTheNewestPageThenOlderOnRequest()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto general = server.createChannel(QStringLiteral("general"), alice.user.id);
        for (int i = 1; i <= 230; ++i)
            QVERIFY(server.server().store().messages().appendMessage(
                general.id, alice.user.id, QStringLiteral("m%1").arg(i)));
        SessionOptions options = optionsFor(server, QStringLiteral("alice"), m_cacheDir.path());
        options.historyPage = 100;
        ClientSession session(options);
        DeliveryRecorder recorder(session);
        QSignalSpy older(&session, &ClientSession::olderMessagesLoaded);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(general.id), 100, 10000);
        QCOMPARE(recorder.delivered(general.id).first().seq, 131);
        QCOMPARE(recorder.delivered(general.id).last().seq, 230);

        session.loadOlderMessages(general.id, 131, 50);
        QTRY_COMPARE_WITH_TIMEOUT(older.size(), 1, 10000);
        auto page = older.takeFirst();
        auto messages = page.at(1).value<QList<Message>>();
        QCOMPARE(messages.size(), 50);
        QCOMPARE(messages.first().seq, 81);
        QCOMPARE(messages.last().seq, 130);
        QVERIFY(page.at(2).toBool());

        // The same page again comes from the cache, also offline.
        session.stop();
        session.loadOlderMessages(general.id, 131, 50);
        QTRY_COMPARE_WITH_TIMEOUT(older.size(), 1, 10000);
        messages = older.takeFirst().at(1).value<QList<Message>>();
        QCOMPARE(messages.size(), 50);
        QCOMPARE(messages.first().seq, 81);
        QCOMPARE(recorder.count(general.id), 100); // nothing delivered twice
    }

    void channelMembershipFollowsTheServer()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const auto bob = server.createUser(QStringLiteral("bob"));
        const auto lobby = server.createChannel(QStringLiteral("lobby"), bob.user.id);
        for (int i = 1; i <= 3; ++i)
            QVERIFY(server.server().store().messages().appendMessage(
                lobby.id, bob.user.id, QStringLiteral("l%1").arg(i)));
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        DeliveryRecorder recorder(session);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QVERIFY(session.channels().isEmpty());

        std::optional<AckResult> created;
        session.createChannel(QStringLiteral("mine"), QStringLiteral("a topic"), false,
            [&](const AckResult &result) { created = result; });
        QTRY_VERIFY_WITH_TIMEOUT(created.has_value(), 10000);
        QVERIFY(created->succeeded());
        QTRY_COMPARE_WITH_TIMEOUT(session.channels().size(), 1, 10000);
        QCOMPARE(session.channels().first().channel.topic, QStringLiteral("a topic"));

        session.joinChannel(lobby.id);
        QTRY_COMPARE_WITH_TIMEOUT(session.channels().size(), 2, 10000);
        // A joined channel's history comes with it.
        QTRY_COMPARE_WITH_TIMEOUT(recorder.count(lobby.id), 3, 10000);
        QVERIFY(recorder.isExactlyOneToN(lobby.id, 3));

        std::optional<AckResult> left;
        session.leaveChannel(lobby.id, [&](const AckResult &result) { left = result; });
        QTRY_COMPARE_WITH_TIMEOUT(session.channels().size(), 1, 10000);
        QVERIFY(left && left->succeeded());

        std::optional<AckResult> refused;
        session.leaveChannel(lobby.id, [&](const AckResult &result) { refused = result; });
        QTRY_VERIFY_WITH_TIMEOUT(refused.has_value(), 10000);
        QCOMPARE(refused->error.code, ErrorCode::NotFound);

        session.stop();
        std::optional<AckResult> offline;
        session.joinChannel(lobby.id, [&](const AckResult &result) { offline = result; });
        QTRY_VERIFY_WITH_TIMEOUT(offline.has_value(), 10000);
        QCOMPARE(offline->status, AckResult::Status::NoReply);
    }

private:
    QTemporaryDir m_cacheDir;
};

QTEST_GUILESS_MAIN(TestClientSync)
#include "tst_clientsync.moc"
