#include "core/roomregistry.h"
#include "protocol/catalogue.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

namespace {

const QString List = protocol::event::ChannelList;
const QString Create = protocol::event::ChannelCreate;
const QString Join = protocol::event::ChannelJoin;
const QString Leave = protocol::event::ChannelLeave;
const QString Invite = protocol::event::ChannelInvite;
const QString Members = protocol::event::ChannelMembers;
const QString Joined = protocol::event::ChannelJoined;
const QString Left = protocol::event::ChannelLeft;
const QString MemberJoined = protocol::event::ChannelMemberJoined;
const QString MemberLeft = protocol::event::ChannelMemberLeft;
const QString ChannelError = protocol::event::ChannelError;

QJsonObject idPayload(const QString &channelId)
{
    return QJsonObject {{QStringLiteral("channelId"), channelId}};
}

QStringList namesOf(const QJsonArray &channels)
{
    QStringList names;
    for (const QJsonValue &channel : channels)
        names << channel.toObject().value(QStringLiteral("name")).toString();
    return names;
}

QStringList usernamesOf(const QJsonArray &users)
{
    QStringList names;
    for (const QJsonValue &user : users)
        names << user.toObject().value(QStringLiteral("username")).toString();
    return names;
}

// Events whose names start with "channel:": what a bystander must not get.
QStringList channelEventsOf(const TestClient &client)
{
    QStringList names;
    for (const ReceivedEvent &event : client.events()) {
        if (event.name.startsWith(QLatin1String("channel:")))
            names << event.name;
    }
    return names;
}

} // namespace

// The channel family of docs/protocol.md section 5 on a real loopback server:
// acks, the broadcasts and who gets them, the rooms every session of a user is
// moved between, and each error code in the contract's check order.
class TestChannelHandler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listShowsPublicChannelsAndOwnPrivateOnes();
    void createJoinsEverySessionOfTheCreator();
    void createRefusesATakenNameWithoutRegardToCase();
    void invalidPayloadIsRefused_data();
    void invalidPayloadIsRefused();
    void joinMovesEverySessionAndTellsTheChannel();
    void rejoinSucceedsWithoutBroadcast();
    void unknownAndPrivateChannelsAreNotFound_data();
    void unknownAndPrivateChannelsAreNotFound();
    void inviteBringsEverySessionIntoAPrivateChannel();
    void inviteChecksChannelThenMembershipThenUser();
    void leaveMovesEverySessionOutAndTellsTheRest();
    void leavingAChannelYouAreNotInIsNotFound();
    void emptyRoomIsRemovedButTheChannelStays();
    void membersArePagedByUsername();
    void membersOfAPublicChannelAreOpenToAnyone();
    void rateIsCheckedLast();
    void storeFailureIsInternalWithoutDetail();
    void thousandCyclesLeaveNoRoomsOrConnections();

private:
    TestServer &server() { return *m_server; }
    // A round trip on `client`: every event the server queued for it before
    // this point has arrived when it returns.
    static void sync(TestClient &client);
    std::unique_ptr<TestClient> connected(const TestServer::Account &account);

    std::unique_ptr<TestServer> m_server;
};

void TestChannelHandler::init()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestChannelHandler::cleanup()
{
    m_server.reset();
}

void TestChannelHandler::sync(TestClient &client)
{
    QVERIFY(isSuccess(client.request(List, QJsonObject {})));
}

std::unique_ptr<TestClient> TestChannelHandler::connected(const TestServer::Account &account)
{
    auto client = std::make_unique<TestClient>(m_server->url());
    if (!client->connectMain(account.token))
        return nullptr;
    return client;
}

void TestChannelHandler::listShowsPublicChannelsAndOwnPrivateOnes()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    server().createChannel(QStringLiteral("general"), bob.user.id);
    server().createChannel(QStringLiteral("bobs-secret"), bob.user.id, true);
    server().createChannel(QStringLiteral("alices-secret"), alice.user.id, true);
    const auto shared = server().createChannel(QStringLiteral("shared-secret"), bob.user.id, true);
    server().addMember(shared.id, alice.user.id);

    auto client = connected(alice);
    QVERIFY(client);
    const auto ack = client->request(List, QJsonObject {});
    QVERIFY(isSuccess(ack));
    const QJsonArray channels = ack->value(QStringLiteral("channels")).toArray();
    QCOMPARE(namesOf(channels),
        (QStringList {
            QStringLiteral("alices-secret"), QStringLiteral("general"), QStringLiteral("shared-secret")}));
    const QJsonObject sharedJson = channels.at(2).toObject();
    QCOMPARE(sharedJson.value(QStringLiteral("id")).toString(), shared.id);
    QCOMPARE(sharedJson.value(QStringLiteral("isPrivate")).toBool(), true);
    QCOMPARE(sharedJson.value(QStringLiteral("memberCount")).toInteger(), 2);

    // No argument at all (socket.io-client's emit("channel:list", ack)) is a list too.
    std::optional<QJsonObject> bare;
    client->connection().emitWithAck(
        QStringLiteral("/"), List, QJsonArray {}, [&bare](const transport::AckReply &reply) {
            if (!reply.args.isEmpty())
                bare = reply.args.first().toObject();
        });
    QTRY_VERIFY(bare.has_value());
    QVERIFY(isSuccess(bare));
    QCOMPARE(namesOf(bare->value(QStringLiteral("channels")).toArray()).size(), 3);
}

void TestChannelHandler::createJoinsEverySessionOfTheCreator()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    auto laptop = connected(alice);
    auto phone = connected(alice);
    auto bystander = connected(bob);
    QVERIFY(laptop && phone && bystander);

    // The name is trimmed before its length is counted: 64 characters fit.
    const QString name = QString(64, u'n');
    const auto ack = laptop->request(Create,
        QJsonObject {{QStringLiteral("name"), QStringLiteral("  ") + name + QStringLiteral("\t")},
            {QStringLiteral("topic"), QStringLiteral("all about n")}, {QStringLiteral("isPrivate"), true}});
    QVERIFY(isSuccess(ack));
    const QJsonObject channel = ack->value(QStringLiteral("channel")).toObject();
    const QString channelId = channel.value(QStringLiteral("id")).toString();
    QVERIFY(!channelId.isEmpty());
    QCOMPARE(channel.value(QStringLiteral("name")).toString(), name);
    QCOMPARE(channel.value(QStringLiteral("topic")).toString(), QStringLiteral("all about n"));
    QCOMPARE(channel.value(QStringLiteral("isPrivate")).toBool(), true);
    QCOMPARE(channel.value(QStringLiteral("memberCount")).toInteger(), 1);
    QCOMPARE(channel.value(QStringLiteral("lastSeq")).toInteger(), 0);

    QVERIFY(laptop->waitForEvents(Joined));
    QVERIFY(phone->waitForEvents(Joined));
    QCOMPARE(laptop->eventsNamed(Joined).first().payload.toObject(), channel);
    QCOMPARE(phone->eventsNamed(Joined).first().payload.toObject(), channel);

    const RoomRegistry &rooms = server().server().rooms();
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(channelId)),
        rooms.members(RoomRegistry::userRoom(alice.user.id)));
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(channelId)).size(), 2);

    const auto stored = server().server().store().channels().isMember(channelId, alice.user.id);
    QVERIFY(stored && *stored);

    // A topic left out is "", and the channel is public.
    const auto plain =
        phone->request(Create, QJsonObject {{QStringLiteral("name"), QStringLiteral("plain")}});
    QVERIFY(isSuccess(plain));
    const QJsonObject plainChannel = plain->value(QStringLiteral("channel")).toObject();
    QCOMPARE(plainChannel.value(QStringLiteral("topic")).toString(), QString());
    QCOMPARE(plainChannel.value(QStringLiteral("isPrivate")).toBool(), false);

    sync(*bystander);
    QCOMPARE(channelEventsOf(*bystander), QStringList());
}

void TestChannelHandler::createRefusesATakenNameWithoutRegardToCase()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    // Private and someone else's: a name is still a name.
    server().createChannel(QStringLiteral("Général"), bob.user.id, true);
    auto client = connected(alice);
    QVERIFY(client);

    const auto ack =
        client->request(Create, QJsonObject {{QStringLiteral("name"), QStringLiteral(" gÉNÉRAL ")}});
    QCOMPARE(errorCode(ack), QStringLiteral("CONFLICT"));
    QVERIFY(client->waitForEvents(ChannelError));
    const QJsonObject error = client->eventsNamed(ChannelError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("CONFLICT"));
    QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    QVERIFY(!error.contains(QStringLiteral("channelId")));
    QCOMPARE(client->eventsNamed(Joined).size(), 0);

    const auto all = server().server().store().channels().channelsVisibleTo(bob.user.id);
    QVERIFY(all);
    QCOMPARE(all->size(), 1);
}

void TestChannelHandler::invalidPayloadIsRefused_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("payload"); // JSON text of the first argument
    QTest::addColumn<QString>("channelId"); // expected in channel:error; "" for none

    const QString none;
    const QString one = QStringLiteral("1");
    QTest::newRow("list: a string") << List << R"("all")" << none;
    QTest::newRow("list: an array") << List << R"([])" << none;

    QTest::newRow("create: not an object") << Create << R"("general")" << none;
    QTest::newRow("create: no name") << Create << R"({"topic":"t"})" << none;
    QTest::newRow("create: name a number") << Create << R"({"name":5})" << none;
    QTest::newRow("create: name empty") << Create << R"({"name":""})" << none;
    QTest::newRow("create: name blank") << Create << R"({"name":"  \t "})" << none;
    QTest::newRow("create: name 65") << Create << QStringLiteral(R"({"name":"%1"})").arg(QString(65, u'x'))
                                     << none;
    QTest::newRow("create: name control") << Create << R"({"name":"a\u0007b"})" << none;
    QTest::newRow("create: name newline") << Create << R"({"name":"two\nlines"})" << none;
    QTest::newRow("create: name NUL") << Create << R"({"name":"a\u0000b"})" << none;
    QTest::newRow("create: topic 257")
        << Create << QStringLiteral(R"({"name":"ok","topic":"%1"})").arg(QString(257, u't')) << none;
    QTest::newRow("create: topic a number") << Create << R"({"name":"ok","topic":3})" << none;
    QTest::newRow("create: isPrivate a string") << Create << R"({"name":"ok","isPrivate":"yes"})" << none;

    QTest::newRow("join: not an object") << Join << R"("1")" << none;
    QTest::newRow("join: no channelId") << Join << R"({})" << none;
    QTest::newRow("join: empty channelId") << Join << R"({"channelId":""})" << none;
    QTest::newRow("join: negative channelId") << Join << R"({"channelId":-1})" << none;
    QTest::newRow("join: fractional channelId") << Join << R"({"channelId":1.5})" << none;
    QTest::newRow("join: channelId true") << Join << R"({"channelId":true})" << none;

    QTest::newRow("leave: no channelId") << Leave << R"({})" << none;
    QTest::newRow("leave: channelId an object") << Leave << R"({"channelId":{}})" << none;

    QTest::newRow("invite: no channelId") << Invite << R"({"username":"bob"})" << none;
    QTest::newRow("invite: no username") << Invite << R"({"channelId":"1"})" << one;
    QTest::newRow("invite: blank username") << Invite << R"({"channelId":1,"username":"  "})" << one;
    QTest::newRow("invite: username a number") << Invite << R"({"channelId":"1","username":7})" << one;

    QTest::newRow("members: no channelId") << Members << R"({"limit":5})" << none;
    QTest::newRow("members: limit 0") << Members << R"({"channelId":"1","limit":0})" << one;
    QTest::newRow("members: limit 201") << Members << R"({"channelId":"1","limit":201})" << one;
    QTest::newRow("members: limit 2.5") << Members << R"({"channelId":"1","limit":2.5})" << one;
    QTest::newRow("members: limit a string") << Members << R"({"channelId":1,"limit":"10"})" << one;
    QTest::newRow("members: afterUsername a number")
        << Members << R"({"channelId":"1","afterUsername":3})" << one;
}

void TestChannelHandler::invalidPayloadIsRefused()
{
    QFETCH(QString, event);
    QFETCH(QString, payload);
    QFETCH(QString, channelId);
    const auto alice = server().createUser(QStringLiteral("alice"));
    // Channel 1 exists and alice is in it: only the payload is wrong.
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    QCOMPARE(general.id, QStringLiteral("1"));
    auto client = connected(alice);
    QVERIFY(client);

    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QStringLiteral("[%1]").arg(payload).toUtf8(), &parseError);
    QVERIFY2(document.isArray(), qPrintable(parseError.errorString()));
    const auto ack = client->request(event, document.array().first());
    QCOMPARE(errorCode(ack), QStringLiteral("INVALID_PAYLOAD"));
    QVERIFY(!ack->value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString()
                 .isEmpty());

    QVERIFY(client->waitForEvents(ChannelError));
    const QJsonObject error = client->eventsNamed(ChannelError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("INVALID_PAYLOAD"));
    if (channelId.isEmpty())
        QVERIFY(!error.contains(QStringLiteral("channelId")));
    else
        QCOMPARE(error.value(QStringLiteral("channelId")).toString(), channelId);

    // Nothing happened: no new channel, no broadcast.
    const auto channels = server().server().store().channels().channelsVisibleTo(alice.user.id);
    QVERIFY(channels);
    QCOMPARE(channels->size(), 1);
    QCOMPARE(client->eventsNamed(Joined).size(), 0);
}

void TestChannelHandler::joinMovesEverySessionAndTellsTheChannel()
{
    const auto alice = server().createUser(QStringLiteral("alice"), QStringLiteral("Alice"));
    const auto bob = server().createUser(QStringLiteral("bob"), QStringLiteral("Bob B."));
    const auto carol = server().createUser(QStringLiteral("carol"));
    const auto general =
        server().createChannel(QStringLiteral("general"), alice.user.id, false, QStringLiteral("hi"));
    server().createChannel(QStringLiteral("elsewhere"), carol.user.id);
    auto aliceClient = connected(alice);
    auto bobLaptop = connected(bob);
    auto bobPhone = connected(bob);
    auto carolClient = connected(carol);
    QVERIFY(aliceClient && bobLaptop && bobPhone && carolClient);

    // A JSON integer is an id too.
    const auto ack =
        bobLaptop->request(Join, QJsonObject {{QStringLiteral("channelId"), general.id.toInt()}});
    QVERIFY(isSuccess(ack));
    const QJsonObject channel = ack->value(QStringLiteral("channel")).toObject();
    QCOMPARE(channel.value(QStringLiteral("id")).toString(), general.id);
    QCOMPARE(channel.value(QStringLiteral("topic")).toString(), QStringLiteral("hi"));
    QCOMPARE(channel.value(QStringLiteral("memberCount")).toInteger(), 2);

    // Both of bob's sessions are told and are in the room.
    QVERIFY(bobLaptop->waitForEvents(Joined));
    QVERIFY(bobPhone->waitForEvents(Joined));
    QCOMPARE(bobPhone->eventsNamed(Joined).first().payload.toObject(), channel);
    const RoomRegistry &rooms = server().server().rooms();
    const QSet<ConnectionId> bobs = rooms.members(RoomRegistry::userRoom(bob.user.id));
    QCOMPARE(bobs.size(), 2);
    const QSet<ConnectionId> inGeneral = rooms.members(RoomRegistry::channelRoom(general.id));
    QCOMPARE(inGeneral.size(), 3);
    QVERIFY(inGeneral.contains(bobs));

    // The channel's earlier members hear of the newcomer; nobody else does.
    QVERIFY(aliceClient->waitForEvents(MemberJoined));
    const QJsonObject announced = aliceClient->eventsNamed(MemberJoined).first().payload.toObject();
    QCOMPARE(announced,
        (QJsonObject {
            {QStringLiteral("channelId"), general.id}, {QStringLiteral("user"), bob.user.toJson()}}));
    sync(*bobLaptop);
    sync(*bobPhone);
    sync(*carolClient);
    QCOMPARE(bobLaptop->eventsNamed(MemberJoined).size(), 0);
    QCOMPARE(bobPhone->eventsNamed(MemberJoined).size(), 0);
    QCOMPARE(channelEventsOf(*carolClient), QStringList());
    QCOMPARE(aliceClient->eventsNamed(Joined).size(), 0);

    const auto stored = server().server().store().channels().isMember(general.id, bob.user.id);
    QVERIFY(stored && *stored);
}

void TestChannelHandler::rejoinSucceedsWithoutBroadcast()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    server().addMember(general.id, bob.user.id);
    auto aliceClient = connected(alice);
    auto bobClient = connected(bob);
    QVERIFY(aliceClient && bobClient);

    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto ack = bobClient->request(Join, idPayload(general.id));
        QVERIFY(isSuccess(ack));
        QCOMPARE(
            ack->value(QStringLiteral("channel")).toObject().value(QStringLiteral("memberCount")).toInteger(),
            2);
    }
    sync(*aliceClient);
    sync(*bobClient);
    QCOMPARE(channelEventsOf(*aliceClient), QStringList());
    QCOMPARE(channelEventsOf(*bobClient), QStringList());
    QCOMPARE(server().server().rooms().members(RoomRegistry::channelRoom(general.id)).size(), 2);
}

void TestChannelHandler::unknownAndPrivateChannelsAreNotFound_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<bool>("privateChannel"); // else: an id never used
    for (const QString &event : {Join, Leave, Invite, Members}) {
        QTest::addRow("%s private", qPrintable(event)) << event << true;
        QTest::addRow("%s unknown", qPrintable(event)) << event << false;
    }
}

void TestChannelHandler::unknownAndPrivateChannelsAreNotFound()
{
    QFETCH(QString, event);
    QFETCH(bool, privateChannel);
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto secret = server().createChannel(QStringLiteral("secret"), alice.user.id, true);
    const QString channelId = privateChannel ? secret.id : QStringLiteral("9999");
    auto aliceClient = connected(alice);
    auto bobClient = connected(bob);
    QVERIFY(aliceClient && bobClient);

    QJsonObject payload = idPayload(channelId);
    if (event == Invite)
        payload.insert(QStringLiteral("username"), QStringLiteral("bob"));
    const auto ack = bobClient->request(event, payload);
    QCOMPARE(errorCode(ack), QStringLiteral("NOT_FOUND"));
    QVERIFY(bobClient->waitForEvents(ChannelError));
    const QJsonObject error = bobClient->eventsNamed(ChannelError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("NOT_FOUND"));
    QCOMPARE(error.value(QStringLiteral("channelId")).toString(), channelId);

    // The private channel and an unknown one look alike from outside.
    const auto other = bobClient->request(event, [&] {
        QJsonObject unknown = payload;
        unknown.insert(QStringLiteral("channelId"), privateChannel ? QStringLiteral("9999") : secret.id);
        return unknown;
    }());
    QCOMPARE(other->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")),
        ack->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")));

    const auto stored = server().server().store().channels().isMember(secret.id, bob.user.id);
    QVERIFY(stored && !*stored);
    QCOMPARE(server().server().rooms().members(RoomRegistry::channelRoom(secret.id)).size(), 1);
    sync(*aliceClient);
    QCOMPARE(channelEventsOf(*aliceClient), QStringList());
}

void TestChannelHandler::inviteBringsEverySessionIntoAPrivateChannel()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto carol = server().createUser(QStringLiteral("carol"));
    const auto secret = server().createChannel(QStringLiteral("secret"), alice.user.id, true);
    auto aliceClient = connected(alice);
    auto bobLaptop = connected(bob);
    auto bobPhone = connected(bob);
    auto carolClient = connected(carol);
    QVERIFY(aliceClient && bobLaptop && bobPhone && carolClient);

    // Usernames match without regard to case.
    const auto ack = aliceClient->request(Invite,
        QJsonObject {
            {QStringLiteral("channelId"), secret.id}, {QStringLiteral("username"), QStringLiteral("BOB")}});
    QVERIFY(isSuccess(ack));
    QCOMPARE(*ack, (QJsonObject {{QStringLiteral("success"), true}}));

    QVERIFY(bobLaptop->waitForEvents(Joined));
    QVERIFY(bobPhone->waitForEvents(Joined));
    const QJsonObject joined = bobPhone->eventsNamed(Joined).first().payload.toObject();
    QCOMPARE(joined.value(QStringLiteral("id")).toString(), secret.id);
    QCOMPARE(joined.value(QStringLiteral("isPrivate")).toBool(), true);
    QCOMPARE(joined.value(QStringLiteral("memberCount")).toInteger(), 2);
    QCOMPARE(bobLaptop->eventsNamed(Joined).first().payload.toObject(), joined);

    QVERIFY(aliceClient->waitForEvents(MemberJoined));
    QCOMPARE(aliceClient->eventsNamed(MemberJoined).first().payload.toObject(),
        (QJsonObject {
            {QStringLiteral("channelId"), secret.id}, {QStringLiteral("user"), bob.user.toJson()}}));
    const RoomRegistry &rooms = server().server().rooms();
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(secret.id)).size(), 3);
    QVERIFY(rooms.members(RoomRegistry::channelRoom(secret.id))
                .contains(rooms.members(RoomRegistry::userRoom(bob.user.id))));

    // Now bob sees it and may list its members; carol still may not know of it.
    const auto bobList = bobLaptop->request(List, QJsonObject {});
    QVERIFY(isSuccess(bobList));
    QCOMPARE(namesOf(bobList->value(QStringLiteral("channels")).toArray()),
        QStringList {QStringLiteral("secret")});
    const auto bobMembers = bobLaptop->request(Members, idPayload(secret.id));
    QVERIFY(isSuccess(bobMembers));
    QCOMPARE(usernamesOf(bobMembers->value(QStringLiteral("members")).toArray()),
        (QStringList {QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(errorCode(carolClient->request(Join, idPayload(secret.id))), QStringLiteral("NOT_FOUND"));
    QCOMPARE(errorCode(carolClient->request(Members, idPayload(secret.id))), QStringLiteral("NOT_FOUND"));
    const auto carolList = carolClient->request(List, QJsonObject {});
    QVERIFY(isSuccess(carolList));
    QCOMPARE(carolList->value(QStringLiteral("channels")).toArray().size(), 0);
    QCOMPARE(carolClient->eventsNamed(MemberJoined).size(), 0);
    QCOMPARE(carolClient->eventsNamed(Joined).size(), 0);

    // A member invites another member: a success with nothing to tell.
    aliceClient->clearEvents();
    bobLaptop->clearEvents();
    bobPhone->clearEvents();
    const auto again = bobPhone->request(Invite,
        QJsonObject {
            {QStringLiteral("channelId"), secret.id}, {QStringLiteral("username"), QStringLiteral("alice")}});
    QVERIFY(isSuccess(again));
    sync(*aliceClient);
    sync(*bobLaptop);
    QCOMPARE(channelEventsOf(*aliceClient), QStringList());
    QCOMPARE(channelEventsOf(*bobLaptop), QStringList());
    QCOMPARE(channelEventsOf(*bobPhone), QStringList());
}

void TestChannelHandler::inviteChecksChannelThenMembershipThenUser()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto carol = server().createUser(QStringLiteral("carol"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    auto aliceClient = connected(alice);
    auto bobClient = connected(bob);
    QVERIFY(aliceClient && bobClient);

    const auto invite = [](TestClient &client, const QString &channelId, const QString &username) {
        return client.request(Invite,
            QJsonObject {{QStringLiteral("channelId"), channelId}, {QStringLiteral("username"), username}});
    };
    // An unknown channel comes first, even with an unknown user.
    QCOMPARE(errorCode(invite(*aliceClient, QStringLiteral("77"), QStringLiteral("nobody"))),
        QStringLiteral("NOT_FOUND"));
    // A public channel the inviter is not in: FORBIDDEN, before the user is looked up.
    QCOMPARE(
        errorCode(invite(*bobClient, general.id, QStringLiteral("nobody"))), QStringLiteral("FORBIDDEN"));
    QCOMPARE(errorCode(invite(*bobClient, general.id, QStringLiteral("carol"))), QStringLiteral("FORBIDDEN"));
    QVERIFY(bobClient->waitForEvents(ChannelError, 2));
    const QJsonObject forbidden = bobClient->eventsNamed(ChannelError).last().payload.toObject();
    QCOMPARE(forbidden.value(QStringLiteral("code")).toString(), QStringLiteral("FORBIDDEN"));
    QCOMPARE(forbidden.value(QStringLiteral("channelId")).toString(), general.id);
    // A member inviting a user who does not exist: NOT_FOUND with the channel's id.
    const auto unknownUser = invite(*aliceClient, general.id, QStringLiteral("nobody"));
    QCOMPARE(errorCode(unknownUser), QStringLiteral("NOT_FOUND"));
    QVERIFY(aliceClient->waitForEvents(ChannelError, 2));
    QCOMPARE(aliceClient->eventsNamed(ChannelError)
                 .last()
                 .payload.toObject()
                 .value(QStringLiteral("channelId"))
                 .toString(),
        general.id);

    const auto carolIn = server().server().store().channels().isMember(general.id, carol.user.id);
    QVERIFY(carolIn && !*carolIn);
    sync(*aliceClient);
    QCOMPARE(aliceClient->eventsNamed(MemberJoined).size(), 0);
}

void TestChannelHandler::leaveMovesEverySessionOutAndTellsTheRest()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto carol = server().createUser(QStringLiteral("carol"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    server().addMember(general.id, bob.user.id);
    server().createChannel(QStringLiteral("elsewhere"), carol.user.id);
    auto aliceClient = connected(alice);
    auto bobLaptop = connected(bob);
    auto bobPhone = connected(bob);
    auto carolClient = connected(carol);
    QVERIFY(aliceClient && bobLaptop && bobPhone && carolClient);
    const RoomRegistry &rooms = server().server().rooms();
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(general.id)).size(), 3);

    const auto ack = bobPhone->request(Leave, idPayload(general.id));
    QVERIFY(isSuccess(ack));
    QCOMPARE(*ack, (QJsonObject {{QStringLiteral("success"), true}}));

    const QJsonObject left {{QStringLiteral("channelId"), general.id}};
    QVERIFY(bobLaptop->waitForEvents(Left));
    QVERIFY(bobPhone->waitForEvents(Left));
    QCOMPARE(bobLaptop->eventsNamed(Left).first().payload.toObject(), left);
    QCOMPARE(bobPhone->eventsNamed(Left).first().payload.toObject(), left);
    QVERIFY(aliceClient->waitForEvents(MemberLeft));
    QCOMPARE(aliceClient->eventsNamed(MemberLeft).first().payload.toObject(),
        (QJsonObject {{QStringLiteral("channelId"), general.id}, {QStringLiteral("userId"), bob.user.id}}));

    const QSet<ConnectionId> inGeneral = rooms.members(RoomRegistry::channelRoom(general.id));
    QCOMPARE(inGeneral, rooms.members(RoomRegistry::userRoom(alice.user.id)));
    QCOMPARE(rooms.roomsOf(*rooms.members(RoomRegistry::userRoom(bob.user.id)).begin()),
        QSet<QString> {RoomRegistry::userRoom(bob.user.id)});

    sync(*bobLaptop);
    sync(*carolClient);
    QCOMPARE(bobLaptop->eventsNamed(MemberLeft).size(), 0);
    QCOMPARE(bobPhone->eventsNamed(MemberLeft).size(), 0);
    QCOMPARE(channelEventsOf(*carolClient), QStringList());
    const auto stored = server().server().store().channels().isMember(general.id, bob.user.id);
    QVERIFY(stored && !*stored);

    // A second leave, from the other device: bob is no longer in it.
    QCOMPARE(errorCode(bobLaptop->request(Leave, idPayload(general.id))), QStringLiteral("NOT_FOUND"));
}

void TestChannelHandler::leavingAChannelYouAreNotInIsNotFound()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    auto aliceClient = connected(alice);
    auto bobClient = connected(bob);
    QVERIFY(aliceClient && bobClient);

    const auto ack = bobClient->request(Leave, idPayload(general.id));
    QCOMPARE(errorCode(ack), QStringLiteral("NOT_FOUND"));
    QVERIFY(bobClient->waitForEvents(ChannelError));
    QCOMPARE(bobClient->eventsNamed(ChannelError)
                 .first()
                 .payload.toObject()
                 .value(QStringLiteral("channelId"))
                 .toString(),
        general.id);
    sync(*aliceClient);
    QCOMPARE(channelEventsOf(*aliceClient), QStringList());
    QCOMPARE(server().server().rooms().members(RoomRegistry::channelRoom(general.id)).size(), 1);
}

void TestChannelHandler::emptyRoomIsRemovedButTheChannelStays()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    auto laptop = connected(alice);
    auto phone = connected(alice);
    QVERIFY(laptop && phone);
    const auto created =
        laptop->request(Create, QJsonObject {{QStringLiteral("name"), QStringLiteral("quiet")}});
    QVERIFY(isSuccess(created));
    const QString channelId =
        created->value(QStringLiteral("channel")).toObject().value(QStringLiteral("id")).toString();
    const RoomRegistry &rooms = server().server().rooms();
    QCOMPARE(rooms.roomCount(), 2);

    QVERIFY(isSuccess(phone->request(Leave, idPayload(channelId))));
    QVERIFY(!rooms.find(RoomRegistry::channelRoom(channelId)));
    QCOMPARE(rooms.roomCount(), 1); // user:<alice> only

    const auto list = laptop->request(List, QJsonObject {});
    QVERIFY(isSuccess(list));
    const QJsonArray channels = list->value(QStringLiteral("channels")).toArray();
    QCOMPARE(namesOf(channels), QStringList {QStringLiteral("quiet")});
    QCOMPARE(channels.first().toObject().value(QStringLiteral("memberCount")).toInteger(), 0);

    // It can be joined again, and the room comes back.
    QVERIFY(isSuccess(laptop->request(Join, idPayload(channelId))));
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(channelId)).size(), 2);
}

void TestChannelHandler::membersArePagedByUsername()
{
    const auto owner = server().createUser(QStringLiteral("mallory"));
    const auto general = server().createChannel(QStringLiteral("general"), owner.user.id);
    for (const QString &name : {QStringLiteral("dave"), QStringLiteral("alice"), QStringLiteral("erin"),
             QStringLiteral("bob"), QStringLiteral("carol")}) {
        server().addMember(general.id, server().createUser(name).user.id);
    }
    server().createUser(QStringLiteral("outsider"));
    auto client = connected(owner);
    QVERIFY(client);

    const auto page = [&](const QJsonObject &extra) {
        QJsonObject payload = idPayload(general.id);
        for (auto it = extra.begin(); it != extra.end(); ++it)
            payload.insert(it.key(), it.value());
        return client->request(Members, payload);
    };
    const auto first = page({{QStringLiteral("limit"), 2}});
    QVERIFY(isSuccess(first));
    QCOMPARE(usernamesOf(first->value(QStringLiteral("members")).toArray()),
        (QStringList {QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(first->value(QStringLiteral("hasMore")).toBool(), true);
    const QJsonObject aliceJson = first->value(QStringLiteral("members")).toArray().first().toObject();
    QCOMPARE(aliceJson.keys(),
        (QStringList {QStringLiteral("displayName"), QStringLiteral("id"), QStringLiteral("username")}));

    const auto second =
        page({{QStringLiteral("limit"), 2}, {QStringLiteral("afterUsername"), QStringLiteral("BOB")}});
    QVERIFY(isSuccess(second));
    QCOMPARE(usernamesOf(second->value(QStringLiteral("members")).toArray()),
        (QStringList {QStringLiteral("carol"), QStringLiteral("dave")}));
    QCOMPARE(second->value(QStringLiteral("hasMore")).toBool(), true);

    const auto last =
        page({{QStringLiteral("limit"), 2}, {QStringLiteral("afterUsername"), QStringLiteral("dave")}});
    QVERIFY(isSuccess(last));
    QCOMPARE(usernamesOf(last->value(QStringLiteral("members")).toArray()),
        (QStringList {QStringLiteral("erin"), QStringLiteral("mallory")}));
    QCOMPARE(last->value(QStringLiteral("hasMore")).toBool(), false);

    // No limit: the default page of 50 holds all six; 200 is allowed.
    const auto all = page({});
    QVERIFY(isSuccess(all));
    QCOMPARE(all->value(QStringLiteral("members")).toArray().size(), 6);
    QCOMPARE(all->value(QStringLiteral("hasMore")).toBool(), false);
    QVERIFY(isSuccess(page({{QStringLiteral("limit"), 200}})));
}

void TestChannelHandler::membersOfAPublicChannelAreOpenToAnyone()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    auto bobClient = connected(bob);
    QVERIFY(bobClient);
    const auto ack = bobClient->request(Members, idPayload(general.id));
    QVERIFY(isSuccess(ack));
    QCOMPARE(ack->value(QStringLiteral("members")).toArray(), QJsonArray {alice.user.toJson()});
    QCOMPARE(ack->value(QStringLiteral("hasMore")).toBool(), false);
}

void TestChannelHandler::rateIsCheckedLast()
{
    ServerConfig config;
    config.limits.eventRate = 1;
    config.limits.eventBurst = 2;
    m_server = std::make_unique<TestServer>(TestServer::Storage::Memory, config);
    QVERIFY(m_server->start());
    const auto alice = server().createUser(QStringLiteral("alice"));
    const auto bob = server().createUser(QStringLiteral("bob"));
    const auto general = server().createChannel(QStringLiteral("general"), alice.user.id);
    server().createChannel(QStringLiteral("taken"), alice.user.id);
    const auto bobs = server().createChannel(QStringLiteral("bobs"), bob.user.id);
    auto client = connected(bob);
    QVERIFY(client);
    QVERIFY(isSuccess(client->request(List, QJsonObject {})));
    QVERIFY(isSuccess(client->request(List, QJsonObject {})));

    // Over the rate, every other failure still wins.
    QCOMPARE(errorCode(client->request(Join, QJsonObject {})), QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(client->request(Join, idPayload(QStringLiteral("404")))), QStringLiteral("NOT_FOUND"));
    QCOMPARE(errorCode(client->request(Invite,
                 QJsonObject {{QStringLiteral("channelId"), general.id},
                     {QStringLiteral("username"), QStringLiteral("alice")}})),
        QStringLiteral("FORBIDDEN"));
    QCOMPARE(
        errorCode(client->request(Create, QJsonObject {{QStringLiteral("name"), QStringLiteral("TAKEN")}})),
        QStringLiteral("CONFLICT"));

    const auto limited = client->request(Join, idPayload(general.id));
    QCOMPARE(errorCode(limited), QStringLiteral("RATE_LIMITED"));
    QVERIFY(
        limited->value(QStringLiteral("error")).toObject().value(QStringLiteral("retryAfterMs")).toInteger() >
        0);
    QTRY_VERIFY(!client->eventsNamed(ChannelError).isEmpty() &&
        client->eventsNamed(ChannelError).last().payload.toObject().value(QStringLiteral("code")) ==
            QStringLiteral("RATE_LIMITED"));
    QCOMPARE(client->eventsNamed(ChannelError)
                 .last()
                 .payload.toObject()
                 .value(QStringLiteral("channelId"))
                 .toString(),
        general.id);
    QCOMPARE(
        errorCode(client->request(Create, QJsonObject {{QStringLiteral("name"), QStringLiteral("new")}})),
        QStringLiteral("RATE_LIMITED"));
    QCOMPARE(errorCode(client->request(List, QJsonObject {})), QStringLiteral("RATE_LIMITED"));
    QCOMPARE(errorCode(client->request(Members, idPayload(general.id))), QStringLiteral("RATE_LIMITED"));
    QCOMPARE(errorCode(client->request(Leave, idPayload(bobs.id))), QStringLiteral("RATE_LIMITED"));
    QCOMPARE(errorCode(client->request(Invite,
                 QJsonObject {{QStringLiteral("channelId"), bobs.id},
                     {QStringLiteral("username"), QStringLiteral("alice")}})),
        QStringLiteral("RATE_LIMITED"));

    // Refused for its rate: nothing was written.
    const store::ChannelRepository &channels = server().server().store().channels();
    const auto member = channels.isMember(general.id, bob.user.id);
    QVERIFY(member && !*member);
    const auto stillIn = channels.isMember(bobs.id, bob.user.id);
    QVERIFY(stillIn && *stillIn);
    const auto aliceIn = channels.isMember(bobs.id, alice.user.id);
    QVERIFY(aliceIn && !*aliceIn);
    const auto visible = channels.channelsVisibleTo(bob.user.id);
    QVERIFY(visible);
    QCOMPARE(visible->size(), 3);
    QCOMPARE(client->eventsNamed(Joined).size(), 0);
    QCOMPARE(client->eventsNamed(Left).size(), 0);
}

void TestChannelHandler::storeFailureIsInternalWithoutDetail()
{
    const auto alice = server().createUser(QStringLiteral("alice"));
    auto client = connected(alice);
    QVERIFY(client);
    server().server().store().close();

    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("channel:list from user .* failed:")));
    const auto ack = client->request(List, QJsonObject {});
    QCOMPARE(errorCode(ack), QStringLiteral("INTERNAL"));
    const QString message =
        ack->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    QVERIFY(!message.isEmpty());
    QVERIFY2(!message.contains(QLatin1String("SQL"), Qt::CaseInsensitive), qPrintable(message));
    QVERIFY(client->waitForEvents(ChannelError));
    QCOMPARE(
        client->eventsNamed(ChannelError).first().payload.toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("INTERNAL"));
}

void TestChannelHandler::thousandCyclesLeaveNoRoomsOrConnections()
{
    // 1,000 cycles of connect, join, leave, disconnect, by twenty users at a time:
    // each step of a batch is one wait, so the test stays quick.
    constexpr int Batches = 50;
    constexpr int PerBatch = 20;
    const auto owner = server().createUser(QStringLiteral("owner"));
    const auto lobby = server().createChannel(QStringLiteral("lobby"), owner.user.id);
    QList<TestServer::Account> visitors;
    for (int i = 0; i < PerBatch; ++i)
        visitors.append(server().createUser(QStringLiteral("visitor%1").arg(i)));
    const RoomRegistry &rooms = server().server().rooms();
    const QString lobbyRoom = RoomRegistry::channelRoom(lobby.id);

    for (int batch = 0; batch < Batches; ++batch) {
        int joined = 0;
        int left = 0;
        const auto countSuccess = [](int &counter) {
            return [&counter](const transport::AckReply &reply) {
                if (!reply.args.isEmpty() && isSuccess(reply.args.first().toObject()))
                    ++counter;
            };
        };
        std::vector<std::unique_ptr<TestClient>> clients;
        for (const TestServer::Account &visitor : visitors) {
            clients.push_back(std::make_unique<TestClient>(server().url()));
            clients.back()->connection().connectNamespace(
                QStringLiteral("/"), QJsonObject {{QStringLiteral("token"), visitor.token}});
        }
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return std::all_of(clients.cbegin(), clients.cend(), [](const auto &client) {
                             return !client->eventsNamed(protocol::event::ConnectionReady).isEmpty();
                         });
                     },
                     20000),
            qPrintable(QStringLiteral("batch %1").arg(batch)));

        for (const auto &client : clients) {
            client->connection().emitWithAck(
                QStringLiteral("/"), Join, QJsonArray {idPayload(lobby.id)}, countSuccess(joined));
        }
        QVERIFY(QTest::qWaitFor([&] { return joined == PerBatch; }, 20000));
        QCOMPARE(rooms.members(lobbyRoom).size(), PerBatch);

        for (const auto &client : clients) {
            client->connection().emitWithAck(
                QStringLiteral("/"), Leave, QJsonArray {idPayload(lobby.id)}, countSuccess(left));
        }
        QVERIFY(QTest::qWaitFor([&] { return left == PerBatch; }, 20000));
        QVERIFY(!rooms.find(lobbyRoom));

        clients.clear(); // each closes its socket
        QVERIFY(QTest::qWaitFor([&] { return server().server().connectionCount() == 0; }, 20000));
    }
    QCOMPARE(server().server().connectionCount(), 0);
    QCOMPARE(rooms.roomCount(), 0);
    QCOMPARE(rooms.connectionCount(), 0);
    const auto channel = server().server().store().channels().channelById(lobby.id);
    QVERIFY(channel);
    QCOMPARE(channel->memberCount, 1);
}

QTEST_GUILESS_MAIN(TestChannelHandler)
#include "tst_channelhandler.moc"
