// Host mode: the server core runs on a thread of its own, the host's account signs
// in with a minted token, teammates see the addresses, and stopping tells every
// connection SERVER_SHUTDOWN. Real sockets on 127.0.0.1, real SQLite files.
#include "session/authclient.h"
#include "ui/chatcontroller.h"
#include "ui/hostserver.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace parley;
using namespace parley::ui;
using Stage = client::ClientSession::Stage;

namespace {

// Qt's "Cannot create children for a parent that is in a different thread" and its
// kin: counted from every thread, the server's included.
std::atomic<int> g_threadWarnings {0};
QtMessageHandler g_previousHandler = nullptr;

void countThreadWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && message.contains(QLatin1String("different thread")))
        ++g_threadWarnings;
    g_previousHandler(type, context, message);
}

} // namespace

class TestHostServer : public QObject
{
    Q_OBJECT
private:
    HostOptions optionsIn(const QTemporaryDir &dir, const QString &user = QStringLiteral("hostuser"))
    {
        HostOptions options;
        options.port = 0; // any free port
        options.bind = QHostAddress(QHostAddress::LocalHost);
        options.dataDir = dir.filePath(QStringLiteral("server"));
        options.username = user;
        return options;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        g_previousHandler = qInstallMessageHandler(countThreadWarnings);
    }
    void init() { g_threadWarnings = 0; }
    void cleanup() { QCOMPARE(g_threadWarnings.load(), 0); }

    void hostingListensAtOnceAndSignsInTheHost()
    {
        QTemporaryDir dir;
        ChatController chat;
        chat.setCacheDir(dir.filePath(QStringLiteral("client")));
        auto options = optionsIn(dir);
        options.username.clear(); // the view asks; the server listens already
        QCOMPARE(chat.startHosting(options), QString());
        QVERIFY(chat.hosting());
        QVERIFY(chat.askingHostUser());
        QVERIFY(!chat.signedIn());
        const QStringList addresses = chat.hostAddresses();
        QCOMPARE(addresses.size(), 1);
        QVERIFY2(addresses.first().startsWith(QStringLiteral("127.0.0.1:")), qPrintable(addresses.first()));
        const QString server = QStringLiteral("ws://") + addresses.first();

        // A teammate can register while the host has not answered the question.
        client::AuthClient auth {client::ServerAddress(server)};
        bool registered = false;
        auth.registerAccount(QStringLiteral("teammate"), QStringLiteral("correct horse battery"), {},
            [&](const client::AuthResult &result) { registered = result.ok(); });
        QTRY_VERIFY_WITH_TIMEOUT(registered, 20000);

        chat.continueHosting(QStringLiteral("hostuser"));
        QVERIFY(chat.signedIn());
        QCOMPARE(chat.username(), QStringLiteral("hostuser"));
        QTRY_COMPARE_WITH_TIMEOUT(chat.stageName(), QStringLiteral("ready"), 10000);
        QCOMPARE(chat.session()->user().username, QStringLiteral("hostuser"));

        // The host's account has a password nobody was told: a guess fails.
        bool refused = false;
        auth.login(QStringLiteral("hostuser"), QStringLiteral("hostuser"),
            [&](const client::AuthResult &result) { refused = !result.ok(); });
        QTRY_VERIFY_WITH_TIMEOUT(refused, 20000);

        // A new server opens #general for its host: somewhere to talk at once.
        QTRY_COMPARE_WITH_TIMEOUT(chat.currentChannelName(), QStringLiteral("general"), 10000);
        QCOMPARE(chat.channelModel().rowCount(), 1);
        QCOMPARE(chat.currentChannelTopic(), QStringLiteral("Everything else"));

        // Chatting works end to end: create a channel, send, pending → delivered.
        chat.createChannel(QStringLiteral("design"), QStringLiteral("all things"), false);
        QTRY_COMPARE_WITH_TIMEOUT(chat.channelModel().rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(chat.currentChannelName(), QStringLiteral("design"), 10000);
        QVERIFY(chat.sendMessage(QStringLiteral("<b>x</b> hello")));
        auto &messages = chat.messageModel();
        QCOMPARE(messages.rowCount(), 1);
        QCOMPARE(messages.data(messages.index(0), MessageListModel::StateRole).toString(),
            QStringLiteral("pending"));
        QTRY_COMPARE_WITH_TIMEOUT(messages.data(messages.index(0), MessageListModel::StateRole).toString(),
            QStringLiteral("delivered"), 10000);
        QCOMPARE(messages.rowCount(), 1);
        QCOMPARE(messages.data(messages.index(0), MessageListModel::TextRole).toString(),
            QStringLiteral("<b>x</b> hello"));
        QVERIFY(!chat.sendMessage(QString(16001, QLatin1Char('a')))); // over the limit: refused here
    }

    void restartingTheHostKeepsTheAccount()
    {
        QTemporaryDir dir;
        QString firstUserId;
        {
            HostServer host;
            server::ServerConfig config;
            config.port = 0;
            config.dataDir = dir.filePath(QStringLiteral("server"));
            QVERIFY(host.start(config).ok());
            const auto account = host.hostAccount(QStringLiteral("hostuser"));
            QVERIFY2(account.ok(), account.ok() ? "" : qPrintable(account.error()));
            QVERIFY(!account->token.isEmpty());
            firstUserId = account->userId;

            // The data dir is taken while the first host runs: a sentence, no crash.
            HostServer second;
            const auto refused = second.start(config);
            QVERIFY(!refused.ok());
            QVERIFY(!refused.error().isEmpty());
        }
        HostServer again;
        server::ServerConfig config;
        config.port = 0;
        config.dataDir = dir.filePath(QStringLiteral("server"));
        QVERIFY(again.start(config).ok());
        const auto account = again.hostAccount(QStringLiteral("HostUser"));
        QVERIFY(account.ok());
        QCOMPARE(account->userId, firstUserId);
    }

    void stoppingSendsServerShutdown()
    {
        QTemporaryDir dir;
        ChatController chat;
        chat.setCacheDir(dir.filePath(QStringLiteral("client")));
        QCOMPARE(chat.startHosting(optionsIn(dir)), QString());
        QTRY_COMPARE_WITH_TIMEOUT(chat.stageName(), QStringLiteral("ready"), 10000);
        int closings = 0;
        connect(chat.session(), &client::ClientSession::serverClosing, this, [&] { ++closings; });
        QSignalSpy hosting(&chat, &ChatController::hostingChanged);
        chat.stopHosting();
        QTRY_COMPARE_WITH_TIMEOUT(closings, 1, 10000);
        QCOMPARE(chat.session()->lastClosingNotice()->code, protocol::ErrorCode::ServerShutdown);
        QTRY_VERIFY_WITH_TIMEOUT(!chat.hosting(), 10000);
        QVERIFY(hosting.size() >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(chat.stageName(), QStringLiteral("reconnecting"), 10000);
        QVERIFY2(chat.stageText().contains(QStringLiteral("Reconnecting in")), qPrintable(chat.stageText()));
    }

    void hostingAgainAfterStopping()
    {
        QTemporaryDir dir;
        HostServer host;
        server::ServerConfig config;
        config.address = QHostAddress(QHostAddress::LocalHost);
        config.port = 0;
        config.dataDir = dir.filePath(QStringLiteral("server"));
        QVERIFY(host.start(config).ok());
        const auto first = host.hostAccount(QStringLiteral("hostuser"));
        QVERIFY(first.ok());
        QSignalSpy stopped(&host, &HostServer::stopped);
        host.stop();
        QVERIFY(!host.isRunning());
        QVERIFY(!host.hostAccount(QStringLiteral("hostuser")).ok()); // a sentence, not a hang
        QVERIFY(stopped.wait(10000));
        QCOMPARE(stopped.size(), 1);

        const auto again = host.start(config);
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error()));
        QVERIFY(host.isRunning());
        const auto account = host.hostAccount(QStringLiteral("hostuser"));
        QVERIFY(account.ok());
        QCOMPARE(account->userId, first->userId);
    }

    void destroyingRightAfterStopIsSafe()
    {
        QTemporaryDir dir;
        server::ServerConfig config;
        config.address = QHostAddress(QHostAddress::LocalHost);
        config.port = 0;
        config.dataDir = dir.filePath(QStringLiteral("server"));
        for (int i = 0; i < 3; ++i) {
            auto host = std::make_unique<HostServer>();
            QVERIFY(host->start(config).ok());
            host->stop();
            host.reset(); // waits for the server thread; the data dir is free again
        }
        HostServer last;
        QVERIFY(last.start(config).ok());
    }

    void addressesAreTheLanAddressesWithThePort()
    {
        const auto lan = HostServer::addressesFor(QHostAddress(QHostAddress::AnyIPv4), 7275);
        QVERIFY(!lan.isEmpty());
        for (const auto &address : lan)
            QVERIFY2(address.endsWith(QStringLiteral(":7275")), qPrintable(address));
        const auto local = HostServer::addressesFor(QHostAddress(QHostAddress::LocalHost), 7000);
        QCOMPARE(local, QStringList {QStringLiteral("127.0.0.1:7000")});
    }

    void stageTextsNameEveryStage()
    {
        const QString server = QStringLiteral("chat.example:7275");
        QCOMPARE(ChatController::describeStage(Stage::Disconnected, 0, server, {}),
            QStringLiteral("Not connected."));
        QCOMPARE(ChatController::describeStage(Stage::Connecting, 0, server, {}),
            QStringLiteral("Connecting to chat.example:7275…"));
        QCOMPARE(ChatController::describeStage(Stage::Authenticating, 0, server, {}),
            QStringLiteral("Signing in…"));
        QCOMPARE(ChatController::describeStage(Stage::JoiningRooms, 0, server, {}),
            QStringLiteral("Catching up on your channels…"));
        QCOMPARE(ChatController::describeStage(Stage::Ready, 0, server, {}),
            QStringLiteral("Connected to chat.example:7275."));
        QCOMPARE(ChatController::describeStage(Stage::Reconnecting, 7, server, {}),
            QStringLiteral("Connection lost. Reconnecting in 7 seconds…"));
        QCOMPARE(ChatController::describeStage(Stage::Reconnecting, 1, server, {}),
            QStringLiteral("Connection lost. Reconnecting in 1 second…"));
        QCOMPARE(ChatController::describeStage(Stage::Failed, 0, server, QStringLiteral("Wrong password.")),
            QStringLiteral("Cannot connect: Wrong password."));
    }
};

QTEST_GUILESS_MAIN(TestHostServer)
#include "tst_hostserver.moc"
