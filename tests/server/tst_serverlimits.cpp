#include "core/roomregistry.h"
#include "protocol/catalogue.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

namespace event = protocol::event;

namespace {

QJsonObject channelId(const QString &id)
{
    return QJsonObject {{QStringLiteral("channelId"), id}};
}

QJsonObject named(const QString &name, const QString &topic = {})
{
    QJsonObject payload {{QStringLiteral("name"), name}};
    if (!topic.isEmpty())
        payload.insert(QStringLiteral("topic"), topic);
    return payload;
}

QStringList namesOf(const QJsonArray &channels)
{
    QStringList names;
    for (const QJsonValue &channel : channels)
        names << channel.toObject().value(QStringLiteral("name")).toString();
    return names;
}

int modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 0777);
}

} // namespace

// What keeps one user or one stranger from exhausting the server or spoiling it for
// others (docs/protocol.md section 7), each on a real server over loopback.
class TestServerLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void historyPageIsBoundedInBytes();
    void channelListIsPaged();
    void channelMembershipsAreCapped();
    void channelCreationsPerHourAreLimited();
    void hiddenCharactersAreRefused_data();
    void hiddenCharactersAreRefused();
    void connectionsThatNeverGetReadyAreClosed();
    void binaryPacketsAreRefusedAtTheHeader();
    void eventsAreLimitedPerUserAcrossConnections();
    void sessionsPerUserAreCapped();
    void passwordHashQueueIsBounded();
    void dataFilesArePrivate();

private:
    std::unique_ptr<TestServer> started(
        ServerConfig config = {}, TestServer::Storage storage = TestServer::Storage::Memory)
    {
        auto server = std::make_unique<TestServer>(storage, std::move(config));
        if (!server->start())
            return nullptr;
        return server;
    }
};

// Twelve legal 16,000-character messages of control characters are ~1.1 MB of JSON: in
// one answer they would be more than a connection's send queue may hold, and the reader
// would be cut for asking. The page is cut instead, and the client pages on.
void TestServerLimits::historyPageIsBoundedInBytes()
{
    auto server = started({}, TestServer::Storage::TemporaryFile);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    const auto channel = server->createChannel(QStringLiteral("noise"), alice.user.id);
    TestClient client(server->url());
    QVERIFY(client.connectMain(alice.token));
    const QString content(16000, QChar(0x01));
    for (int i = 0; i < 12; ++i) {
        const auto sent = client.request(event::MessageSend,
            QJsonObject {{QStringLiteral("channelId"), channel.id}, {QStringLiteral("content"), content}});
        QVERIFY2(isSuccess(sent), qPrintable(errorCode(sent)));
    }

    QList<qint64> seqs;
    QJsonObject ask {{QStringLiteral("channelId"), channel.id}, {QStringLiteral("limit"), 100}};
    for (int page = 0; page < 12; ++page) {
        const auto answer = client.request(event::MessageHistory, ask);
        QVERIFY2(isSuccess(answer), qPrintable(errorCode(answer)));
        const QJsonArray messages = answer->value(QStringLiteral("messages")).toArray();
        QVERIFY(!messages.isEmpty());
        QVERIFY(messages.size() < 12);
        for (qsizetype i = messages.size() - 1; i >= 0; --i)
            seqs.prepend(messages.at(i).toObject().value(QStringLiteral("seq")).toInteger());
        if (!answer->value(QStringLiteral("hasMore")).toBool())
            break;
        ask.insert(QStringLiteral("beforeSeq"), messages.first().toObject().value(QStringLiteral("seq")));
    }
    QCOMPARE(seqs, (QList<qint64> {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
    QVERIFY(!client.isClosed());
    QVERIFY(client.eventsNamed(event::ConnectionClosing).isEmpty());

    // From the other end, the oldest come first.
    const auto after = client.request(event::MessageHistory,
        QJsonObject {{QStringLiteral("channelId"), channel.id}, {QStringLiteral("afterSeq"), 0},
            {QStringLiteral("limit"), 100}});
    QVERIFY(isSuccess(after));
    QCOMPARE(after->value(QStringLiteral("messages"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("seq"))
                 .toInteger(),
        1);
    QVERIFY(after->value(QStringLiteral("hasMore")).toBool());
}

void TestServerLimits::channelListIsPaged()
{
    auto server = started();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    for (const QString &name : {QStringLiteral("echo"), QStringLiteral("Delta"), QStringLiteral("alpha"),
             QStringLiteral("charlie"), QStringLiteral("bravo")})
        server->createChannel(name, alice.user.id);
    TestClient client(server->url());
    QVERIFY(client.connectMain(alice.token));

    QStringList seen;
    QJsonObject ask {{QStringLiteral("limit"), 2}};
    for (int page = 0; page < 5; ++page) {
        const auto answer = client.request(event::ChannelList, ask);
        QVERIFY2(isSuccess(answer), qPrintable(errorCode(answer)));
        const QStringList names = namesOf(answer->value(QStringLiteral("channels")).toArray());
        QVERIFY(names.size() <= 2);
        seen += names;
        if (!answer->value(QStringLiteral("hasMore")).toBool())
            break;
        ask.insert(QStringLiteral("afterName"), names.last().toUpper()); // any case
    }
    QCOMPARE(seen,
        (QStringList {QStringLiteral("alpha"), QStringLiteral("bravo"), QStringLiteral("charlie"),
            QStringLiteral("Delta"), QStringLiteral("echo")}));

    // An old client's {} gets the first page, with hasMore to say whether it is all.
    const auto all = client.request(event::ChannelList, QJsonObject {});
    QCOMPARE(namesOf(all->value(QStringLiteral("channels")).toArray()).size(), 5);
    QCOMPARE(all->value(QStringLiteral("hasMore")).toBool(), false);

    for (const QJsonValue &bad : {QJsonValue(0), QJsonValue(201), QJsonValue(QStringLiteral("2"))})
        QCOMPARE(errorCode(client.request(event::ChannelList, QJsonObject {{QStringLiteral("limit"), bad}})),
            QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(client.request(event::ChannelList, QJsonObject {{QStringLiteral("afterName"), 3}})),
        QStringLiteral("INVALID_PAYLOAD"));
}

// Nobody's connection:ready can be made to grow without end, by themselves or by others.
void TestServerLimits::channelMembershipsAreCapped()
{
    ServerConfig config;
    config.limits.maxChannelsPerUser = 2;
    auto server = started(config);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    const auto bob = server->createUser(QStringLiteral("bob"));
    const auto bobs = server->createChannel(QStringLiteral("bobs"), bob.user.id);
    const auto open = server->createChannel(QStringLiteral("open"), bob.user.id);
    TestClient aliceClient(server->url());
    QVERIFY(aliceClient.connectMain(alice.token));
    TestClient bobClient(server->url());
    QVERIFY(bobClient.connectMain(bob.token));

    QVERIFY(isSuccess(aliceClient.request(event::ChannelCreate, named(QStringLiteral("one")))));
    const auto two = aliceClient.request(event::ChannelCreate, named(QStringLiteral("two")));
    QVERIFY(isSuccess(two));
    const auto three = aliceClient.request(event::ChannelCreate, named(QStringLiteral("three")));
    QCOMPARE(errorCode(three), QStringLiteral("LIMIT_REACHED"));
    QCOMPARE(errorCode(aliceClient.request(event::ChannelJoin, channelId(open.id))),
        QStringLiteral("LIMIT_REACHED"));
    QVERIFY(aliceClient.waitForEvents(event::ChannelError, 2));
    // Invitations count against the invitee.
    const auto invite = bobClient.request(event::ChannelInvite,
        QJsonObject {
            {QStringLiteral("channelId"), bobs.id}, {QStringLiteral("username"), QStringLiteral("alice")}});
    QCOMPARE(errorCode(invite), QStringLiteral("LIMIT_REACHED"));
    QCOMPARE(*server->server().store().channels().membershipCount(alice.user.id), 2);
    // A channel she is in is no new membership.
    const QString twoId =
        two->value(QStringLiteral("channel")).toObject().value(QStringLiteral("id")).toString();
    QVERIFY(isSuccess(aliceClient.request(event::ChannelJoin, channelId(twoId))));
    // Leaving makes room again.
    QVERIFY(isSuccess(aliceClient.request(event::ChannelLeave, channelId(twoId))));
    QVERIFY(isSuccess(aliceClient.request(event::ChannelJoin, channelId(open.id))));
}

void TestServerLimits::channelCreationsPerHourAreLimited()
{
    ServerConfig config;
    config.limits.channelCreatesPerHour = 2;
    auto server = started(config);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    TestClient client(server->url());
    QVERIFY(client.connectMain(alice.token));
    QVERIFY(isSuccess(client.request(event::ChannelCreate, named(QStringLiteral("one")))));
    QVERIFY(isSuccess(client.request(event::ChannelCreate, named(QStringLiteral("two")))));
    const auto third = client.request(event::ChannelCreate, named(QStringLiteral("three")));
    QCOMPARE(errorCode(third), QStringLiteral("RATE_LIMITED"));
    QVERIFY(
        third->value(QStringLiteral("error")).toObject().value(QStringLiteral("retryAfterMs")).toInteger() >
        0);
    // Another connection of the same user shares the count.
    TestClient second(server->url());
    QVERIFY(second.connectMain(alice.token));
    QCOMPARE(errorCode(second.request(event::ChannelCreate, named(QStringLiteral("four")))),
        QStringLiteral("RATE_LIMITED"));
}

void TestServerLimits::hiddenCharactersAreRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("right-to-left override") << QStringLiteral("gpj\u202Eexe");
    QTest::newRow("right-to-left mark") << QStringLiteral("a\u200Fb");
    QTest::newRow("isolate") << QStringLiteral("a\u2067b");
    QTest::newRow("control") << QStringLiteral("a\u0007b");
    QTest::newRow("line separator") << QStringLiteral("a\u2028b");
}

void TestServerLimits::hiddenCharactersAreRefused()
{
    QFETCH(QString, text);
    auto server = started();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    TestClient client(server->url());
    QVERIFY(client.connectMain(alice.token));
    QCOMPARE(errorCode(client.request(event::ChannelCreate, named(QStringLiteral("plain"), text))),
        QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(client.request(event::ChannelCreate, named(text))), QStringLiteral("INVALID_PAYLOAD"));
    QVERIFY(client.connectAuth());
    const auto registered = client.request(protocol::ns::Auth, event::AuthRegister,
        QJsonObject {{QStringLiteral("username"), QStringLiteral("mallory")},
            {QStringLiteral("password"), QStringLiteral("a long password")},
            {QStringLiteral("displayName"), text}});
    QCOMPARE(errorCode(registered), QStringLiteral("INVALID_PAYLOAD"));
    // Letters of any script are fine.
    QVERIFY(isSuccess(
        client.request(event::ChannelCreate, named(QStringLiteral("plain"), QStringLiteral("שלום, мир")))));
}

void TestServerLimits::connectionsThatNeverGetReadyAreClosed()
{
    ServerConfig config;
    config.limits.readyTimeout = std::chrono::milliseconds(400);
    auto server = started(config);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    TestClient lurker(server->url());
    QVERIFY(lurker.connectAuth());
    TestClient chatter(server->url());
    QVERIFY(chatter.connectMain(alice.token));

    QVERIFY(lurker.waitForClose());
    const auto closing = lurker.eventsNamed(event::ConnectionClosing);
    QCOMPARE(closing.size(), 1);
    QCOMPARE(closing.first().nsp, QString(protocol::ns::Auth));
    QCOMPARE(closing.first().payload.toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("IDLE_TIMEOUT"));
    // The one that signed in stays, well past the deadline of the other.
    QVERIFY(!QTest::qWaitFor([&] { return chatter.isClosed(); }, 1200));
    QVERIFY(isSuccess(chatter.request(event::ChannelList, QJsonObject {})));
}

void TestServerLimits::binaryPacketsAreRefusedAtTheHeader()
{
    auto server = started();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    // A BINARY_EVENT announcing an attachment that never comes: the server must not wait
    // for it (and hold what it would buffer), but close at once.
    client.connection().sendEncoded(
        QByteArrayLiteral("51-/auth,[\"auth:login\",{\"_placeholder\":true,\"num\":0}]"));
    QVERIFY(client.waitForClose());
    QVERIFY2(
        client.closeReason().contains(QLatin1String("transport close")), qPrintable(client.closeReason()));
    QTRY_COMPARE(server->server().connectionCount(), 0);
}

void TestServerLimits::eventsAreLimitedPerUserAcrossConnections()
{
    ServerConfig config;
    config.limits.eventRate = 1000;
    config.limits.eventBurst = 1000;
    config.limits.userEventRate = 1;
    config.limits.userEventBurst = 3;
    auto server = started(config);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    const auto bob = server->createUser(QStringLiteral("bob"));
    TestClient first(server->url());
    TestClient second(server->url());
    TestClient other(server->url());
    QVERIFY(first.connectMain(alice.token));
    QVERIFY(second.connectMain(alice.token));
    QVERIFY(other.connectMain(bob.token));
    QVERIFY(isSuccess(first.request(event::ChannelList, QJsonObject {})));
    QVERIFY(isSuccess(second.request(event::ChannelList, QJsonObject {})));
    QVERIFY(isSuccess(first.request(event::ChannelList, QJsonObject {})));
    QCOMPARE(errorCode(second.request(event::ChannelList, QJsonObject {})), QStringLiteral("RATE_LIMITED"));
    QVERIFY(isSuccess(other.request(event::ChannelList, QJsonObject {}))); // bob has his own
}

void TestServerLimits::sessionsPerUserAreCapped()
{
    ServerConfig config;
    config.limits.maxSessionsPerUser = 2;
    auto server = started(config);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    const auto bob = server->createUser(QStringLiteral("bob"));
    auto first = std::make_unique<TestClient>(server->url());
    TestClient second(server->url());
    TestClient third(server->url());
    QVERIFY(first->connectMain(alice.token));
    QVERIFY(second.connectMain(alice.token));
    QVERIFY(!third.connectMain(alice.token));
    QCOMPARE(third.refusal()
                 .toObject()
                 .value(QStringLiteral("data"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
        QStringLiteral("LIMIT_REACHED"));
    TestClient other(server->url());
    QVERIFY(other.connectMain(bob.token)); // per user, not per server
    first.reset();
    QTRY_COMPARE(server->server().rooms().members(RoomRegistry::userRoom(alice.user.id)).size(), 1);
    TestClient again(server->url());
    QVERIFY(again.connectMain(alice.token));
}

// Past the bound, a sign-in is refused at once instead of queueing behind every
// stranger's attempt (and the attempts of clients that left are never hashed).
void TestServerLimits::passwordHashQueueIsBounded()
{
    ServerConfig config;
    config.limits.passwordHashQueue = 1;
    config.limits.authPerMinute = 100;
    auto server = started(config);
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    QStringList codes;
    for (int i = 0; i < 3; ++i) {
        // Sent back to back: the server reads them in one turn, long before a hash is done.
        client.connection().emitWithAck(QString(protocol::ns::Auth), event::AuthLogin,
            QJsonArray {QJsonObject {{QStringLiteral("username"), QStringLiteral("nobody%1").arg(i)},
                {QStringLiteral("password"), QStringLiteral("password1")}}},
            [&codes](const transport::AckReply &reply) {
                codes << reply.args.first()
                             .toObject()
                             .value(QStringLiteral("error"))
                             .toObject()
                             .value(QStringLiteral("code"))
                             .toString();
            });
    }
    QTRY_COMPARE_WITH_TIMEOUT(codes.size(), 3, 20000);
    codes.sort();
    QCOMPARE(codes,
        (QStringList {QStringLiteral("INVALID_CREDENTIALS"), QStringLiteral("RATE_LIMITED"),
            QStringLiteral("RATE_LIMITED")}));
}

// Private messages, password hashes and the key are for the server's account alone,
// also when the process that starts the server has a permissive umask (the desktop app).
void TestServerLimits::dataFilesArePrivate()
{
    QTemporaryDir parent;
    ServerConfig config;
    config.dataDir = parent.filePath(QStringLiteral("data")); // made by the server
    const mode_t previous = ::umask(022);
    auto server = started(config, TestServer::Storage::TemporaryFile);
    ::umask(previous);
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    server->createChannel(QStringLiteral("c"), alice.user.id);
    const QDir dir(server->dataDir());
    QCOMPARE(modeOf(dir.path()), 0700);
    const QString database = dir.filePath(QStringLiteral("parley.db"));
    QCOMPARE(modeOf(database), 0600);
    QVERIFY(QFileInfo::exists(database + QStringLiteral("-wal")));
    QCOMPARE(modeOf(database + QStringLiteral("-wal")), 0600);
    QCOMPARE(modeOf(database + QStringLiteral("-shm")), 0600);
}

QTEST_GUILESS_MAIN(TestServerLimits)
#include "tst_serverlimits.moc"
