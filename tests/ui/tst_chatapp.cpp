// The desktop app's objects (ChatApp: account, channels; the page's message and
// member models bound to them) against a real server on loopback: the member
// list fills from channel:members and follows joins and leaves, a created channel
// opens with its own members, unread counts grow while someone else posts
// elsewhere, older pages load on request and "older history" is known exactly,
// sign-in failures are sentences, and logging out revokes the token.
#include "boundmodels.h"
#include "serverharness.h"
#include "session/tokenstore.h"
#include "store/chatstore.h"
#include "ui/chatapp.h"
#include "ui/publicchannelmodel.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQmlEngineExtensionPlugin>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

Q_IMPORT_QML_PLUGIN(Parley_UiPlugin)

using namespace parley;
using namespace parley::ui;
using server::test::isSuccess;
using server::test::TestClient;
using server::test::TestServer;
using Stage = client::ClientSession::Stage;

namespace {

QString serverUrl(const TestServer &server)
{
    return QStringLiteral("ws://127.0.0.1:%1").arg(server.port());
}

QStringList usernames(const MemberListModel &model)
{
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names.append(model.data(model.index(row), MemberListModel::UsernameRole).toString());
    return names;
}

int unreadOf(const ChannelListModel &model, const QString &channelId)
{
    return model.data(model.index(model.indexOf(channelId)), ChannelListModel::UnreadRole).toInt();
}

} // namespace

class TestChatApp : public QObject
{
    Q_OBJECT
private:
    // alice and bob in #general and #random; the controller signed in as alice.
    struct World
    {
        TestServer server;
        TestServer::Account alice;
        TestServer::Account bob;
        protocol::Channel general;
        protocol::Channel random;
        QTemporaryDir cache;
        ChatApp chat;
        test::BoundModels open {chat};
    };

    std::unique_ptr<World> makeWorld()
    {
        auto world = std::make_unique<World>();
        if (!world->server.start())
            return nullptr;
        world->alice = world->server.createUser(QStringLiteral("alice"));
        world->bob = world->server.createUser(QStringLiteral("bob"));
        world->general = world->server.createChannel(QStringLiteral("general"), world->alice.user.id);
        world->random = world->server.createChannel(QStringLiteral("random"), world->alice.user.id);
        world->server.addMember(world->general.id, world->bob.user.id);
        world->server.addMember(world->random.id, world->bob.user.id);
        world->chat.account().setCacheDir(world->cache.path());
        world->chat.account().signInWithToken(
            serverUrl(world->server), QStringLiteral("alice"), world->alice.token);
        return world;
    }

    static bool waitReady(ChatApp &chat)
    {
        return QTest::qWaitFor([&] { return chat.account().stage() == Stage::Ready; }, 10000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ParleyTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_chatapp"));
    }
    void init() { QSettings().clear(); }

    void everyEngineHasItsOwnApp()
    {
        ChatApp app;
        QQmlEngine attached;
        QQmlEngine other;
        attached.addImportPath(QStringLiteral("qrc:/qt/qml"));
        other.addImportPath(QStringLiteral("qrc:/qt/qml"));
        app.attachTo(&attached);
        const auto singletonsSeenBy = [](QQmlEngine &engine) {
            QQmlComponent component(&engine);
            component.setData("import QtQml\nimport Parley.Ui\n"
                              "QtObject { property var all: [Account, Hosting, Channels, Appearance] }",
                QUrl());
            std::unique_ptr<QObject> object(component.create());
            if (!object) {
                qWarning().noquote() << component.errorString();
                return QList<QObject *>();
            }
            QList<QObject *> found;
            const auto all = object->property("all").toList();
            for (const auto &singleton : all)
                found.append(singleton.value<QObject *>());
            return found;
        };

        const auto seen = singletonsSeenBy(attached);
        QCOMPARE(
            seen, (QList<QObject *> {&app.account(), &app.hosting(), &app.channels(), &app.appearance()}));
        for (QObject *object : seen)
            QCOMPARE(QJSEngine::objectOwnership(object), QJSEngine::CppOwnership);
        QCOMPARE(singletonsSeenBy(attached), seen); // one instance per engine

        // An engine with no app attached makes one of its own.
        const auto elsewhere = singletonsSeenBy(other);
        QCOMPARE(elsewhere.size(), 4);
        QVERIFY(!elsewhere.contains(nullptr));
        QVERIFY(elsewhere.first() != &app.account());
        QCOMPARE(elsewhere.first(), &ChatApp::of(&other)->account());
    }

    void memberListFillsAndFollowsJoinsAndLeaves()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        QVERIFY(waitReady(chat));
        QTRY_COMPARE(chat.channels().currentChannelName(), QStringLiteral("general"));
        QTRY_COMPARE(
            usernames(world->open.members), (QStringList {QStringLiteral("alice"), QStringLiteral("bob")}));

        // carol joins: channel:member_joined adds her; she leaves: member_left takes her off.
        const auto carol = world->server.createUser(QStringLiteral("carol"));
        TestClient carolClient(world->server.url());
        QVERIFY(carolClient.connectMain(carol.token));
        QVERIFY(isSuccess(carolClient.request(
            QStringLiteral("channel:join"), QJsonObject {{QStringLiteral("channelId"), world->general.id}})));
        QTRY_COMPARE(world->open.members.rowCount(), 3);
        QVERIFY(usernames(world->open.members).contains(QStringLiteral("carol")));
        QVERIFY(isSuccess(carolClient.request(QStringLiteral("channel:leave"),
            QJsonObject {{QStringLiteral("channelId"), world->general.id}})));
        QTRY_COMPARE(
            usernames(world->open.members), (QStringList {QStringLiteral("alice"), QStringLiteral("bob")}));

        // Another channel shows its own members.
        world->server.addMember(world->random.id, carol.user.id);
        chat.channels().selectChannel(world->random.id);
        QTRY_COMPARE(world->open.members.rowCount(), 3);
    }

    // The Browse list reads every page of channel:list, not only the first.
    void browseListsEveryChannel()
    {
        auto world = makeWorld();
        QVERIFY(world);
        QVERIFY(waitReady(world->chat));
        for (int i = 0; i < 250; ++i)
            world->server.createChannel(
                QStringLiteral("c%1").arg(i, 3, 10, QLatin1Char('0')), world->bob.user.id);
        PublicChannelModel browse;
        QAbstractItemModelTester tester(&browse, QAbstractItemModelTester::FailureReportingMode::QtTest);
        browse.setSession(world->chat.account().session());
        browse.refresh();
        QTRY_COMPARE(browse.rowCount(), 252); // general and random too
        QCOMPARE(
            browse.data(browse.index(0, 0), PublicChannelModel::NameRole).toString(), QStringLiteral("c000"));
        QCOMPARE(browse.data(browse.index(251, 0), PublicChannelModel::NameRole).toString(),
            QStringLiteral("random"));
        QVERIFY(browse.data(browse.index(251, 0), PublicChannelModel::JoinedRole).toBool());
        QVERIFY(!browse.data(browse.index(0, 0), PublicChannelModel::JoinedRole).toBool());
    }

    void createdChannelOpensWithItsOwnMembers()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        QVERIFY(waitReady(chat));
        QTRY_COMPARE(world->open.members.rowCount(), 2); // #general: alice and bob

        chat.channels().createChannel(QStringLiteral("design"), QStringLiteral("pixels"), false);
        QTRY_COMPARE(chat.channels().currentChannelName(), QStringLiteral("design"));
        QTRY_COMPARE(usernames(world->open.members), QStringList {QStringLiteral("alice")});
        QCOMPARE(world->open.messages.rowCount(), 0);
        QCOMPARE(chat.channels().currentChannelTopic(), QStringLiteral("pixels"));
    }

    void unreadGrowsWhileSomeoneElsePosts()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        QVERIFY(waitReady(chat));
        QTRY_COMPARE(chat.channels().currentChannelName(), QStringLiteral("general"));
        QCOMPARE(unreadOf(*chat.channels().model(), world->random.id), 0);

        TestClient bob(world->server.url());
        QVERIFY(bob.connectMain(world->bob.token));
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(isSuccess(bob.request(QStringLiteral("message:send"),
                QJsonObject {{QStringLiteral("channelId"), world->random.id},
                    {QStringLiteral("content"), QStringLiteral("post %1").arg(i)}})));
        }
        QTRY_COMPARE(unreadOf(*chat.channels().model(), world->random.id), 3);
        // In the open channel a post is read at once.
        QVERIFY(isSuccess(bob.request(QStringLiteral("message:send"),
            QJsonObject {{QStringLiteral("channelId"), world->general.id},
                {QStringLiteral("content"), QStringLiteral("seen")}})));
        QTRY_COMPARE(world->open.messages.rowCount(), 1);
        QCOMPARE(unreadOf(*chat.channels().model(), world->general.id), 0);
        QCOMPARE(unreadOf(*chat.channels().model(), world->random.id), 3);

        chat.channels().selectChannel(world->random.id);
        QTRY_COMPARE(unreadOf(*chat.channels().model(), world->random.id), 0);
        QCOMPARE(world->open.messages.rowCount(), 3);
    }

    void olderPagesLoadAndTheStartIsKnown()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        // #random: empty. Nothing older, nothing loading.
        QVERIFY(waitReady(chat));
        chat.channels().selectChannel(world->random.id);
        QTRY_COMPARE(chat.channels().currentChannelName(), QStringLiteral("random"));
        QCOMPARE(world->open.messages.hasOlder(), false);
        QCOMPARE(world->open.messages.loadingOlder(), false);
        world->open.messages.loadOlder();
        QCOMPARE(world->open.messages.loadingOlder(), false);

        // #general: 230 messages; the first page shows the newest, the rest come on request.
        auto &messages = world->server.server().store().messages();
        for (int i = 1; i <= 230; ++i) {
            QVERIFY(messages.appendMessage(
                world->general.id, world->bob.user.id, QStringLiteral("message %1").arg(i)));
        }
        // A new message:new makes the session catch up on the gap.
        TestClient bob(world->server.url());
        QVERIFY(bob.connectMain(world->bob.token));
        QVERIFY(isSuccess(bob.request(QStringLiteral("message:send"),
            QJsonObject {{QStringLiteral("channelId"), world->general.id},
                {QStringLiteral("content"), QStringLiteral("message 231")}})));
        // Caught up in the cache while another channel is open; then opened.
        QTRY_COMPARE(chat.account().session()->cachedMessages(world->general.id, 300).size(), 231);
        chat.channels().selectChannel(world->general.id);
        QCOMPARE(world->open.messages.newestSeq(), 231);
        QVERIFY(world->open.messages.oldestSeq() > 1);
        QCOMPARE(world->open.messages.hasOlder(), true);
        QCOMPARE(world->open.messages.loadingOlder(), false);

        int pages = 0;
        while (world->open.messages.hasOlder() && pages < 10) {
            const qint64 oldest = world->open.messages.oldestSeq();
            world->open.messages.loadOlder();
            QTRY_VERIFY(!world->open.messages.loadingOlder());
            QVERIFY2(world->open.messages.oldestSeq() < oldest, "each page goes further back");
            ++pages;
        }
        QVERIFY(pages >= 2);
        QCOMPARE(world->open.messages.oldestSeq(), 1);
        QCOMPARE(world->open.messages.hasOlder(), false);
        QCOMPARE(world->open.messages.rowCount(), 231);
        QCOMPARE(
            world->open.messages.data(world->open.messages.index(0), MessageListModel::TextRole).toString(),
            QStringLiteral("message 1"));
    }

    void signInFailuresAreSentences()
    {
        TestServer server;
        QVERIFY(server.start());
        QTemporaryDir cache;
        ChatApp chat;
        chat.account().setCacheDir(cache.path());
        client::MemoryTokenStore tokens;
        chat.account().setTokenStore(&tokens);
        const QString url = serverUrl(server);
        const auto savedToken = [&] {
            QString saved;
            tokens.readToken(client::accountKey(client::ServerAddress(url), QStringLiteral("dana")),
                [&](const protocol::Result<QString, client::TokenStoreError> &result) {
                    if (result)
                        saved = *result;
                });
            return saved;
        };

        chat.account().createAccount(url, QStringLiteral("dana"), QStringLiteral("short"));
        QCOMPARE(chat.account().errorText(), QStringLiteral("Choose a password of at least 8 characters."));
        chat.account().createAccount(url, QStringLiteral("dana"), QStringLiteral("correct horse battery"));
        QTRY_VERIFY_WITH_TIMEOUT(chat.account().signedIn(), 20000);
        QCOMPARE(chat.account().errorText(), QString());
        QCOMPARE(chat.account().username(), QStringLiteral("dana"));
        QCOMPARE(chat.account().recentServers(), QStringList {url});
        QVERIFY(waitReady(chat));
        QCOMPARE(savedToken(), chat.account().session()->token()); // kept for the next start
        chat.account().logOut();
        QVERIFY(!chat.account().signedIn());
        QCOMPARE(savedToken(), QString()); // and forgotten on log-out

        chat.account().logIn(url, QStringLiteral("dana"), QStringLiteral("wrong password"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat.account().busy(), 20000);
        QCOMPARE(chat.account().errorText(), QStringLiteral("Wrong username or password."));
        QVERIFY(!chat.account().signedIn());

        chat.account().createAccount(url, QStringLiteral("dana"), QStringLiteral("another password"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat.account().busy(), 20000);
        QCOMPARE(chat.account().errorText(),
            QStringLiteral("That username is already taken. Choose another one, or log in."));

        // Nothing listens on this port any more.
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            closedPort = probe.serverPort();
        }
        chat.account().logIn(QStringLiteral("ws://127.0.0.1:%1").arg(closedPort), QStringLiteral("dana"),
            QStringLiteral("correct horse battery"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat.account().busy(), 20000);
        QCOMPARE(chat.account().errorText(),
            QStringLiteral("Cannot reach 127.0.0.1:%1. Check the address, and that the server is running.")
                .arg(closedPort));

        server::ServerConfig closed;
        closed.registrationOpen = false;
        TestServer invitationOnly(TestServer::Storage::Memory, closed);
        QVERIFY(invitationOnly.start());
        chat.account().createAccount(
            serverUrl(invitationOnly), QStringLiteral("erin"), QStringLiteral("correct horse battery"));
        QTRY_VERIFY_WITH_TIMEOUT(!chat.account().busy(), 20000);
        QCOMPARE(chat.account().errorText(),
            QStringLiteral(
                "This server does not take new accounts. Ask the person who runs it to create one for you."));

        // Only servers that worked are remembered; one can be taken off the list.
        QCOMPARE(chat.account().recentServers(), QStringList {url});
        chat.account().forgetServer(url);
        QCOMPARE(chat.account().recentServers(), QStringList());
    }

    void theFirstWordsAfterALossCountDown()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        QVERIFY(waitReady(chat));
        QStringList seen;
        connect(&chat.account(), &AccountController::stageChanged, this, [&] {
            if (chat.account().stage() == Stage::Reconnecting)
                seen.append(chat.account().stageText());
        });
        QVERIFY(world->server.stop()); // SERVER_SHUTDOWN to everyone
        QTRY_VERIFY(!seen.isEmpty());
        static const QRegularExpression counting(
            QStringLiteral("^The server is restarting or shutting down\\. Reconnecting in [1-9]\\d* s…$"));
        QVERIFY2(counting.match(seen.first()).hasMatch(), qPrintable(seen.join(QLatin1String(" | "))));
    }

    void logOutRevokesTheTokenOnTheServer()
    {
        auto world = makeWorld();
        QVERIFY(world);
        auto &chat = world->chat;
        QVERIFY(waitReady(chat));
        const QString token = world->alice.token;
        {
            TestClient before(world->server.url());
            QVERIFY(before.connectMain(token)); // the token works while signed in
        }
        chat.account().logOut();
        QVERIFY(!chat.account().signedIn());
        QVERIFY(!chat.account().session());
        // auth:logout went out before the token was dropped: the server refuses it now.
        const bool refused = QTest::qWaitFor(
            [&] {
                TestClient after(world->server.url());
                return !after.connectMain(token).has_value();
            },
            10000);
        QVERIFY(refused);
    }
};

QTEST_MAIN(TestChatApp)
#include "tst_chatapp.moc"
