// Host mode: the server core runs on a thread of its own, the host's account signs
// in with a minted token (through the app's HostingController, as `parley --host`
// does), teammates see the addresses, and stopping tells every connection
// SERVER_SHUTDOWN. Real sockets on 127.0.0.1, real SQLite files.
#include "host/hostserver.h"
#include "session/authclient.h"
#include "ui/chatapp.h"
#include "ui/messagelistmodel.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace parley;
using namespace parley::ui;
using host::HostServer;
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
    // The desktop app's objects with a HostServer of their own, as `parley` makes them.
    struct HostingApp
    {
        explicit HostingApp(const QTemporaryDir &dir)
        {
            app.account().setCacheDir(dir.filePath(QStringLiteral("client")));
            app.hosting().setServer(&server);
        }
        HostServer server; // outlives the app: its session closes while the server runs
        ChatApp app;
    };

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
        HostingApp hosting(dir);
        auto &chat = hosting.app;
        auto options = optionsIn(dir);
        options.username.clear(); // the view asks; the server listens already
        QCOMPARE(chat.hosting().start(options), QString());
        QVERIFY(chat.hosting().hosting());
        QVERIFY(chat.hosting().askingUsername());
        QVERIFY(!chat.account().signedIn());
        const QStringList addresses = chat.hosting().addresses();
        QCOMPARE(addresses.size(), 1);
        QVERIFY2(addresses.first().startsWith(QStringLiteral("127.0.0.1:")), qPrintable(addresses.first()));
        const QString server = QStringLiteral("ws://") + addresses.first();

        // A teammate can register while the host has not answered the question.
        client::AuthClient auth {client::ServerAddress(server)};
        bool registered = false;
        auth.registerAccount(QStringLiteral("teammate"), QStringLiteral("correct horse battery"), {},
            [&](const client::AuthResult &result) { registered = result.ok(); });
        QTRY_VERIFY_WITH_TIMEOUT(registered, 20000);

        chat.hosting().continueAs(QStringLiteral("hostuser"));
        QVERIFY(chat.account().signedIn());
        QVERIFY(!chat.hosting().askingUsername());
        QCOMPARE(chat.account().username(), QStringLiteral("hostuser"));
        QTRY_COMPARE_WITH_TIMEOUT(chat.account().stage(), Stage::Ready, 10000);
        QCOMPARE(chat.account().session()->user().username, QStringLiteral("hostuser"));

        // The host's account has a password nobody was told: a guess fails.
        bool refused = false;
        auth.login(QStringLiteral("hostuser"), QStringLiteral("hostuser"),
            [&](const client::AuthResult &result) { refused = !result.ok(); });
        QTRY_VERIFY_WITH_TIMEOUT(refused, 20000);

        // A new server opens #general for its host: somewhere to talk at once.
        QTRY_COMPARE_WITH_TIMEOUT(chat.channels().currentChannelName(), QStringLiteral("general"), 10000);
        QCOMPARE(chat.channels().model()->rowCount(), 1);
        QCOMPARE(chat.channels().currentChannelTopic(), QStringLiteral("Everything else"));

        // Chatting works end to end: create a channel, send, pending → delivered.
        chat.channels().createChannel(QStringLiteral("design"), QStringLiteral("all things"), false);
        QTRY_COMPARE_WITH_TIMEOUT(chat.channels().model()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(chat.channels().currentChannelName(), QStringLiteral("design"), 10000);
        // The open channel's messages, bound as the chat page binds them.
        MessageListModel messages;
        messages.setSession(chat.account().session());
        messages.setChannelId(chat.channels().currentChannelId());
        QVERIFY(messages.sendMessage(QStringLiteral("<b>x</b> hello")));
        const auto delivery = [&] {
            return messages.data(messages.index(0), MessageListModel::DeliveryRole).toInt();
        };
        QCOMPARE(messages.rowCount(), 1);
        QCOMPARE(delivery(), int(MessageListModel::Pending));
        QTRY_COMPARE_WITH_TIMEOUT(delivery(), int(MessageListModel::Delivered), 10000);
        QCOMPARE(messages.rowCount(), 1);
        QCOMPARE(messages.data(messages.index(0), MessageListModel::TextRole).toString(),
            QStringLiteral("<b>x</b> hello"));
        QVERIFY(!messages.sendMessage(QString(16001, QLatin1Char('a')))); // over the limit: refused here
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
        HostingApp hosting(dir);
        auto &chat = hosting.app;
        QCOMPARE(chat.hosting().start(optionsIn(dir)), QString());
        QTRY_COMPARE_WITH_TIMEOUT(chat.account().stage(), Stage::Ready, 10000);
        int closings = 0;
        connect(chat.account().session(), &client::ClientSession::serverClosing, this, [&] { ++closings; });
        QSignalSpy hostingChanged(&chat.hosting(), &HostingController::hostingChanged);
        chat.hosting().stop();
        QTRY_COMPARE_WITH_TIMEOUT(closings, 1, 10000);
        QCOMPARE(chat.account().session()->lastClosingNotice()->code, protocol::ErrorCode::ServerShutdown);
        QTRY_VERIFY_WITH_TIMEOUT(!chat.hosting().hosting(), 10000);
        QVERIFY(hostingChanged.size() >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(chat.account().stage(), Stage::Reconnecting, 10000);
        const QString banner = chat.account().stageText();
        QVERIFY2(banner.contains(QStringLiteral("Reconnecting in")), qPrintable(banner));
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
        int stoppedHandlerCalls = 0; // what HostingController hears through LocalServer
        host.setStoppedHandler([&] { ++stoppedHandlerCalls; });
        host.stop();
        QVERIFY(!host.isRunning());
        QVERIFY(!host.hostAccount(QStringLiteral("hostuser")).ok()); // a sentence, not a hang
        QVERIFY(stopped.wait(10000));
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(stoppedHandlerCalls, 1);

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
};

QTEST_GUILESS_MAIN(TestHostServer)
#include "tst_hostserver.moc"
