#include "core/serverconfig.h"
#include "protocol/catalogue.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;

namespace {

const QString ChannelIdKey = QStringLiteral("channelId");
const QString ContentKey = QStringLiteral("content");
const QString ClientMsgIdKey = QStringLiteral("clientMsgId");

QJsonObject sendPayload(const QString &channelId, const QString &content, const QString &clientMsgId = {})
{
    QJsonObject payload {{ChannelIdKey, channelId}, {ContentKey, content}};
    if (!clientMsgId.isEmpty())
        payload.insert(ClientMsgIdKey, clientMsgId);
    return payload;
}

QJsonObject errorOf(const std::optional<QJsonObject> &ack)
{
    return ack ? ack->value(QStringLiteral("error")).toObject() : QJsonObject();
}

QList<qint64> seqsOf(const QJsonArray &messages)
{
    QList<qint64> seqs;
    for (const QJsonValue &message : messages)
        seqs << message.toObject().value(QStringLiteral("seq")).toInteger();
    return seqs;
}

QList<qint64> seqsOf(const QList<ReceivedEvent> &events)
{
    QList<qint64> seqs;
    for (const ReceivedEvent &event : events)
        seqs << event.payload.toObject().value(QStringLiteral("seq")).toInteger();
    return seqs;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> seqs;
    for (qint64 seq = first; seq <= last; ++seq)
        seqs << seq;
    return seqs;
}

// A real fault at COMMIT: every message insert also adds a row whose deferred foreign
// key is broken, which SQLite reports only when committing. DROP TRIGGER doom ends it.
bool breakCommits(const store::Database &database)
{
    return database.run(QStringLiteral(
               "CREATE TABLE doomed (user_id INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED)")) &&
        database.run(QStringLiteral(
            "CREATE TRIGGER doom AFTER INSERT ON messages BEGIN INSERT INTO doomed VALUES (-1); END"));
}

// Requests sent without waiting for each answer, so that they reach the server
// together (one commit window, one burst); the acks are kept in sending order.
class PendingAcks
{
public:
    void emitWithAck(TestClient &client, const QString &event, const QJsonValue &payload)
    {
        const qsizetype index = m_acks.size();
        m_acks.append(std::nullopt);
        client.connection().emitWithAck(QStringLiteral("/"), event, QJsonArray {payload},
            [this, index](const transport::AckReply &reply) {
                if (!reply.timedOut && !reply.args.isEmpty())
                    m_acks[index] = reply.args.first().toObject();
                ++m_answered;
            });
    }
    bool waitForAll(std::chrono::milliseconds timeout = 20s)
    {
        return QTest::qWaitFor([this] { return m_answered == m_acks.size(); }, int(timeout.count()));
    }
    qsizetype answered() const { return m_answered; }
    const QList<std::optional<QJsonObject>> &acks() const { return m_acks; }

private:
    QList<std::optional<QJsonObject>> m_acks;
    qsizetype m_answered = 0;
};

} // namespace

// message:send and message:history (docs/protocol.md sections 5 and 7) against a
// real server and real sockets: the checks in the contract's order, the error
// events, who gets message:new, idempotent clientMsgIds, gap-free seqs, history
// pages, the rate limit, and "acked means durable".
class TestMessageHandler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void sendIsAckedAndReachesEveryMemberSession();
    void sendAcceptsTheLimits_data();
    void sendAcceptsTheLimits();
    void sendRefusesBadPayloads_data();
    void sendRefusesBadPayloads();
    void sendToAChannelOutsideYourReach_data();
    void sendToAChannelOutsideYourReach();
    void leavingOnOneSessionStopsSendingOnAll();
    void repeatedClientMsgIdGetsTheFirstAck();
    void repeatsWithinOneCommitWriteOneRow();
    void repeatedClientMsgIdAfterRestart();
    void seqIsGapFreeUnderConcurrentSends_data();
    void seqIsGapFreeUnderConcurrentSends();
    void burstPastTheLimitIsRateLimited();
    void ackWaitsForTheCommit();
    void failedCommitAcksInternalAndBroadcastsNothing();
    void repeatInAFailedCommitGetsTheFirstAck();
    void membershipChangedInTheStoreIsFollowed();
    void failedItemLeavesTheRestOfTheCommit();
    void senderGoneBeforeTheCommitStillBroadcasts();
    void shutdownCommitsAndAcksWhatIsWaiting();

    void historyPages_data();
    void historyPages();
    void historyRefusesBadRequests_data();
    void historyRefusesBadRequests();
    void historyOfAChannelOutsideYourReach_data();
    void historyOfAChannelOutsideYourReach();

private:
    // alice and bob in #general, carol in none; #secret is alice's private channel.
    void startServer(ServerConfig config = {}, TestServer::Storage storage = TestServer::Storage::Memory);
    qint64 storedCount(const QString &where = {}, const QVariantList &values = {});
    // An answered request after everything the server sent this client before it.
    static bool roundTrip(TestClient &client);

    std::unique_ptr<TestServer> m_server;
    TestServer::Account m_alice;
    TestServer::Account m_bob;
    TestServer::Account m_carol;
    protocol::Channel m_general;
    protocol::Channel m_secret;
};

void TestMessageHandler::init()
{
    startServer();
}

void TestMessageHandler::cleanup()
{
    m_server.reset();
}

void TestMessageHandler::startServer(ServerConfig config, TestServer::Storage storage)
{
    m_server = std::make_unique<TestServer>(storage, std::move(config));
    QVERIFY(m_server->start());
    m_alice = m_server->createUser(QStringLiteral("alice"), QStringLiteral("Alice A."));
    m_bob = m_server->createUser(QStringLiteral("bob"));
    m_carol = m_server->createUser(QStringLiteral("carol"));
    m_general = m_server->createChannel(QStringLiteral("general"), m_alice.user.id);
    m_server->addMember(m_general.id, m_bob.user.id);
    m_secret = m_server->createChannel(QStringLiteral("secret"), m_alice.user.id, true);
    QVERIFY(!m_general.id.isEmpty() && !m_secret.id.isEmpty());
}

qint64 TestMessageHandler::storedCount(const QString &where, const QVariantList &values)
{
    auto query = m_server->server().store().database().run(QStringLiteral("SELECT COUNT(*) FROM messages") +
            (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where),
        values);
    if (!query || !query->next())
        return -1;
    return query->value(0).toLongLong();
}

bool TestMessageHandler::roundTrip(TestClient &client)
{
    // Unknown events are answered with an ack only, after anything queued before.
    return client.request(QStringLiteral("test:round-trip"), QJsonObject {}).has_value();
}

void TestMessageHandler::sendIsAckedAndReachesEveryMemberSession()
{
    TestClient alice(m_server->url());
    TestClient aliceElsewhere(m_server->url());
    TestClient bob(m_server->url());
    TestClient carol(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(aliceElsewhere.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    QVERIFY(carol.connectMain(m_carol.token));

    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    const QString content = QStringLiteral("  hello, wörld ✓\n ");
    const auto ack = alice.request(protocol::event::MessageSend,
        QJsonObject {{ChannelIdKey, m_general.id.toLongLong()}, {ContentKey, content}});
    QVERIFY(isSuccess(ack));
    const QJsonObject message = ack->value(QStringLiteral("message")).toObject();
    QCOMPARE(ack->value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(
        ack->value(QStringLiteral("messageId")).toString(), message.value(QStringLiteral("id")).toString());
    QVERIFY(!message.value(QStringLiteral("id")).toString().isEmpty());
    QCOMPARE(message.value(ChannelIdKey).toString(), m_general.id); // a string, though sent as a number
    QCOMPARE(message.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(message.value(QStringLiteral("userId")).toString(), m_alice.user.id);
    QCOMPARE(message.value(QStringLiteral("author")).toObject(), m_alice.user.toJson());
    QCOMPARE(message.value(ContentKey).toString(), content); // stored unchanged
    QVERIFY(message.value(ClientMsgIdKey).isNull());
    const QDateTime createdAt =
        protocol::parseTimestamp(message.value(QStringLiteral("createdAt")).toString());
    QVERIFY(createdAt >= before && createdAt <= QDateTime::currentDateTimeUtc());

    // Every session in the room gets the message, the sender's own included.
    for (TestClient *member : {&alice, &aliceElsewhere, &bob}) {
        QVERIFY(member->waitForEvents(protocol::event::MessageNew));
        const auto received = member->eventsNamed(protocol::event::MessageNew);
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first().payload.toObject(), message);
    }
    QVERIFY(roundTrip(carol));
    QVERIFY(carol.eventsNamed(protocol::event::MessageNew).isEmpty());
    QVERIFY(alice.eventsNamed(protocol::event::MessageError).isEmpty());
    QCOMPARE(storedCount(QStringLiteral("content = ?"), {content}), 1);
}

void TestMessageHandler::sendAcceptsTheLimits_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("clientMsgId");
    QTest::newRow("16,000 code units") << QString(16000, u'x') << QString();
    // An emoji is two UTF-16 code units: 8,000 of them are exactly the limit.
    QTest::newRow("8,000 emoji") << QStringLiteral("😀").repeated(8000) << QString();
    QTest::newRow("one character") << QStringLiteral("a") << QString();
    QTest::newRow("64-character clientMsgId") << QStringLiteral("hi") << QString(64, u'c');
    QTest::newRow("clientMsgId of every printable")
        << QStringLiteral("hi") << QStringLiteral(" ~!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}");
}

void TestMessageHandler::sendAcceptsTheLimits()
{
    QFETCH(QString, content);
    QFETCH(QString, clientMsgId);
    TestClient alice(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    const auto ack =
        alice.request(protocol::event::MessageSend, sendPayload(m_general.id, content, clientMsgId));
    QVERIFY2(isSuccess(ack), qPrintable(errorOf(ack).value(QStringLiteral("message")).toString()));
    const QJsonObject message = ack->value(QStringLiteral("message")).toObject();
    QCOMPARE(message.value(ContentKey).toString(), content);
    if (clientMsgId.isEmpty())
        QVERIFY(message.value(ClientMsgIdKey).isNull());
    else
        QCOMPARE(message.value(ClientMsgIdKey).toString(), clientMsgId);
    QCOMPARE(storedCount(), 1);
}

void TestMessageHandler::sendRefusesBadPayloads_data()
{
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<QJsonObject>("context"); // what message:error carries besides code and message

    const QString general = QStringLiteral("GENERAL"); // replaced by #general's id
    const QJsonObject onGeneral {{ChannelIdKey, general}};
    auto payloadWith = [&](const QString &key, const QJsonValue &value) {
        QJsonObject payload {{ChannelIdKey, general}, {ContentKey, QStringLiteral("hi")}};
        payload.insert(key, value);
        return payload;
    };

    QTest::newRow("payload is an array")
        << QJsonValue(QJsonArray {general, QStringLiteral("hi")}) << QJsonObject();
    QTest::newRow("payload is a string") << QJsonValue(QStringLiteral("hi")) << QJsonObject();
    QTest::newRow("no payload") << QJsonValue(QJsonValue::Undefined) << QJsonObject();
    QTest::newRow("channelId missing")
        << QJsonValue(QJsonObject {{ContentKey, QStringLiteral("hi")}}) << QJsonObject();
    QTest::newRow("channelId null") << QJsonValue(payloadWith(ChannelIdKey, QJsonValue::Null))
                                    << QJsonObject();
    QTest::newRow("channelId empty") << QJsonValue(payloadWith(ChannelIdKey, QString())) << QJsonObject();
    QTest::newRow("channelId true") << QJsonValue(payloadWith(ChannelIdKey, true)) << QJsonObject();
    QTest::newRow("channelId negative") << QJsonValue(payloadWith(ChannelIdKey, -1)) << QJsonObject();
    QTest::newRow("channelId fraction") << QJsonValue(payloadWith(ChannelIdKey, 1.5)) << QJsonObject();
    QTest::newRow("channelId object")
        << QJsonValue(payloadWith(ChannelIdKey, QJsonObject {{QStringLiteral("id"), 1}})) << QJsonObject();
    QTest::newRow("content missing") << QJsonValue(onGeneral) << onGeneral;
    QTest::newRow("content a number") << QJsonValue(payloadWith(ContentKey, 42)) << onGeneral;
    QTest::newRow("content null") << QJsonValue(payloadWith(ContentKey, QJsonValue::Null)) << onGeneral;
    QTest::newRow("content empty") << QJsonValue(payloadWith(ContentKey, QString())) << onGeneral;
    QTest::newRow("content 16,001 code units")
        << QJsonValue(payloadWith(ContentKey, QString(16001, u'x'))) << onGeneral;
    QTest::newRow("content 8,000 emoji and one more unit")
        << QJsonValue(payloadWith(ContentKey, QStringLiteral("😀").repeated(8000) + u'!')) << onGeneral;
    QTest::newRow("content only whitespace")
        << QJsonValue(payloadWith(ContentKey, QStringLiteral(" \t\n\r \u00a0\u3000"))) << onGeneral;

    const QString longId(65, u'c');
    QJsonObject longIdContext = onGeneral;
    longIdContext.insert(ClientMsgIdKey, longId);
    QTest::newRow("clientMsgId 65 characters")
        << QJsonValue(payloadWith(ClientMsgIdKey, longId)) << longIdContext;
    QJsonObject emptyIdContext = onGeneral;
    emptyIdContext.insert(ClientMsgIdKey, QString());
    QTest::newRow("clientMsgId empty")
        << QJsonValue(payloadWith(ClientMsgIdKey, QString())) << emptyIdContext;
    QTest::newRow("clientMsgId a number") << QJsonValue(payloadWith(ClientMsgIdKey, 7)) << onGeneral;
    QJsonObject accentContext = onGeneral;
    accentContext.insert(ClientMsgIdKey, QStringLiteral("café"));
    QTest::newRow("clientMsgId not ASCII")
        << QJsonValue(payloadWith(ClientMsgIdKey, QStringLiteral("café"))) << accentContext;
    QJsonObject tabContext = onGeneral;
    tabContext.insert(ClientMsgIdKey, QStringLiteral("a\tb"));
    QTest::newRow("clientMsgId with a tab")
        << QJsonValue(payloadWith(ClientMsgIdKey, QStringLiteral("a\tb"))) << tabContext;
    // The payload is checked before the channel: an unknown channel is no excuse.
    QJsonObject unknownChannel {{ChannelIdKey, QStringLiteral("999")}, {ContentKey, QStringLiteral("   ")}};
    QTest::newRow("bad content to an unknown channel")
        << QJsonValue(unknownChannel) << QJsonObject {{ChannelIdKey, QStringLiteral("999")}};
}

void TestMessageHandler::sendRefusesBadPayloads()
{
    QFETCH(QJsonValue, payload);
    QFETCH(QJsonObject, context);
    // The rows name #general by a stand-in: its id is known only once the server runs.
    const auto resolve = [this](QJsonObject object) {
        if (object.value(ChannelIdKey) == QStringLiteral("GENERAL"))
            object.insert(ChannelIdKey, m_general.id);
        return object;
    };
    if (payload.isObject())
        payload = resolve(payload.toObject());
    else if (payload.isArray())
        payload = QJsonArray {m_general.id, QStringLiteral("hi")};
    context = resolve(context);

    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    std::optional<QJsonObject> ack;
    if (payload.isUndefined()) {
        // An event with no argument at all.
        alice.connection().emitWithAck(QStringLiteral("/"), protocol::event::MessageSend, QJsonArray {},
            [&ack](const transport::AckReply &reply) {
                ack = reply.args.isEmpty() ? QJsonObject() : reply.args.first().toObject();
            });
        QTRY_VERIFY(ack.has_value());
    } else {
        ack = alice.request(protocol::event::MessageSend, payload);
    }
    QCOMPARE(errorCode(ack), QStringLiteral("INVALID_PAYLOAD"));
    const QString sentence = errorOf(ack).value(QStringLiteral("message")).toString();
    QVERIFY2(sentence.size() > 10, qPrintable(sentence));

    QVERIFY(alice.waitForEvents(protocol::event::MessageError));
    QJsonObject expected = context;
    expected.insert(QStringLiteral("code"), QStringLiteral("INVALID_PAYLOAD"));
    expected.insert(QStringLiteral("message"), sentence);
    QCOMPARE(alice.eventsNamed(protocol::event::MessageError).first().payload.toObject(), expected);

    QCOMPARE(storedCount(), 0);
    QVERIFY(roundTrip(bob));
    QVERIFY(bob.eventsNamed(protocol::event::MessageNew).isEmpty());
    QVERIFY(bob.eventsNamed(protocol::event::MessageError).isEmpty());
}

void TestMessageHandler::sendToAChannelOutsideYourReach_data()
{
    QTest::addColumn<QString>("channel"); // "general", "secret" or an id
    QTest::addColumn<QString>("code");
    QTest::newRow("unknown channel") << QStringLiteral("999") << QStringLiteral("NOT_FOUND");
    QTest::newRow("id that cannot exist") << QStringLiteral("no-such-id") << QStringLiteral("NOT_FOUND");
    QTest::newRow("private, not a member") << QStringLiteral("secret") << QStringLiteral("NOT_FOUND");
    QTest::newRow("public, not a member") << QStringLiteral("general") << QStringLiteral("FORBIDDEN");
}

void TestMessageHandler::sendToAChannelOutsideYourReach()
{
    QFETCH(QString, channel);
    QFETCH(QString, code);
    const QString channelId = channel == QLatin1String("general") ? m_general.id
        : channel == QLatin1String("secret")                      ? m_secret.id
                                                                  : channel;
    TestClient carol(m_server->url());
    TestClient alice(m_server->url());
    QVERIFY(carol.connectMain(m_carol.token));
    QVERIFY(alice.connectMain(m_alice.token));
    const auto ack = carol.request(protocol::event::MessageSend,
        sendPayload(channelId, QStringLiteral("let me in"), QStringLiteral("k1")));
    QCOMPARE(errorCode(ack), code);
    // A private channel is not named to outsiders: same words as for one that does not exist.
    const QString sentence = errorOf(ack).value(QStringLiteral("message")).toString();
    QVERIFY(!sentence.isEmpty());
    QCOMPARE(sentence.contains(QLatin1String("secret")), false);

    QVERIFY(carol.waitForEvents(protocol::event::MessageError));
    const QJsonObject error = carol.eventsNamed(protocol::event::MessageError).first().payload.toObject();
    QCOMPARE(error,
        (QJsonObject {{QStringLiteral("code"), code}, {QStringLiteral("message"), sentence},
            {ChannelIdKey, channelId}, {ClientMsgIdKey, QStringLiteral("k1")}}));
    QCOMPARE(storedCount(), 0);
    QVERIFY(roundTrip(alice));
    QVERIFY(alice.eventsNamed(protocol::event::MessageNew).isEmpty());
}

// A send's membership is read from the channel room first (not the database): leaving on
// one session must take every session of the user out of the room, and joining again on
// another must let them all back in.
void TestMessageHandler::leavingOnOneSessionStopsSendingOnAll()
{
    TestClient laptop(m_server->url());
    TestClient phone(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(laptop.connectMain(m_alice.token));
    QVERIFY(phone.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    QVERIFY(
        isSuccess(laptop.request(protocol::event::ChannelLeave, QJsonObject {{ChannelIdKey, m_general.id}})));

    const auto refused = phone.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("after leaving"), QStringLiteral("p-1")));
    QCOMPARE(errorCode(refused), QStringLiteral("FORBIDDEN"));
    QCOMPARE(storedCount(), 0);

    QVERIFY(
        isSuccess(phone.request(protocol::event::ChannelJoin, QJsonObject {{ChannelIdKey, m_general.id}})));
    const auto sent = laptop.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("back again"), QStringLiteral("l-1")));
    QVERIFY(isSuccess(sent));
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew));
    QCOMPARE(
        bob.eventsNamed(protocol::event::MessageNew).first().payload.toObject().value(ContentKey).toString(),
        QStringLiteral("back again"));
    QCOMPARE(storedCount(), 1);
}

void TestMessageHandler::repeatedClientMsgIdGetsTheFirstAck()
{
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    const auto first = alice.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("once"), QStringLiteral("c-1")));
    QVERIFY(isSuccess(first));
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew));

    // Again, and with other content: the first ack, word for word, and nothing new.
    const auto again = alice.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("twice"), QStringLiteral("c-1")));
    QCOMPARE(again, first);
    // The repeat is recognised before the channel is looked at (the contract's order).
    const auto elsewhere = alice.request(protocol::event::MessageSend,
        sendPayload(QStringLiteral("999"), QStringLiteral("x"), QStringLiteral("c-1")));
    QCOMPARE(elsewhere, first);
    // ...and when sent to another channel she is in, where it is found inside the commit.
    const auto inAnotherChannel = alice.request(
        protocol::event::MessageSend, sendPayload(m_secret.id, QStringLiteral("x"), QStringLiteral("c-1")));
    QCOMPARE(inAnotherChannel, first);
    // The same id from another user is another message.
    const auto fromBob = bob.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("mine"), QStringLiteral("c-1")));
    QVERIFY(isSuccess(fromBob));
    QCOMPARE(fromBob->value(QStringLiteral("seq")).toInteger(), 2);

    QCOMPARE(storedCount(QStringLiteral("client_msg_id = 'c-1' AND user_id = ?"), {m_alice.user.id}), 1);
    QCOMPARE(storedCount(QStringLiteral("content = 'twice'")), 0);
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew, 2));
    QVERIFY(roundTrip(bob));
    QCOMPARE(seqsOf(bob.eventsNamed(protocol::event::MessageNew)), (QList<qint64> {1, 2}));
    QVERIFY(alice.eventsNamed(protocol::event::MessageError).isEmpty());
}

void TestMessageHandler::repeatsWithinOneCommitWriteOneRow()
{
    ServerConfig config;
    config.commitWindow = 300ms; // wide enough for both sends to share a commit
    startServer(config);
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));

    PendingAcks pending;
    pending.emitWithAck(alice, protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("one"), QStringLiteral("dup")));
    pending.emitWithAck(alice, protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("two"), QStringLiteral("dup")));
    pending.emitWithAck(
        alice, protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("three")));
    QVERIFY(pending.waitForAll());
    const auto &acks = pending.acks();
    QVERIFY(isSuccess(acks[0]));
    QCOMPARE(acks[1], acks[0]);
    QCOMPARE(acks[0]->value(QStringLiteral("message")).toObject().value(ContentKey).toString(),
        QStringLiteral("one"));
    QVERIFY(isSuccess(acks[2]));
    QCOMPARE(acks[2]->value(QStringLiteral("seq")).toInteger(), 2);

    QCOMPARE(storedCount(), 2);
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew, 2));
    QVERIFY(roundTrip(bob));
    QCOMPARE(seqsOf(bob.eventsNamed(protocol::event::MessageNew)), (QList<qint64> {1, 2}));
}

void TestMessageHandler::repeatedClientMsgIdAfterRestart()
{
    startServer({}, TestServer::Storage::TemporaryFile);
    std::optional<QJsonObject> first;
    {
        TestClient alice(m_server->url());
        QVERIFY(alice.connectMain(m_alice.token));
        first = alice.request(protocol::event::MessageSend,
            sendPayload(m_general.id, QStringLiteral("durable"), QStringLiteral("r-1")));
        QVERIFY(isSuccess(first));
    }
    QVERIFY(m_server->restart());

    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_server->tokenFor(m_alice.user.id)));
    QVERIFY(bob.connectMain(m_server->tokenFor(m_bob.user.id)));
    const auto again = alice.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("durable"), QStringLiteral("r-1")));
    QCOMPARE(again, first);
    QCOMPARE(storedCount(), 1);
    QVERIFY(roundTrip(bob));
    QVERIFY(bob.eventsNamed(protocol::event::MessageNew).isEmpty());
}

void TestMessageHandler::seqIsGapFreeUnderConcurrentSends_data()
{
    QTest::addColumn<int>("windowMs");
    QTest::newRow("default 2 ms window") << 2;
    QTest::newRow("zero window") << 0;
    QTest::newRow("50 ms window") << 50;
}

void TestMessageHandler::seqIsGapFreeUnderConcurrentSends()
{
    QFETCH(int, windowMs);
    ServerConfig config;
    config.commitWindow = std::chrono::milliseconds(windowMs);
    config.limits.eventBurst = 1000;
    startServer(config);
    m_server->addMember(m_general.id, m_carol.user.id);
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    TestClient carol(m_server->url());
    const QList<TestClient *> clients {&alice, &bob, &carol};
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    QVERIFY(carol.connectMain(m_carol.token));

    constexpr int Sends = 200;
    PendingAcks pending;
    for (int i = 0; i < Sends; ++i) {
        pending.emitWithAck(*clients[i % 3], protocol::event::MessageSend,
            sendPayload(m_general.id, QStringLiteral("message %1").arg(i), QStringLiteral("q-%1").arg(i)));
    }
    QVERIFY(pending.waitForAll(60s));
    QList<qint64> ackedSeqs;
    for (const auto &ack : pending.acks()) {
        QVERIFY2(isSuccess(ack), qPrintable(errorCode(ack)));
        ackedSeqs << ack->value(QStringLiteral("seq")).toInteger();
    }
    std::sort(ackedSeqs.begin(), ackedSeqs.end());
    QCOMPARE(ackedSeqs, range(1, Sends));

    // Every member sees 1..200 in commit order, no gap, no repeat.
    for (TestClient *client : clients) {
        QVERIFY(client->waitForEvents(protocol::event::MessageNew, Sends, 60s));
        QCOMPARE(seqsOf(client->eventsNamed(protocol::event::MessageNew)), range(1, Sends));
    }
    QCOMPARE(storedCount(), Sends);
    QCOMPARE(*m_server->server().store().messages().lastSeq(m_general.id), Sends);
}

void TestMessageHandler::burstPastTheLimitIsRateLimited()
{
    ServerConfig config;
    config.limits.eventRate = 1; // so that hardly anything refills during the test
    config.limits.eventBurst = 40;
    startServer(config);
    TestClient alice(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));

    constexpr int Sends = 45;
    PendingAcks pending;
    for (int i = 0; i < Sends; ++i) {
        pending.emitWithAck(alice, protocol::event::MessageSend,
            sendPayload(m_general.id, QStringLiteral("burst %1").arg(i), QStringLiteral("b-%1").arg(i)));
    }
    QVERIFY(pending.waitForAll());
    qsizetype accepted = 0;
    qsizetype limited = 0;
    for (int i = 0; i < Sends; ++i) {
        const auto &ack = pending.acks()[i];
        if (i < 40)
            QVERIFY2(isSuccess(ack), qPrintable(QStringLiteral("send %1: %2").arg(i).arg(errorCode(ack))));
        if (isSuccess(ack)) {
            ++accepted;
            continue;
        }
        QCOMPARE(errorCode(ack), QStringLiteral("RATE_LIMITED"));
        QVERIFY(errorOf(ack).value(QStringLiteral("retryAfterMs")).toInteger() > 0);
        ++limited;
    }
    QVERIFY(limited >= 1);
    QCOMPARE(storedCount(), accepted);

    // Each refusal came with message:error naming the send.
    QVERIFY(alice.waitForEvents(protocol::event::MessageError, limited));
    const QJsonObject error = alice.eventsNamed(protocol::event::MessageError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("RATE_LIMITED"));
    QVERIFY(error.value(QStringLiteral("retryAfterMs")).toInteger() > 0);
    QCOMPARE(error.value(ChannelIdKey).toString(), m_general.id);
    QVERIFY(error.value(ClientMsgIdKey).toString().startsWith(QLatin1String("b-")));

    // The rate is the last check: what fails earlier says so, a repeat is still answered.
    QCOMPARE(errorCode(
                 alice.request(protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral(" ")))),
        QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(alice.request(
                 protocol::event::MessageSend, sendPayload(QStringLiteral("999"), QStringLiteral("x")))),
        QStringLiteral("NOT_FOUND"));
    QCOMPARE(alice.request(protocol::event::MessageSend,
                 sendPayload(m_general.id, QStringLiteral("x"), QStringLiteral("b-0"))),
        pending.acks().first());
    QCOMPARE(errorCode(
                 alice.request(protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("x")))),
        QStringLiteral("RATE_LIMITED"));
}

void TestMessageHandler::ackWaitsForTheCommit()
{
    ServerConfig config;
    config.commitWindow = 400ms;
    startServer(config);
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));

    PendingAcks pending;
    pending.emitWithAck(
        alice, protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("patience")));
    // Looked at after every turn of the event loop: while the row is not stored there is
    // no ack and no broadcast, and whichever of them comes first finds it stored. Checked
    // on what arrives, not on a fixed wait, so a slow machine cannot make it pass or fail.
    bool sawItUnstored = false;
    qint64 storedWhenAnswered = -1;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const bool answered =
                pending.answered() > 0 || !bob.eventsNamed(protocol::event::MessageNew).isEmpty();
            const qint64 stored = storedCount();
            if (!answered) {
                sawItUnstored = sawItUnstored || stored == 0;
                return false;
            }
            storedWhenAnswered = stored;
            return true;
        },
        10000));
    QVERIFY(sawItUnstored);
    QCOMPARE(storedWhenAnswered, 1);
    QVERIFY(pending.waitForAll());
    QVERIFY(isSuccess(pending.acks().first()));
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew));
}

void TestMessageHandler::failedCommitAcksInternalAndBroadcastsNothing()
{
    ServerConfig config;
    config.commitWindow = 200ms; // both sends in the one commit that fails
    startServer(config, TestServer::Storage::TemporaryFile);
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));

    const store::Database &database = m_server->server().store().database();
    QVERIFY(breakCommits(database));

    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("cannot execute \"COMMIT\": FOREIGN KEY")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("commit of 2 messages failed")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("message:send from user .* failed: .*FOREIGN KEY")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("message:send from user .* failed: .*FOREIGN KEY")));
    PendingAcks pending;
    pending.emitWithAck(alice, protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("lost 1"), QStringLiteral("f-1")));
    pending.emitWithAck(
        alice, protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("lost 2")));
    QVERIFY(pending.waitForAll());
    for (const auto &ack : pending.acks()) {
        QCOMPARE(errorCode(ack), QStringLiteral("INTERNAL"));
        const QString sentence = errorOf(ack).value(QStringLiteral("message")).toString();
        QVERIFY(!sentence.isEmpty());
        QVERIFY2(!sentence.contains(QLatin1String("FOREIGN"), Qt::CaseInsensitive), qPrintable(sentence));
    }
    QVERIFY(alice.waitForEvents(protocol::event::MessageError, 2));
    const QJsonObject error = alice.eventsNamed(protocol::event::MessageError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("INTERNAL"));
    QCOMPARE(error.value(ClientMsgIdKey).toString(), QStringLiteral("f-1"));
    QCOMPARE(storedCount(), 0);
    QVERIFY(roundTrip(bob));
    QVERIFY(bob.eventsNamed(protocol::event::MessageNew).isEmpty());

    // Once the fault is gone the same clientMsgId is a new send, and seq 1 was never taken.
    QVERIFY(database.run(QStringLiteral("DROP TRIGGER doom")));
    const auto retried = alice.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("saved"), QStringLiteral("f-1")));
    QVERIFY(isSuccess(retried));
    QCOMPARE(retried->value(QStringLiteral("seq")).toInteger(), 1);
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew));
}

// A repeat goes to the writer with new sends (its clientMsgId is looked up inside the
// commit); when that commit fails, the repeat still gets the first send's ack.
void TestMessageHandler::repeatInAFailedCommitGetsTheFirstAck()
{
    ServerConfig config;
    config.commitWindow = 200ms; // the repeat and the new send in the one commit that fails
    startServer(config, TestServer::Storage::TemporaryFile);
    TestClient alice(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    const auto first = alice.request(protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("stored"), QStringLiteral("r-1")));
    QVERIFY(isSuccess(first));

    QVERIFY(breakCommits(m_server->server().store().database()));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("cannot execute \"COMMIT\": FOREIGN KEY")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("commit of 2 messages failed")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("message:send from user .* failed: .*FOREIGN KEY")));
    PendingAcks pending;
    pending.emitWithAck(alice, protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("again"), QStringLiteral("r-1")));
    pending.emitWithAck(alice, protocol::event::MessageSend,
        sendPayload(m_general.id, QStringLiteral("doomed"), QStringLiteral("r-2")));
    QVERIFY(pending.waitForAll());
    QCOMPARE(pending.acks().at(0), first);
    QCOMPARE(errorCode(pending.acks().at(1)), QStringLiteral("INTERNAL"));
    QCOMPARE(storedCount(), 1);
}

// The rooms are what a send is checked against first: a membership removed or added in
// the store directly (tests, admin tools) is followed once ChatServer::refreshMembership
// is told, on every session of the user.
void TestMessageHandler::membershipChangedInTheStoreIsFollowed()
{
    TestClient alice(m_server->url());
    TestClient alicePhone(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(alicePhone.connectMain(m_alice.token));
    store::ChannelRepository &channels = m_server->server().store().channels();
    QVERIFY(channels.removeMember(m_general.id, m_alice.user.id));
    m_server->server().refreshMembership(m_alice.user.id, m_general.id);
    const auto refused =
        alice.request(protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("out")));
    QCOMPARE(errorCode(refused), QStringLiteral("FORBIDDEN"));
    QCOMPARE(m_server->server().rooms().find(RoomRegistry::channelRoom(m_general.id)), nullptr);

    QVERIFY(channels.addMember(m_general.id, m_alice.user.id));
    m_server->server().refreshMembership(m_alice.user.id, m_general.id);
    QVERIFY(isSuccess(
        alice.request(protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("back")))));
    QCOMPARE(m_server->server().rooms().members(RoomRegistry::channelRoom(m_general.id)).size(), 2);
    QCOMPARE(storedCount(), 1);
}

void TestMessageHandler::failedItemLeavesTheRestOfTheCommit()
{
    ServerConfig config;
    config.commitWindow = 200ms; // the three sends share one transaction
    startServer(config);
    TestClient alice(m_server->url());
    TestClient bob(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    QVERIFY(bob.connectMain(m_bob.token));
    // A real failure of one insert in the middle of the batch.
    QVERIFY(m_server->server().store().database().run(
        QStringLiteral("CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.content = 'poison'"
                       " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END")));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("poisoned row")));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("message:send from user .* failed: .*poisoned row")));
    PendingAcks pending;
    for (const QString &content :
        {QStringLiteral("before"), QStringLiteral("poison"), QStringLiteral("after")})
        pending.emitWithAck(alice, protocol::event::MessageSend, sendPayload(m_general.id, content));
    QVERIFY(pending.waitForAll());
    const auto &acks = pending.acks();
    QVERIFY(isSuccess(acks[0]));
    QCOMPARE(errorCode(acks[1]), QStringLiteral("INTERNAL"));
    QVERIFY(isSuccess(acks[2]));
    QCOMPARE(acks[0]->value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(acks[2]->value(QStringLiteral("seq")).toInteger(), 2); // no gap where it failed

    QVERIFY(bob.waitForEvents(protocol::event::MessageNew, 2));
    QVERIFY(roundTrip(bob));
    QCOMPARE(seqsOf(bob.eventsNamed(protocol::event::MessageNew)), (QList<qint64> {1, 2}));
    QCOMPARE(storedCount(), 2);
}

void TestMessageHandler::senderGoneBeforeTheCommitStillBroadcasts()
{
    ServerConfig config;
    config.commitWindow = 1s;
    startServer(config);
    TestClient bob(m_server->url());
    QVERIFY(bob.connectMain(m_bob.token));
    {
        TestClient alice(m_server->url());
        QVERIFY(alice.connectMain(m_alice.token));
        alice.send(protocol::event::MessageSend,
            sendPayload(m_general.id, QStringLiteral("fire and forget"), QStringLiteral("g-1")));
        QVERIFY(roundTrip(alice)); // the send has reached the server
    }
    QTRY_COMPARE(m_server->server().connectionCount(), 1);
    QCOMPARE(storedCount(), 0); // alice was gone before the commit
    QVERIFY(bob.waitForEvents(protocol::event::MessageNew));
    QCOMPARE(
        bob.eventsNamed(protocol::event::MessageNew).first().payload.toObject().value(ContentKey).toString(),
        QStringLiteral("fire and forget"));
    QCOMPARE(storedCount(QStringLiteral("client_msg_id = 'g-1'")), 1);
}

void TestMessageHandler::shutdownCommitsAndAcksWhatIsWaiting()
{
    ServerConfig config;
    config.commitWindow = 60s; // only the shutdown's flush can commit it
    startServer(config);
    TestClient alice(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    PendingAcks pending;
    pending.emitWithAck(
        alice, protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("last words")));
    QVERIFY(roundTrip(alice));
    QCOMPARE(pending.answered(), 0);

    m_server->server().shutdown(5s);
    QVERIFY(pending.waitForAll());
    QVERIFY(isSuccess(pending.acks().first()));
    QVERIFY(alice.waitForEvents(protocol::event::MessageNew));
    QVERIFY(alice.waitForEvents(protocol::event::ConnectionClosing));
    // The ack and the broadcast come before the goodbye.
    const auto &events = alice.events();
    const auto closing = std::find_if(events.cbegin(), events.cend(),
        [](const ReceivedEvent &event) { return event.name == protocol::event::ConnectionClosing; });
    const auto broadcast = std::find_if(events.cbegin(), events.cend(),
        [](const ReceivedEvent &event) { return event.name == protocol::event::MessageNew; });
    QVERIFY(broadcast < closing);
}

void TestMessageHandler::historyPages_data()
{
    // #general holds seqs 1..7; the server's page is 4 by default, 5 at most.
    QTest::addColumn<QJsonObject>("query"); // besides channelId
    QTest::addColumn<QList<qint64>>("seqs");
    QTest::addColumn<bool>("hasMore");
    const QString before = QStringLiteral("beforeSeq");
    const QString after = QStringLiteral("afterSeq");
    const QString limit = QStringLiteral("limit");
    QTest::newRow("newest, default page") << QJsonObject() << QList<qint64> {4, 5, 6, 7} << true;
    QTest::newRow("newest 3") << QJsonObject {{limit, 3}} << QList<qint64> {5, 6, 7} << true;
    QTest::newRow("newest 7") << QJsonObject {{limit, 7}} << QList<qint64> {3, 4, 5, 6, 7}
                              << true; // capped at 5
    QTest::newRow("limit far past the cap")
        << QJsonObject {{limit, 1e12}} << QList<qint64> {3, 4, 5, 6, 7} << true;
    QTest::newRow("before 5, 3") << QJsonObject {{before, 5}, {limit, 3}} << QList<qint64> {2, 3, 4} << true;
    QTest::newRow("before 4, 3") << QJsonObject {{before, 4}, {limit, 3}} << QList<qint64> {1, 2, 3} << false;
    QTest::newRow("before 3, default") << QJsonObject {{before, 3}} << QList<qint64> {1, 2} << false;
    QTest::newRow("before 1") << QJsonObject {{before, 1}} << QList<qint64> {} << false;
    QTest::newRow("before past the end")
        << QJsonObject {{before, 100}, {limit, 2}} << QList<qint64> {6, 7} << true;
    QTest::newRow("after 2, 3") << QJsonObject {{after, 2}, {limit, 3}} << QList<qint64> {3, 4, 5} << true;
    QTest::newRow("after 4, 3") << QJsonObject {{after, 4}, {limit, 3}} << QList<qint64> {5, 6, 7} << false;
    QTest::newRow("after 0: from the start")
        << QJsonObject {{after, 0}} << QList<qint64> {1, 2, 3, 4} << true;
    QTest::newRow("after the last") << QJsonObject {{after, 7}} << QList<qint64> {} << false;
    QTest::newRow("null cursors are no cursors")
        << QJsonObject {{before, QJsonValue::Null}, {after, QJsonValue::Null}, {limit, 2}}
        << QList<qint64> {6, 7} << true;
}

void TestMessageHandler::historyPages()
{
    QFETCH(QJsonObject, query);
    QFETCH(QList<qint64>, seqs);
    QFETCH(bool, hasMore);
    ServerConfig config;
    config.limits.historyPage = 4;
    config.limits.historyMax = 5;
    startServer(config);
    TestClient bob(m_server->url());
    TestClient alice(m_server->url());
    QVERIFY(bob.connectMain(m_bob.token));
    QVERIFY(alice.connectMain(m_alice.token));
    QList<QJsonObject> sent;
    for (int i = 1; i <= 7; ++i) {
        const auto ack = alice.request(
            protocol::event::MessageSend, sendPayload(m_general.id, QStringLiteral("m%1").arg(i)));
        QVERIFY(isSuccess(ack));
        sent << ack->value(QStringLiteral("message")).toObject();
    }

    query.insert(ChannelIdKey, m_general.id);
    const auto ack = bob.request(protocol::event::MessageHistory, query);
    QVERIFY2(isSuccess(ack), qPrintable(errorOf(ack).value(QStringLiteral("message")).toString()));
    const QJsonArray messages = ack->value(QStringLiteral("messages")).toArray();
    QCOMPARE(seqsOf(messages), seqs);
    QCOMPARE(ack->value(QStringLiteral("hasMore")).toBool(), hasMore);
    QVERIFY(ack->value(QStringLiteral("hasMore")).isBool());
    // History gives the very Message objects that the sends were acked with.
    for (const QJsonValue &message : messages) {
        const qint64 seq = message.toObject().value(QStringLiteral("seq")).toInteger();
        QCOMPARE(message.toObject(), sent.at(seq - 1));
    }
}

void TestMessageHandler::historyRefusesBadRequests_data()
{
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<bool>("namesChannel"); // the error event carries channelId
    const QString general = QStringLiteral("GENERAL");
    auto query = [&](const QString &key, const QJsonValue &value) {
        QJsonObject payload {{ChannelIdKey, general}};
        payload.insert(key, value);
        return QJsonValue(payload);
    };
    QTest::newRow("payload is a number") << QJsonValue(7) << false;
    QTest::newRow("channelId missing") << QJsonValue(QJsonObject {{QStringLiteral("limit"), 5}}) << false;
    QTest::newRow("channelId false") << QJsonValue(QJsonObject {{ChannelIdKey, false}}) << false;
    QTest::newRow("both cursors") << QJsonValue(QJsonObject {{ChannelIdKey, general},
                                         {QStringLiteral("beforeSeq"), 5}, {QStringLiteral("afterSeq"), 2}})
                                  << true;
    QTest::newRow("beforeSeq 0") << query(QStringLiteral("beforeSeq"), 0) << true;
    QTest::newRow("beforeSeq negative") << query(QStringLiteral("beforeSeq"), -3) << true;
    QTest::newRow("beforeSeq a string") << query(QStringLiteral("beforeSeq"), QStringLiteral("5")) << true;
    QTest::newRow("afterSeq negative") << query(QStringLiteral("afterSeq"), -1) << true;
    QTest::newRow("afterSeq fraction") << query(QStringLiteral("afterSeq"), 2.5) << true;
    QTest::newRow("limit 0") << query(QStringLiteral("limit"), 0) << true;
    QTest::newRow("limit negative") << query(QStringLiteral("limit"), -10) << true;
    QTest::newRow("limit fraction") << query(QStringLiteral("limit"), 2.5) << true;
    QTest::newRow("limit a string") << query(QStringLiteral("limit"), QStringLiteral("10")) << true;
    QTest::newRow("limit an array") << query(QStringLiteral("limit"), QJsonArray {10}) << true;
}

void TestMessageHandler::historyRefusesBadRequests()
{
    QFETCH(QJsonValue, payload);
    QFETCH(bool, namesChannel);
    if (payload.isObject() && payload.toObject().value(ChannelIdKey) == QStringLiteral("GENERAL")) {
        QJsonObject object = payload.toObject();
        object.insert(ChannelIdKey, m_general.id);
        payload = object;
    }
    TestClient alice(m_server->url());
    QVERIFY(alice.connectMain(m_alice.token));
    const auto ack = alice.request(protocol::event::MessageHistory, payload);
    QCOMPARE(errorCode(ack), QStringLiteral("INVALID_PAYLOAD"));
    const QString sentence = errorOf(ack).value(QStringLiteral("message")).toString();
    QVERIFY2(sentence.size() > 10, qPrintable(sentence));
    QVERIFY(alice.waitForEvents(protocol::event::MessageError));
    QJsonObject expected {
        {QStringLiteral("code"), QStringLiteral("INVALID_PAYLOAD")}, {QStringLiteral("message"), sentence}};
    if (namesChannel)
        expected.insert(ChannelIdKey, m_general.id);
    QCOMPARE(alice.eventsNamed(protocol::event::MessageError).first().payload.toObject(), expected);
}

void TestMessageHandler::historyOfAChannelOutsideYourReach_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QString>("code");
    QTest::newRow("unknown channel") << QStringLiteral("999") << QStringLiteral("NOT_FOUND");
    QTest::newRow("private, not a member") << QStringLiteral("secret") << QStringLiteral("NOT_FOUND");
    QTest::newRow("public, not a member") << QStringLiteral("general") << QStringLiteral("FORBIDDEN");
}

void TestMessageHandler::historyOfAChannelOutsideYourReach()
{
    QFETCH(QString, channel);
    QFETCH(QString, code);
    const QString channelId = channel == QLatin1String("general") ? m_general.id
        : channel == QLatin1String("secret")                      ? m_secret.id
                                                                  : channel;
    TestClient carol(m_server->url());
    QVERIFY(carol.connectMain(m_carol.token));
    const auto ack = carol.request(protocol::event::MessageHistory, QJsonObject {{ChannelIdKey, channelId}});
    QCOMPARE(errorCode(ack), code);
    QVERIFY(!ack->contains(QStringLiteral("messages")));
    QVERIFY(carol.waitForEvents(protocol::event::MessageError));
    const QJsonObject error = carol.eventsNamed(protocol::event::MessageError).first().payload.toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), code);
    QCOMPARE(error.value(ChannelIdKey).toString(), channelId);
    QVERIFY(!error.contains(ClientMsgIdKey));
}

QTEST_GUILESS_MAIN(TestMessageHandler)
#include "tst_messagehandler.moc"
