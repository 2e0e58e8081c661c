#include "auth/authenticator.h"
#include "core/serversession.h"
#include "protocol/catalogue.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
    void mainDisconnectStopsBroadcastsUntilConnectedAgain();
    void expiredTokenEndsTheMainNamespace();
    void binaryPacketClosesOnlyThatConnection();
    void slowConsumerIsCutOffWhileOthersCarryOn();
    void shutdownTellsEveryClientAndStops();
    void serverDeletedRightAfterStoppingWithClients();

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

// A client that leaves `/` but keeps its socket gets no more message:new (broadcasts skip
// it by its rooms and its stage), and is back in its rooms after a new CONNECT.
void TestServerSession::mainDisconnectStopsBroadcastsUntilConnectedAgain()
{
    const auto hana = m_server->createUser(QStringLiteral("hana"));
    const auto ivan = m_server->createUser(QStringLiteral("ivan"));
    const auto channel = m_server->createChannel(QStringLiteral("lobby"), hana.user.id);
    m_server->addMember(channel.id, ivan.user.id);
    TestClient listener(m_server->url());
    TestClient sender(m_server->url());
    QVERIFY(listener.connectMain(hana.token));
    QVERIFY(sender.connectMain(ivan.token));
    const auto say = [&sender, &channel](const QString &text) {
        return isSuccess(sender.request(QString(protocol::event::MessageSend),
            QJsonObject {{QStringLiteral("channelId"), channel.id}, {QStringLiteral("content"), text}}));
    };

    listener.connection().disconnectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(m_server->server().rooms().members(RoomRegistry::channelRoom(channel.id)).size(), 1);
    QVERIFY(say(QStringLiteral("while away")));
    QVERIFY(listener.connectMain(hana.token)); // the same socket
    QVERIFY(say(QStringLiteral("welcome back")));
    QVERIFY(listener.waitForEvents(QString(protocol::event::MessageNew)));
    const auto received = listener.eventsNamed(protocol::event::MessageNew);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().payload.toObject().value(QStringLiteral("content")).toString(),
        QStringLiteral("welcome back"));
    QVERIFY(!listener.isClosed());
}

void TestServerSession::expiredTokenEndsTheMainNamespace()
{
    ServerConfig config;
    config.tokenLifetime = 1s;
    TestServer server(TestServer::Storage::Memory, config);
    QVERIFY(server.start());
    const auto frank = server.createUser(QStringLiteral("frank"));
    server.createChannel(QStringLiteral("general"), frank.user.id);
    TestClient client(server.url());
    QVERIFY(client.connectMain(frank.token));
    QVERIFY(client.waitForEvents(QString(protocol::event::AuthExpired)));
    const QJsonObject expired = client.eventsNamed(protocol::event::AuthExpired).first().payload.toObject();
    QVERIFY(protocol::parseTimestamp(expired.value(QStringLiteral("expiresAt")).toString()).isValid());
    // DISCONNECT from `/`: no rooms left, but the socket stays for a new CONNECT.
    QTRY_VERIFY(!client.connection().isNamespaceConnected(QStringLiteral("/")));
    QCOMPARE(server.server().rooms().roomCount(), 0);
    QVERIFY(!client.isClosed());
    QCOMPARE(server.server().connectionCount(), 1);
}

void TestServerSession::binaryPacketClosesOnlyThatConnection()
{
    const auto gina = m_server->createUser(QStringLiteral("gina"));
    TestClient bystander(m_server->url());
    QVERIFY(bystander.connectMain(gina.token));
    TestClient client(m_server->url());
    QVERIFY(client.connectMain(gina.token));
    client.connection().emitEvent(QStringLiteral("/"), QStringLiteral("message:send"),
        QJsonArray {QJsonObject {{QStringLiteral("_placeholder"), true}, {QStringLiteral("num"), 0}}},
        {QByteArray("\x01\x02")});
    // Refused at the packet header, as any malformed packet: closed, nothing buffered.
    QVERIFY(client.waitForClose());
    QVERIFY2(
        client.closeReason().contains(QLatin1String("transport close")), qPrintable(client.closeReason()));
    QTRY_COMPARE(m_server->server().connectionCount(), 1);
    QVERIFY(!bystander.isClosed());
    QCOMPARE(errorCode(bystander.request(QStringLiteral("nonsense"), QJsonObject {})),
        QStringLiteral("INVALID_PAYLOAD"));
}

namespace {

// A WebSocket client that completes the upgrade and CONNECT, then never reads
// again: the server's frames pile up behind a full socket.
class StalledClient
{
public:
    bool open(quint16 port, const QString &token)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int small = 4096;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0)
            return false;
        const QByteArray request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                                   "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n";
        if (!writeAll(request))
            return false;
        // The 101 answer and the Engine.IO open packet come first (a client may
        // CONNECT only after the open packet); read up to the open packet's end.
        // The server runs on this thread: poll without blocking while its loop turns.
        QByteArray received;
        const bool opened = QTest::qWaitFor([&] {
            char buffer[512];
            const ssize_t got = ::recv(m_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (got > 0)
                received.append(buffer, got);
            return received.contains("\"maxPayload\"");
        });
        if (!opened)
            return false;
        return writeAll(maskedTextFrame("40{\"token\":\"" + token.toLatin1() + "\"}"));
    }
    ~StalledClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

private:
    static QByteArray maskedTextFrame(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        Q_ASSERT(payload.size() < 65536);
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            frame.append(char(0x80 | 126));
            frame.append(char(payload.size() >> 8));
            frame.append(char(payload.size() & 0xff));
        }
        const char mask[4] = {0x11, 0x22, 0x33, 0x44};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload[i] ^ mask[i % 4]));
        return frame;
    }
    bool writeAll(const QByteArray &bytes)
    {
        return ::write(m_fd, bytes.constData(), bytes.size()) == bytes.size();
    }
    int m_fd = -1;
};

} // namespace

void TestServerSession::slowConsumerIsCutOffWhileOthersCarryOn()
{
    ServerConfig config;
    config.limits.sendQueueBytes = 64 * 1024;
    TestServer server(TestServer::Storage::Memory, config);
    QVERIFY(server.start());
    const auto henry = server.createUser(QStringLiteral("henry"));
    const auto iris = server.createUser(QStringLiteral("iris"));

    TestClient healthy(server.url());
    QVERIFY(healthy.connectMain(iris.token));
    StalledClient stalled;
    QVERIFY(stalled.open(server.port(), henry.token));
    QTRY_COMPARE(server.server().rooms().members(RoomRegistry::userRoom(henry.user.id)).size(), 1);
    const ConnectionId stalledId =
        *server.server().rooms().members(RoomRegistry::userRoom(henry.user.id)).begin();

    // 16,000-character events until the stalled connection's queue passes 64 KiB.
    const QString bulk(16000, QLatin1Char('x'));
    for (int i = 0; i < 1000 && server.server().session(stalledId); ++i) {
        server.server().session(stalledId)->emitEvent(QStringLiteral("test:bulk"), bulk);
        QCoreApplication::processEvents();
    }
    QTRY_VERIFY(!server.server().session(stalledId));
    QCOMPARE(server.server().rooms().members(RoomRegistry::userRoom(henry.user.id)).size(), 0);
    // The healthy client is untouched and still answered.
    QVERIFY(!healthy.isClosed());
    QCOMPARE(errorCode(healthy.request(QStringLiteral("nonsense"), QJsonObject {})),
        QStringLiteral("INVALID_PAYLOAD"));
}

void TestServerSession::shutdownTellsEveryClientAndStops()
{
    const auto jack = m_server->createUser(QStringLiteral("jack"));
    TestClient first(m_server->url());
    QVERIFY(first.connectMain(jack.token));
    TestClient second(m_server->url());
    QVERIFY(second.connectAuth());
    QSignalSpy stopped(&m_server->server(), &ChatServer::stopped);
    m_server->server().shutdown(5s);
    QVERIFY(first.waitForClose());
    QVERIFY(second.waitForClose());
    const auto closing = first.eventsNamed(protocol::event::ConnectionClosing);
    QCOMPARE(closing.size(), 1);
    QCOMPARE(closing.first().payload.toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("SERVER_SHUTDOWN"));
    QTRY_COMPARE(stopped.size(), 1);
    QVERIFY(!m_server->server().isRunning());
    QVERIFY(!m_server->server().store().isOpen());
    // Nobody can connect any more.
    TestClient late(m_server->url());
    QVERIFY(late.waitForClose());
}

// Sessions that finished during the shutdown are only scheduled for deletion when
// stopped() arrives; deleting the server at once must still take them before the
// rooms and the context they refer to (an ASan build reports the use after free).
void TestServerSession::serverDeletedRightAfterStoppingWithClients()
{
    const auto kim = m_server->createUser(QStringLiteral("kim"));
    m_server->createChannel(QStringLiteral("general"), kim.user.id);
    TestClient first(m_server->url());
    QVERIFY(first.connectMain(kim.token));
    TestClient second(m_server->url());
    QVERIFY(second.connectMain(kim.token));
    QCOMPARE(m_server->server().rooms().roomCount(), 2); // user:kim and channel:general
    QSignalSpy stopped(&m_server->server(), &ChatServer::stopped);
    m_server->server().shutdown(5s);
    // Plain processEvents(), as a caller outside any event loop (a QML test, a
    // main() before exec()) runs it: deferred deletions stay pending.
    QDeadlineTimer deadline(5s);
    while (stopped.isEmpty() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    QCOMPARE(stopped.size(), 1);
    m_server.reset();
    QVERIFY(first.waitForClose());
    QVERIFY(second.waitForClose());
}

QTEST_GUILESS_MAIN(TestServerSession)
#include "tst_serversession.moc"
