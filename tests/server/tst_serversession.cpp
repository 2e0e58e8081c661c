#include "auth/authenticator.h"
#include "core/serversession.h"
#include "protocol/catalogue.h"
#include "serverharness.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;

// The connection stages of docs/protocol.md section 3 on a real loopback server:
// the one token check at CONNECT, rooms joined before connection:ready, and what
// ends a session.
class TestServerSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void validTokenGetsReadyWithChannelsAndRooms();
    void refusedConnectCarriesTheCodeAndKeepsTheSocket_data();
    void refusedConnectCarriesTheCodeAndKeepsTheSocket();
    void tokenFromQueryParameterIsAccepted();
    void unknownNamespaceIsRefused();
    void unknownEventIsAnsweredNotFatal();
    void disconnectLeavesEveryRoom();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestServerSession::init()
{
    m_server = std::make_unique<TestServer>();
    QVERIFY(m_server->start());
}

void TestServerSession::cleanup()
{
    m_server.reset();
}

void TestServerSession::validTokenGetsReadyWithChannelsAndRooms()
{
    const auto alice = m_server->createUser(QStringLiteral("alice"), QStringLiteral("Alice A."));
    const auto general = m_server->createChannel(QStringLiteral("general"), alice.user.id);
    TestClient client(m_server->url());
    const auto ready = client.connectMain(alice.token);
    QVERIFY(ready);
    QCOMPARE(ready->value(QStringLiteral("user")).toObject(), alice.user.toJson());
    const QJsonArray channels = ready->value(QStringLiteral("channels")).toArray();
    QCOMPARE(channels.size(), 1);
    QCOMPARE(channels.first().toObject().value(QStringLiteral("id")).toString(), general.id);
    QVERIFY(!ready->value(QStringLiteral("sessionId")).toString().isEmpty());
    QVERIFY(protocol::parseTimestamp(ready->value(QStringLiteral("serverTime")).toString()).isValid());

    const RoomRegistry &rooms = m_server->server().rooms();
    QCOMPARE(rooms.members(RoomRegistry::userRoom(alice.user.id)).size(), 1);
    QCOMPARE(rooms.members(RoomRegistry::channelRoom(general.id)).size(), 1);
}

void TestServerSession::refusedConnectCarriesTheCodeAndKeepsTheSocket_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("code");
    QTest::newRow("missing") << "missing"
                             << "AUTH_MISSING";
    QTest::newRow("garbage") << "garbage"
                             << "AUTH_INVALID";
    QTest::newRow("expired") << "expired"
                             << "AUTH_EXPIRED";
    QTest::newRow("unknown user") << "unknown"
                                  << "AUTH_INVALID";
}

void TestServerSession::refusedConnectCarriesTheCodeAndKeepsTheSocket()
{
    QFETCH(QString, kind);
    QFETCH(QString, code);
    const auto bob = m_server->createUser(QStringLiteral("bob"));
    QJsonObject auth;
    if (kind == QLatin1String("garbage"))
        auth.insert(QStringLiteral("token"), QStringLiteral("not.a.jwt"));
    else if (kind == QLatin1String("unknown"))
        auth.insert(QStringLiteral("token"),
            m_server->server().authenticator().issueToken(QStringLiteral("999"), 1).token);
    else if (kind == QLatin1String("expired")) {
        // Past exp by more than the 5 s leeway, signed with this server's key.
        auth.insert(QStringLiteral("token"), m_server->expiredTokenFor(bob.user.id));
    }
    TestClient client(m_server->url());
    QVERIFY(!client.connectMainWith(auth));
    const QJsonObject refusal = client.refusal().toObject();
    QCOMPARE(refusal.value(QStringLiteral("message")).toString(), QStringLiteral("unauthorized"));
    QCOMPARE(refusal.value(QStringLiteral("data")).toObject().value(QStringLiteral("code")).toString(), code);
    QVERIFY(!client.isClosed());
    // The same socket may CONNECT again with a good token.
    QVERIFY(client.connectMain(bob.token));
}

void TestServerSession::tokenFromQueryParameterIsAccepted()
{
    const auto carol = m_server->createUser(QStringLiteral("carol"));
    TestClient client(m_server->url(QStringLiteral("token=") + carol.token));
    const auto ready = client.connectMainWith({});
    QVERIFY(ready);
    QCOMPARE(ready->value(QStringLiteral("user")).toObject().value(QStringLiteral("username")).toString(),
        QStringLiteral("carol"));
}

void TestServerSession::unknownNamespaceIsRefused()
{
    TestClient client(m_server->url());
    client.connection().connectNamespace(QStringLiteral("/admin"));
    QTRY_VERIFY(client.refusal().isObject());
    QCOMPARE(client.refusal().toObject().value(QStringLiteral("message")).toString(),
        QStringLiteral("Invalid namespace"));
}

void TestServerSession::unknownEventIsAnsweredNotFatal()
{
    const auto dave = m_server->createUser(QStringLiteral("dave"));
    TestClient client(m_server->url());
    QVERIFY(client.connectMain(dave.token));
    const auto ack = client.request(QStringLiteral("nonsense:event"), QJsonObject {});
    QCOMPARE(errorCode(ack), QStringLiteral("INVALID_PAYLOAD"));
    QVERIFY(!client.isClosed());
}

void TestServerSession::disconnectLeavesEveryRoom()
{
    const auto erin = m_server->createUser(QStringLiteral("erin"));
    m_server->createChannel(QStringLiteral("random"), erin.user.id);
    {
        TestClient client(m_server->url());
        QVERIFY(client.connectMain(erin.token));
        QCOMPARE(m_server->server().rooms().roomCount(), 2);
    }
    QTRY_COMPARE(m_server->server().connectionCount(), 0);
    QCOMPARE(m_server->server().rooms().roomCount(), 0);
    QCOMPARE(m_server->server().rooms().connectionCount(), 0);
}

QTEST_GUILESS_MAIN(TestServerSession)
#include "tst_serversession.moc"
