#include "auth/secretkey.h"
#include "auth/tokensigner.h"
#include "protocol/catalogue.h"
#include "session/tokenstore.h"
#include "sessiontestsupport.h"
#include "store/chatstore.h"

#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace parley::client;
using namespace parley::client::test;
using parley::protocol::ErrorCode;
using parley::server::ServerConfig;
using parley::server::test::TestServer;
using Stage = ClientSession::Stage;

class TestClientSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_cacheDir.isValid()); }

    void stagesInOrder()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        server.createChannel(QStringLiteral("general"), alice.user.id);
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        QVERIFY(!session.cacheError());
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QSignalSpy channels(&session, &ClientSession::channelsChanged);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QCOMPARE(stagesOf(stages),
            (QList<Stage> {Stage::Connecting, Stage::Authenticating, Stage::JoiningRooms, Stage::Ready}));
        QVERIFY(channels.size() >= 1);
        QCOMPARE(session.user().username, QStringLiteral("alice"));
        QCOMPARE(session.channels().size(), 1);
        QCOMPARE(session.channels().first().channel.name, QStringLiteral("general"));
        QVERIFY(session.cachePath().startsWith(m_cacheDir.path()));
        QVERIFY(QFile::exists(session.cachePath()));

        session.stop();
        QCOMPARE(session.stage(), Stage::Disconnected);
    }

    void refusedTokenFailsWithoutRetry_data()
    {
        QTest::addColumn<bool>("expired");
        QTest::newRow("invalid") << false;
        QTest::newRow("expired") << true;
    }

    void refusedTokenFailsWithoutRetry()
    {
        QFETCH(bool, expired);
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        const QString token =
            expired ? server.expiredTokenFor(alice.user.id) : alice.token + QStringLiteral("x");
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QSignalSpy errors(&session, &ClientSession::errorOccurred);
        session.start(token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Failed, 10000);
        QVERIFY(session.lastError());
        QCOMPARE(session.lastError()->code, expired ? ErrorCode::AuthExpired : ErrorCode::AuthInvalid);
        QVERIFY(!session.lastError()->message.isEmpty());
        QVERIFY(!session.lastError()->message.contains(token));
        QCOMPARE(errors.size(), 1);
        // Far longer than the 50 ms back-off: nothing tries again on its own.
        QVERIFY(!QTest::qWaitFor([&] { return stages.size() > 3; }, 500));
        QCOMPARE(stagesOf(stages), (QList<Stage> {Stage::Connecting, Stage::Authenticating, Stage::Failed}));

        // Asked to, with a good token, it connects.
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QVERIFY(!session.lastError());
    }

    void serverRestartReconnects()
    {
        TestServer server(TestServer::Storage::TemporaryFile);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QSignalSpy closing(&session, &ClientSession::serverClosing);
        QSignalSpy countdown(&session, &ClientSession::secondsToReconnectChanged);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        stages.clear();

        QVERIFY(server.restart());
        QTRY_VERIFY_WITH_TIMEOUT(stagesOf(stages).contains(Stage::Reconnecting), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 15000);
        // The server said why it closed, and the session passed it on.
        QCOMPARE(closing.size(), 1);
        QCOMPARE(closing.first().first().value<SessionError>().code, ErrorCode::ServerShutdown);
        QVERIFY(countdown.size() >= 1);
        QCOMPARE(countdown.first().first().toInt(), 1);
        const auto seen = stagesOf(stages);
        QCOMPARE(seen.first(), Stage::Reconnecting);
        QCOMPARE(seen.last(), Stage::Ready);
        QVERIFY(seen.contains(Stage::JoiningRooms));
        QCOMPARE(session.secondsToReconnect(), 0);
    }

    void backOffGrowsWhileTheServerIsAway()
    {
        TestServer server(TestServer::Storage::TemporaryFile); // alice must survive the outage
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        SessionOptions options = optionsFor(server, QStringLiteral("alice"), m_cacheDir.path());
        options.reconnectBase = 20ms;
        options.reconnectMax = 80ms;
        ClientSession session(options);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QVERIFY(server.stop());
        // Several attempts fail (Connecting → Reconnecting each time); none gives up.
        QTRY_VERIFY_WITH_TIMEOUT(stagesOf(stages).count(Stage::Connecting) >= 4, 15000);
        QVERIFY(!stagesOf(stages).contains(Stage::Failed));
        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 15000);
    }

    void deadServerNoticedFromMissingPings()
    {
        // A server that opens the session and then goes silent: no pings, no close.
        QWebSocketServer silent(QStringLiteral("silent"), QWebSocketServer::NonSecureMode);
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QWebSocket *> sockets;
        connect(&silent, &QWebSocketServer::newConnection, this, [&] {
            QWebSocket *socket = silent.nextPendingConnection();
            socket->setParent(&silent);
            sockets.append(socket);
            socket->sendTextMessage(QStringLiteral(
                R"(0{"sid":"s1","upgrades":[],"pingInterval":200,"pingTimeout":200,"maxPayload":1000000})"));
            connect(socket, &QWebSocket::textMessageReceived, socket, [socket](const QString &text) {
                if (text.startsWith(QLatin1String("40")))
                    socket->sendTextMessage(QStringLiteral(R"(40{"sid":"n1"})"));
            });
        });
        SessionOptions options;
        options.server = ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort())));
        options.account = QStringLiteral("alice");
        options.cacheDir = m_cacheDir.path();
        options.reconnectBase = 5000ms; // stays Reconnecting while we look
        ClientSession session(options);
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        session.start(QStringLiteral("token"));
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::JoiningRooms, 10000);
        // TCP stays up; only the missing pings (200 + 200 ms) tell.
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Reconnecting, 5000);
        QCOMPARE(sockets.size(), 1);
        QVERIFY(session.secondsToReconnect() >= 3 && session.secondsToReconnect() <= 5);
    }

    void rawModeIsReadyOnTheConnectReply()
    {
        TestServer server;
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        SessionOptions options = optionsFor(server, QStringLiteral("inspector"), m_cacheDir.path());
        options.raw = true;
        options.rawNamespace = QStringLiteral("/");
        options.rawAuth = QJsonObject {{QStringLiteral("token"), alice.token}};
        ClientSession session(options);
        QVERIFY(session.cachePath().isEmpty());
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QSignalSpy events(&session, &ClientSession::eventReceived);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QCOMPARE(stagesOf(stages), (QList<Stage> {Stage::Connecting, Stage::Authenticating, Stage::Ready}));
        // Parley's connection:ready still arrives, as a plain event.
        QTRY_VERIFY_WITH_TIMEOUT(!events.isEmpty(), 10000);
        QCOMPARE(events.first().first().value<parley::transport::IncomingEvent>().name,
            QString(parley::protocol::event::ConnectionReady));
        QVERIFY(session.channels().isEmpty());
        QVERIFY(session.sendMessage(QStringLiteral("1"), QStringLiteral("no outbox in raw mode")).isEmpty());
    }

    void rawModeOtherNamespaceWithoutAuth()
    {
        TestServer server;
        QVERIFY(server.start());
        SessionOptions options = optionsFor(server, QStringLiteral("inspector"), m_cacheDir.path());
        options.raw = true;
        options.rawNamespace = QStringLiteral("/auth");
        ClientSession session(options);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QVERIFY(session.connection()->isNamespaceConnected(QStringLiteral("/auth")));
    }

    void rawModeRefusalFails()
    {
        TestServer server;
        QVERIFY(server.start());
        SessionOptions options = optionsFor(server, QStringLiteral("inspector"), m_cacheDir.path());
        options.raw = true;
        options.rawAuth = QJsonObject {{QStringLiteral("token"), QStringLiteral("nonsense")}};
        ClientSession session(options);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Failed, 10000);
        QCOMPARE(session.lastError()->code, ErrorCode::AuthInvalid);
    }

    void tokenRefreshedWhenLessThanAWeekLeft()
    {
        ServerConfig config;
        config.tokenLifetime = std::chrono::hours(24);
        TestServer server(TestServer::Storage::Memory, config);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        MemoryTokenStore store;
        session.setTokenStore(&store);
        QSignalSpy refreshed(&session, &ClientSession::tokenRefreshed);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(refreshed.size(), 1, 10000);
        const QString fresh = refreshed.first().first().toString();
        QVERIFY(!fresh.isEmpty());
        QCOMPARE(session.token(), fresh);
        const QString key = accountKey(session.options().server, QStringLiteral("alice"));
        QString saved;
        store.readToken(key, [&](const auto &result) { saved = result ? *result : QString(); });
        QCOMPARE(saved, fresh);
        QCOMPARE(session.stage(), Stage::Ready);

        session.logOut();
        QCOMPARE(session.stage(), Stage::Disconnected);
        bool gone = false;
        store.readToken(key, [&](const auto &result) {
            gone = !result && result.error().kind == TokenStoreError::Kind::NotFound;
        });
        QVERIFY(gone);
    }

    void expiryWhileConnectedFailsWithTheReason()
    {
        ServerConfig config;
        config.tokenLifetime = std::chrono::seconds(2);
        TestServer server(TestServer::Storage::Memory, config);
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        SessionOptions options = optionsFor(server, QStringLiteral("alice"), m_cacheDir.path());
        options.refreshWhenLessThan = std::chrono::hours(0); // never refresh
        ClientSession session(options);
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Failed, 20000);
        QCOMPARE(session.lastError()->code, ErrorCode::AuthExpired);
        QVERIFY(!session.lastError()->message.isEmpty());
    }

    void expiryAfterARefreshReconnectsWithTheNewToken()
    {
        TestServer server; // hands out 30-day tokens on refresh
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        // The first token has two seconds left, so the session refreshes it at once.
        const auto account = server.server().store().users().userById(alice.user.id);
        const auto key = parley::auth::SecretKey::fromBytes(server.secretKey());
        QVERIFY(account && key);
        parley::auth::TokenClaims claims;
        claims.subject = alice.user.id;
        claims.issuedAt = QDateTime::currentSecsSinceEpoch();
        claims.expiresAt = QDateTime::currentSecsSinceEpoch() + 2;
        claims.version = account->tokenVersion;
        const QString shortLived = QString::fromLatin1(parley::auth::TokenSigner(*key).sign(claims));

        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        QSignalSpy stages(&session, &ClientSession::stageChanged);
        QSignalSpy refreshed(&session, &ClientSession::tokenRefreshed);
        session.start(shortLived);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() >= 1, 10000);
        // The first connection's token runs out; the session comes back on its own
        // with the refreshed one instead of failing.
        QTRY_VERIFY_WITH_TIMEOUT(stagesOf(stages).count(Stage::Ready) >= 2, 15000);
        QVERIFY(!stagesOf(stages).contains(Stage::Failed));
        QCOMPARE(session.token(), refreshed.last().first().toString());
    }

    void noRefreshWithPlentyOfTimeLeft()
    {
        TestServer server; // 30-day tokens
        QVERIFY(server.start());
        const auto alice = server.createUser(QStringLiteral("alice"));
        ClientSession session(optionsFor(server, QStringLiteral("alice"), m_cacheDir.path()));
        session.start(alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Ready, 10000);
        QVERIFY(!session.connection()->isNamespaceConnected(QStringLiteral("/auth")));
        QCOMPARE(session.token(), alice.token);
    }

private:
    QTemporaryDir m_cacheDir;
};

QTEST_GUILESS_MAIN(TestClientSession)
#include "tst_clientsession.moc"
