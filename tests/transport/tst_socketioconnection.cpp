// SocketIoConnection in both roles. The protocol's own behaviour (events, acks,
// binaries, closing) runs on connections joined in memory, where frames arrive whole and
// in order; what depends on a real WebSocket (the upgrade, maxPayload, heartbeats against
// a silent peer, an unreachable server) runs on loopback.
#include "transporttestsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

using namespace parley::transport;
using namespace parley::transport::test;
using namespace std::chrono_literals;

namespace {

ConnectionOptions fastHeartbeat()
{
    ConnectionOptions options;
    options.pingInterval = 100ms;
    options.pingTimeout = 100ms;
    return options;
}

// A client connected to `nsps` on `server` (a LoopbackServer or, where a socket adds
// nothing, a MemoryServer), waited for on both ends; returns the index of its server side.
template<typename Server>
qsizetype connectClient(Server &server, ClientSide &client, const QStringList &nsps)
{
    for (const QString &nsp : nsps)
        client.connection->connectNamespace(nsp);
    if (!QTest::qWaitFor([&] { return client.spies.connected.size() == nsps.size(); }))
        return -1;
    return server.count() - 1;
}

// Records the one call an ack callback must get.
struct AckRecorder
{
    SocketIoConnection::AckCallback callback()
    {
        return [this](const AckReply &reply) { replies.append(reply); };
    }
    QList<AckReply> replies;
};

} // namespace

class TestSocketIoConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openPacketCarriesTheServerOptions();
    void upgradeRequestReachesTheServerChannel();
    void connectIsAcceptedWithAuth();
    void refusedConnectLeavesTheSocketOpenForAnother();
    void eventsFlowBothWaysOnEachNamespace();
    void acksCarryTheReplyAndCountFromZero();
    void ackTimesOutOnceAndIgnoresALateReply();
    void pendingAcksFailWhenTheConnectionCloses();
    void binaryEventAndAckRoundTrip();
    void heartbeatKeepsAnIdleConnectionAlive();
    void serverClosesAClientThatStopsAnsweringPings();
    void clientDeclaresASilentServerDead();
    void clientGivesUpWithoutAnOpenPacket();
    void clientThatSendsPingIsClosed();
    void eventsBeforeTheConnectReplyAreBuffered();
    void connectReplyWithoutSidIsARefusal();
    void protocolViolationClosesOnlyThatConnection_data();
    void protocolViolationClosesOnlyThatConnection();
    void frameOverMaxPayloadClosesTheConnection();
    void channelRefusesFramesOverMaxPayloadUnread();
    void clientRefusesToSendOverMaxPayload();
    void serverClosesAClientThatJoinsNoNamespace();
    void engineCloseFromThePeerCloses();
    void namespaceDisconnectReachesThePeer();
    void closeIsIdempotentAndDeleteLaterFromClosedIsSafe();
    void unreachableServerClosesTheClient();
};

void TestSocketIoConnection::openPacketCarriesTheServerOptions()
{
    ConnectionOptions options;
    options.pingInterval = 1234ms;
    options.pingTimeout = 567ms;
    options.maxPayload = 4321;
    LoopbackServer server(options);
    QVERIFY(server.listen());

    RawClient raw(server.url());
    QTRY_COMPARE(raw.texts.size(), 1);
    const QString frame = raw.text(0);
    QVERIFY2(frame.startsWith(QLatin1Char('0')), qPrintable(frame));
    const QJsonObject open = QJsonDocument::fromJson(frame.mid(1).toUtf8()).object();
    const QString sid = open.value(QLatin1String("sid")).toString();
    QVERIFY2(
        QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]{20}$")).match(sid).hasMatch(), qPrintable(sid));
    QCOMPARE(open.value(QLatin1String("upgrades")), QJsonValue(QJsonArray()));
    QCOMPARE(open.value(QLatin1String("pingInterval")).toInt(), 1234);
    QCOMPARE(open.value(QLatin1String("pingTimeout")).toInt(), 567);
    QCOMPARE(open.value(QLatin1String("maxPayload")).toInteger(), 4321);
    QCOMPARE(server.side(0).connection->engineId(), sid);

    // A client-role connection takes the server's values.
    ClientSide client(server.url());
    QTRY_COMPARE(client.spies.opened.size(), 1);
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Open);
    QCOMPARE(client.connection->options().pingInterval, 1234ms);
    QCOMPARE(client.connection->options().pingTimeout, 567ms);
    QCOMPARE(client.connection->options().maxPayload, 4321);
    QCOMPARE(client.connection->engineId(), server.side(1).connection->engineId());
    QVERIFY(client.connection->engineId() != sid);
}

void TestSocketIoConnection::upgradeRequestReachesTheServerChannel()
{
    LoopbackServer server;
    QVERIFY(server.listen());
    ClientSide client(server.url(), {}, {{"Authorization", "Bearer abc"}});
    QTRY_COMPARE(client.spies.opened.size(), 1);
    const FrameChannel *channel = server.side(0).connection->channel();
    QCOMPARE(channel->requestHeader("Authorization"), QByteArray("Bearer abc"));
    QCOMPARE(channel->requestUrl().path(), QStringLiteral("/socket.io/"));
    QVERIFY(channel->requestUrl().query().contains(QLatin1String("EIO=4")));
    QCOMPARE(channel->peerAddress(), QStringLiteral("127.0.0.1"));
}

void TestSocketIoConnection::connectIsAcceptedWithAuth()
{
    LoopbackServer server;
    server.autoAccept = false;
    QVERIFY(server.listen());
    ClientSide client(server.url());
    // Asked for before the open packet: sent once it arrives.
    client.connection->connectNamespace(
        QStringLiteral("/"), {{QStringLiteral("token"), QStringLiteral("abc")}});

    QTRY_COMPARE(server.count(), 1);
    ServerSide &side = server.side(0);
    QTRY_COMPARE(side.spies.connectRequests.size(), 1);
    QCOMPARE(side.spies.connectRequests.at(0).at(0).toString(), QStringLiteral("/"));
    const QJsonValue auth = qvariant_cast<QJsonValue>(side.spies.connectRequests.at(0).at(1));
    QCOMPARE(auth.toObject().value(QLatin1String("token")).toString(), QStringLiteral("abc"));
    QVERIFY(!side.connection->isNamespaceConnected(QStringLiteral("/")));

    side.connection->acceptNamespace(QStringLiteral("/"), QStringLiteral("s1"));
    QTRY_COMPARE(client.spies.connected.size(), 1);
    QCOMPARE(client.spies.connected.at(0).at(0).toString(), QStringLiteral("/"));
    QCOMPARE(client.spies.connected.at(0).at(1).toJsonObject(),
        QJsonObject({{QStringLiteral("sid"), QStringLiteral("s1")}}));
    QVERIFY(client.connection->isNamespaceConnected(QStringLiteral("/")));
    QVERIFY(side.connection->isNamespaceConnected(QStringLiteral("/")));
}

void TestSocketIoConnection::refusedConnectLeavesTheSocketOpenForAnother()
{
    LoopbackServer server;
    server.autoAccept = false;
    QVERIFY(server.listen());
    ClientSide client(server.url());
    client.connection->connectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(server.count(), 1);
    ServerSide &side = server.side(0);
    QTRY_COMPARE(side.spies.connectRequests.size(), 1);

    const QJsonObject error {{QStringLiteral("message"), QStringLiteral("unauthorized")},
        {QStringLiteral("data"), QJsonObject {{QStringLiteral("code"), QStringLiteral("AUTH_EXPIRED")}}}};
    side.connection->refuseNamespace(QStringLiteral("/"), error);
    QTRY_COMPARE(client.spies.refused.size(), 1);
    QCOMPARE(qvariant_cast<QJsonValue>(client.spies.refused.at(0).at(1)), QJsonValue(error));
    QVERIFY(!client.connection->isNamespaceConnected(QStringLiteral("/")));

    client.connection->connectNamespace(
        QStringLiteral("/"), {{QStringLiteral("token"), QStringLiteral("new")}});
    QTRY_COMPARE(side.spies.connectRequests.size(), 2);
    side.connection->acceptNamespace(QStringLiteral("/"), QStringLiteral("s2"));
    QTRY_COMPARE(client.spies.connected.size(), 1);
    QVERIFY(side.spies.closed.isEmpty());
    QVERIFY(client.spies.closed.isEmpty());
}

void TestSocketIoConnection::eventsFlowBothWaysOnEachNamespace()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    const qsizetype index = connectClient(server, client, {QStringLiteral("/"), QStringLiteral("/auth")});
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);

    const QJsonObject login {{QStringLiteral("username"), QStringLiteral("ana")}};
    client.connection->emitEvent(QStringLiteral("/auth"), QStringLiteral("auth:login"), {login});
    QTRY_COMPARE(side.spies.events.size(), 1);
    const IncomingEvent atServer = eventAt(side.spies.events, 0);
    QCOMPARE(atServer.nsp, QStringLiteral("/auth"));
    QCOMPARE(atServer.name, QStringLiteral("auth:login"));
    QCOMPARE(atServer.args, QJsonArray({login}));
    QVERIFY(!atServer.ackId.has_value());

    side.connection->emitEvent(QStringLiteral("/"), QStringLiteral("message:new"), {QStringLiteral("hi"), 7});
    // The broadcast fast path: a packet encoded once, written as it is.
    side.connection->sendEncoded(R"(2["message:new",{"id":"1"}])");
    QTRY_COMPARE(client.spies.events.size(), 2);
    const IncomingEvent first = eventAt(client.spies.events, 0);
    QCOMPARE(first.nsp, QStringLiteral("/"));
    QCOMPARE(first.name, QStringLiteral("message:new"));
    QCOMPARE(first.args, QJsonArray({QStringLiteral("hi"), 7}));
    const IncomingEvent second = eventAt(client.spies.events, 1);
    QCOMPARE(second.args, QJsonArray({QJsonObject {{QStringLiteral("id"), QStringLiteral("1")}}}));
}

void TestSocketIoConnection::acksCarryTheReplyAndCountFromZero()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    const qsizetype index = connectClient(server, client, {QStringLiteral("/")});
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);

    AckRecorder first, second;
    client.connection->emitWithAck(
        QStringLiteral("/"), QStringLiteral("message:send"), {1}, first.callback());
    client.connection->emitWithAck(
        QStringLiteral("/"), QStringLiteral("message:send"), {2}, second.callback());
    QTRY_COMPARE(side.spies.events.size(), 2);
    QCOMPARE(eventAt(side.spies.events, 0).ackId, std::optional<qint64>(0));
    QCOMPARE(eventAt(side.spies.events, 1).ackId, std::optional<qint64>(1));

    // Answered out of order: each reply finds its own callback.
    side.connection->sendAck(QStringLiteral("/"), 1, {QStringLiteral("two")});
    side.connection->sendAck(QStringLiteral("/"), 0, {QStringLiteral("one")});
    QTRY_COMPARE(first.replies.size(), 1);
    QTRY_COMPARE(second.replies.size(), 1);
    QVERIFY(!first.replies.at(0).timedOut);
    QCOMPARE(first.replies.at(0).failure, AckFailure::None);
    QCOMPARE(first.replies.at(0).args, QJsonArray({QStringLiteral("one")}));
    QCOMPARE(second.replies.at(0).args, QJsonArray({QStringLiteral("two")}));

    // The server's own ids also start at 0.
    AckRecorder fromServer;
    side.connection->emitWithAck(QStringLiteral("/"), QStringLiteral("ping:me"), {}, fromServer.callback());
    QTRY_COMPARE(client.spies.events.size(), 1);
    const IncomingEvent asked = eventAt(client.spies.events, 0);
    QCOMPARE(asked.ackId, std::optional<qint64>(0));
    client.connection->sendAck(asked.nsp, *asked.ackId, {true});
    QTRY_COMPARE(fromServer.replies.size(), 1);
    QCOMPARE(fromServer.replies.at(0).args, QJsonArray({true}));
}

void TestSocketIoConnection::ackTimesOutOnceAndIgnoresALateReply()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    const qsizetype index = connectClient(server, client, {QStringLiteral("/")});
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);

    AckRecorder ack;
    client.connection->emitWithAck(QStringLiteral("/"), QStringLiteral("slow"), {}, ack.callback(), 50ms);
    QTRY_COMPARE(ack.replies.size(), 1);
    QVERIFY(ack.replies.at(0).timedOut);
    QCOMPARE(ack.replies.at(0).failure, AckFailure::TimedOut);

    // The late reply is dropped; the event sent after it proves it has been read.
    side.connection->sendAck(QStringLiteral("/"), 0, {QStringLiteral("late")});
    side.connection->emitEvent(QStringLiteral("/"), QStringLiteral("after"));
    QTRY_COMPARE(client.spies.events.size(), 1);
    QCOMPARE(ack.replies.size(), 1);
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Open);
}

void TestSocketIoConnection::pendingAcksFailWhenTheConnectionCloses()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    const qsizetype index = connectClient(server, client, {QStringLiteral("/")});
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);

    // Closed by the peer.
    AckRecorder remote;
    client.connection->emitWithAck(QStringLiteral("/"), QStringLiteral("x"), {}, remote.callback());
    QTRY_COMPARE(side.spies.events.size(), 1);
    side.connection->close(QStringLiteral("server going away"));
    QCOMPARE(side.spies.closed.size(), 1);
    QCOMPARE(side.spies.closeReason(), QStringLiteral("server going away"));
    QTRY_COMPARE(client.spies.closed.size(), 1);
    QCOMPARE(remote.replies.size(), 1);
    QCOMPARE(remote.replies.at(0).failure, AckFailure::ConnectionClosed);
    QVERIFY(remote.replies.at(0).timedOut);

    // Closed here: the callback runs before close() returns, and only once.
    ClientSide local(server.connectClient());
    QVERIFY(connectClient(server, local, {QStringLiteral("/")}) >= 0);
    AckRecorder mine;
    local.connection->emitWithAck(QStringLiteral("/"), QStringLiteral("x"), {}, mine.callback());
    local.connection->close(QStringLiteral("bye"));
    QCOMPARE(mine.replies.size(), 1);
    QCOMPARE(mine.replies.at(0).failure, AckFailure::ConnectionClosed);
    local.connection->close(QStringLiteral("again"));
    QCOMPARE(local.spies.closed.size(), 1);
    QCOMPARE(local.spies.closeReason(), QStringLiteral("bye"));
    QTRY_COMPARE(server.side(server.count() - 1).spies.closed.size(), 1);
    QCOMPARE(mine.replies.size(), 1);
}

void TestSocketIoConnection::binaryEventAndAckRoundTrip()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    const qsizetype index = connectClient(server, client, {QStringLiteral("/")});
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);

    const QByteArray first("\x00\x01\x02\xff", 4);
    const QByteArray second(300, '\x7f');
    const QJsonArray args {
        QJsonObject {{QStringLiteral("name"), QStringLiteral("a.bin")}}, placeholder(0), placeholder(1)};
    AckRecorder ack;
    client.connection->emitWithAck(
        QStringLiteral("/"), QStringLiteral("upload"), args, ack.callback(), 0ms, {first, second});
    QTRY_COMPARE(side.spies.events.size(), 1);
    const IncomingEvent upload = eventAt(side.spies.events, 0);
    QCOMPARE(upload.name, QStringLiteral("upload"));
    QCOMPARE(upload.args, args);
    QCOMPARE(upload.attachments, QList<QByteArray>({first, second}));
    QCOMPARE(upload.ackId, std::optional<qint64>(0));

    const QByteArray reply("reply-bytes");
    side.connection->sendAck(QStringLiteral("/"), *upload.ackId, {placeholder(0)}, {reply});
    QTRY_COMPARE(ack.replies.size(), 1);
    QCOMPARE(ack.replies.at(0).args, QJsonArray({placeholder(0)}));
    QCOMPARE(ack.replies.at(0).attachments, QList<QByteArray>({reply}));

    // And a binary event from the server.
    side.connection->emitEvent(QStringLiteral("/"), QStringLiteral("file"), {placeholder(0)}, {second});
    QTRY_COMPARE(client.spies.events.size(), 1);
    QCOMPARE(eventAt(client.spies.events, 0).attachments, QList<QByteArray>({second}));
}

void TestSocketIoConnection::heartbeatKeepsAnIdleConnectionAlive()
{
    LoopbackServer server(fastHeartbeat());
    QVERIFY(server.listen());
    ClientSide client(server.url());
    QVERIFY(connectClient(server, client, {QStringLiteral("/")}) >= 0);
    ServerSide &side = server.side(0);

    // Five pings and pongs: well past pingInterval + pingTimeout.
    QTRY_VERIFY_WITH_TIMEOUT(side.spies.heartbeats.size() >= 5, 5000);
    QVERIFY(client.spies.heartbeats.size() >= 5);
    QVERIFY(side.spies.closed.isEmpty());
    QVERIFY(client.spies.closed.isEmpty());
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Open);
}

void TestSocketIoConnection::serverClosesAClientThatStopsAnsweringPings()
{
    LoopbackServer server(fastHeartbeat());
    QVERIFY(server.listen());
    RawClient raw(server.url()); // never sends 3
    QTRY_COMPARE(server.count(), 1);
    QTRY_COMPARE(server.side(0).spies.closed.size(), 1);
    QCOMPARE(server.side(0).spies.closeReason(), QStringLiteral("ping timeout"));
    QTRY_COMPARE(raw.disconnected.size(), 1);
    QVERIFY(raw.texts.size() >= 2);
    QCOMPARE(raw.text(1), QStringLiteral("2"));
}

void TestSocketIoConnection::clientDeclaresASilentServerDead()
{
    RawServer server(openPacket(100, 100), {}); // never pings
    QVERIFY(server.listen());
    ClientSide client(server.url());
    // Timed in slots, not by polling, so that an early close cannot hide.
    QElapsedTimer sinceOpen;
    qint64 silentForMs = -1;
    QObject::connect(client.connection.get(), &SocketIoConnection::opened, client.connection.get(),
        [&sinceOpen] { sinceOpen.start(); });
    QObject::connect(client.connection.get(), &SocketIoConnection::closed, client.connection.get(),
        [&] { silentForMs = sinceOpen.elapsed(); });
    QTRY_COMPARE(client.spies.closed.size(), 1);
    QCOMPARE(client.spies.closeReason(), QStringLiteral("ping timeout"));
    // pingInterval + pingTimeout = 200 ms, less the 5 % a coarse timer may take off.
    QVERIFY2(silentForMs >= 190, qPrintable(QString::number(silentForMs)));
}

void TestSocketIoConnection::clientGivesUpWithoutAnOpenPacket()
{
    RawServer server(QString(), {}); // upgrades, then says nothing
    QVERIFY(server.listen());
    ConnectionOptions options;
    options.connectTimeout = 100ms;
    ClientSide client(server.url(), options);
    client.connection->connectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(client.spies.closed.size(), 1);
    QCOMPARE(client.spies.closeReason(), QStringLiteral("connect timeout"));
    QVERIFY(client.spies.opened.isEmpty());
    QVERIFY(server.received.isEmpty()); // the queued CONNECT never went out
}

void TestSocketIoConnection::clientThatSendsPingIsClosed()
{
    LoopbackServer server;
    QVERIFY(server.listen());
    RawClient raw(server.url());
    QTRY_COMPARE(raw.texts.size(), 1);
    raw.send(QStringLiteral("2"));
    QTRY_COMPARE(server.side(0).spies.closed.size(), 1);
    QVERIFY2(server.side(0).spies.closeReason().startsWith(QLatin1String("protocol error")),
        qPrintable(server.side(0).spies.closeReason()));
    QTRY_COMPARE(raw.disconnected.size(), 1);
}

void TestSocketIoConnection::eventsBeforeTheConnectReplyAreBuffered()
{
    RawServer server(openPacket(25000, 20000), [](QWebSocket *socket, const QString &frame) {
        if (frame != QLatin1String("40"))
            return;
        socket->sendTextMessage(QStringLiteral(R"(42["early",1])"));
        socket->sendTextMessage(QStringLiteral(R"(42["early",2])"));
        socket->sendTextMessage(QStringLiteral(R"(40{"sid":"x"})"));
        socket->sendTextMessage(QStringLiteral(R"(42["late",3])"));
    });
    QVERIFY(server.listen());
    ClientSide client(server.url());
    QStringList seen;
    QObject::connect(client.connection.get(), &SocketIoConnection::namespaceConnected,
        client.connection.get(), [&seen] { seen.append(QStringLiteral("connected")); });
    QObject::connect(client.connection.get(), &SocketIoConnection::eventReceived, client.connection.get(),
        [&seen](const IncomingEvent &event) {
            seen.append(event.name + QString::number(event.args.at(0).toInt()));
        });
    client.connection->connectNamespace(QStringLiteral("/"));
    const QStringList expected {QStringLiteral("connected"), QStringLiteral("early1"),
        QStringLiteral("early2"), QStringLiteral("late3")};
    QTRY_COMPARE(seen, expected);
}

void TestSocketIoConnection::connectReplyWithoutSidIsARefusal()
{
    RawServer server(openPacket(25000, 20000), [](QWebSocket *socket, const QString &frame) {
        if (frame == QLatin1String("40")) {
            socket->sendTextMessage(QStringLiteral(R"(42["early",1])"));
            socket->sendTextMessage(QStringLiteral("40{}"));
            socket->sendTextMessage(QStringLiteral("6")); // a noop marks the end
        }
    });
    QVERIFY(server.listen());
    ClientSide client(server.url());
    client.connection->connectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(client.spies.refused.size(), 1);
    QCOMPARE(client.spies.refused.at(0).at(0).toString(), QStringLiteral("/"));
    const QJsonValue error = qvariant_cast<QJsonValue>(client.spies.refused.at(0).at(1));
    QVERIFY(error.toObject().value(QLatin1String("message")).toString().contains(QLatin1String("sid")));
    QVERIFY(client.spies.connected.isEmpty());
    QVERIFY(client.spies.events.isEmpty()); // the buffered event went with the namespace
    QVERIFY(!client.connection->isNamespaceConnected(QStringLiteral("/")));
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Open);
}

void TestSocketIoConnection::protocolViolationClosesOnlyThatConnection_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("binary");
    QTest::newRow("malformed json") << QByteArray(R"(42["x",)") << false;
    QTest::newRow("namespace not joined") << QByteArray(R"(42/nope,["x"])") << false;
    QTest::newRow("CONNECT_ERROR from a client") << QByteArray(R"(44{"message":"x"})") << false;
    QTest::newRow("second CONNECT") << QByteArray("40") << false;
    QTest::newRow("event name not a string") << QByteArray("42[1]") << false;
    QTest::newRow("ack id out of range") << QByteArray(R"(422147483648["x"])") << false;
    QTest::newRow("engine upgrade") << QByteArray("5") << false;
    QTest::newRow("engine open from a client") << QByteArray("0{}") << false;
    QTest::newRow("unknown engine type") << QByteArray("9") << false;
    QTest::newRow("empty frame") << QByteArray() << false;
    QTest::newRow("binary frame nobody announced") << QByteArray("\x01\x02") << true;
}

void TestSocketIoConnection::protocolViolationClosesOnlyThatConnection()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, binary);
    LoopbackServer server;
    QVERIFY(server.listen());
    ClientSide bystander(server.url());
    QVERIFY(connectClient(server, bystander, {QStringLiteral("/")}) == 0);

    RawClient raw(server.url());
    QTRY_COMPARE(raw.texts.size(), 1);
    raw.send(QStringLiteral("40"));
    QTRY_COMPARE(raw.texts.size(), 2);
    QCOMPARE(raw.text(1), QStringLiteral(R"(40{"sid":"sid/"})"));
    ServerSide &offender = server.side(1);
    if (binary)
        raw.socket.sendBinaryMessage(frame);
    else
        raw.send(QString::fromUtf8(frame));

    QTRY_COMPARE(offender.spies.closed.size(), 1);
    QVERIFY2(offender.spies.closeReason().startsWith(QLatin1String("protocol error")),
        qPrintable(offender.spies.closeReason()));
    QTRY_COMPARE(raw.disconnected.size(), 1);

    // The other connection carries on.
    bystander.connection->emitEvent(QStringLiteral("/"), QStringLiteral("still:here"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 1);
    QVERIFY(server.side(0).spies.closed.isEmpty());
    QVERIFY(bystander.spies.closed.isEmpty());
}

void TestSocketIoConnection::frameOverMaxPayloadClosesTheConnection()
{
    ConnectionOptions options;
    options.maxPayload = 1000;
    LoopbackServer server(options);
    QVERIFY(server.listen());
    RawClient raw(server.url());
    QTRY_COMPARE(raw.texts.size(), 1);
    raw.send(QStringLiteral("40"));
    QTRY_COMPARE(raw.texts.size(), 2);
    ServerSide &side = server.side(0);

    const auto eventOfSize = [](qsizetype size) {
        const QString head = QStringLiteral(R"(42["big",")");
        const QString tail = QStringLiteral(R"("])");
        return head + QString(size - head.size() - tail.size(), QLatin1Char('x')) + tail;
    };
    raw.send(eventOfSize(1000)); // exactly maxPayload: fine
    QTRY_COMPARE(side.spies.events.size(), 1);
    raw.send(eventOfSize(1001));
    QTRY_COMPARE(side.spies.closed.size(), 1);
    QTRY_COMPARE(raw.disconnected.size(), 1);
    QCOMPARE(side.spies.events.size(), 1);
}

void TestSocketIoConnection::channelRefusesFramesOverMaxPayloadUnread()
{
    // The limit lives in the channel, so that Qt drops the link on the frame header
    // instead of buffering the frame for the connection to look at.
    QWebSocketServer server(QStringLiteral("limit"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    std::unique_ptr<WebSocketChannel> channel;
    std::unique_ptr<QSignalSpy> texts, gone;
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        channel = std::make_unique<WebSocketChannel>(server.nextPendingConnection());
        channel->setMaxPayload(100);
        texts = std::make_unique<QSignalSpy>(channel.get(), &FrameChannel::textReceived);
        gone = std::make_unique<QSignalSpy>(channel.get(), &FrameChannel::disconnected);
    });
    RawClient raw(socketIoUrl(server.serverPort()));
    QTRY_VERIFY(channel && channel->isOpen());
    QCOMPARE(channel->maxPayload(), 100);
    // The server side is open before the client has read the 101 answer, and a QWebSocket
    // drops what it is given before it is connected itself.
    QTRY_COMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
    raw.send(QString(100, QLatin1Char('a')));
    QTRY_COMPARE(texts->size(), 1);
    raw.send(QString(101, QLatin1Char('b')));
    QTRY_COMPARE(gone->size(), 1);
    QCOMPARE(texts->size(), 1);
    QTRY_COMPARE(raw.disconnected.size(), 1);
    QCOMPARE(raw.socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

void TestSocketIoConnection::clientRefusesToSendOverMaxPayload()
{
    ConnectionOptions options;
    options.maxPayload = 1000;
    LoopbackServer server(options);
    QVERIFY(server.listen());
    ClientSide client(server.url());
    QVERIFY(connectClient(server, client, {QStringLiteral("/")}) >= 0);
    QCOMPARE(client.connection->options().maxPayload, 1000);

    AckRecorder ack;
    client.connection->emitWithAck(
        QStringLiteral("/"), QStringLiteral("big"), {QString(2000, QLatin1Char('x'))}, ack.callback());
    QVERIFY(ack.replies.isEmpty()); // not from inside emitWithAck
    QTRY_COMPARE(ack.replies.size(), 1);
    QCOMPARE(ack.replies.at(0).failure, AckFailure::NotSent);

    client.connection->emitEvent(QStringLiteral("/"), QStringLiteral("small"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 1);
    QCOMPARE(eventAt(server.side(0).spies.events, 0).name, QStringLiteral("small"));
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Open);
}

void TestSocketIoConnection::serverClosesAClientThatJoinsNoNamespace()
{
    ConnectionOptions options;
    options.connectTimeout = 100ms;
    LoopbackServer server(options);
    QVERIFY(server.listen());
    RawClient idle(server.url());
    ClientSide joined(server.url());
    joined.connection->connectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(server.count(), 2);
    QTRY_COMPARE(idle.disconnected.size(), 1);
    QCOMPARE(server.side(0).spies.closeReason(), QStringLiteral("connect timeout"));
    QVERIFY(joined.spies.closed.isEmpty());
    QCOMPARE(joined.spies.connected.size(), 1);
}

void TestSocketIoConnection::engineCloseFromThePeerCloses()
{
    LoopbackServer server;
    QVERIFY(server.listen());
    RawClient raw(server.url());
    QTRY_COMPARE(raw.texts.size(), 1);
    raw.send(QStringLiteral("1"));
    QTRY_COMPARE(server.side(0).spies.closed.size(), 1);
    QVERIFY(server.side(0).spies.closeReason().startsWith(QLatin1String("transport close")));
    QTRY_COMPARE(raw.disconnected.size(), 1);

    // A client-role connection that closes says so with Engine.IO close first.
    ClientSide client(server.url());
    QVERIFY(connectClient(server, client, {QStringLiteral("/")}) == 1);
    client.connection->close(QStringLiteral("user quit"));
    QTRY_COMPARE(server.side(1).spies.closed.size(), 1);
}

void TestSocketIoConnection::namespaceDisconnectReachesThePeer()
{
    LoopbackServer server;
    QVERIFY(server.listen());
    ClientSide client(server.url());
    QVERIFY(connectClient(server, client, {QStringLiteral("/"), QStringLiteral("/auth")}) == 0);
    ServerSide &side = server.side(0);

    AckRecorder ack;
    client.connection->emitWithAck(QStringLiteral("/auth"), QStringLiteral("x"), {}, ack.callback());
    client.connection->disconnectNamespace(QStringLiteral("/auth"));
    QCOMPARE(ack.replies.size(), 1);
    QCOMPARE(ack.replies.at(0).failure, AckFailure::ConnectionClosed);
    QTRY_COMPARE(side.spies.disconnected.size(), 1);
    QCOMPARE(side.spies.disconnected.at(0).at(0).toString(), QStringLiteral("/auth"));
    QVERIFY(!side.connection->isNamespaceConnected(QStringLiteral("/auth")));

    side.connection->disconnectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(client.spies.disconnected.size(), 1);
    QCOMPARE(client.spies.disconnected.at(0).at(0).toString(), QStringLiteral("/"));
    QVERIFY(!client.connection->isNamespaceConnected(QStringLiteral("/")));
    QVERIFY(side.spies.closed.isEmpty());
    QVERIFY(client.spies.closed.isEmpty());
}

void TestSocketIoConnection::closeIsIdempotentAndDeleteLaterFromClosedIsSafe()
{
    LoopbackServer server;
    QVERIFY(server.listen());
    QPointer<SocketIoConnection> client =
        new SocketIoConnection(Role::Client, WebSocketChannel::connectTo(server.url()));
    QPointer<FrameChannel> channel = client->channel();
    QSignalSpy closed(client.data(), &SocketIoConnection::closed);
    QObject::connect(client.data(), &SocketIoConnection::closed, client.data(), &QObject::deleteLater);
    QObject::connect(client.data(), &SocketIoConnection::closed, client.data(), [&client] {
        client->close(QStringLiteral("re-entered")); // closing again from closed() is a no-op
    });
    client->connectNamespace(QStringLiteral("/"));
    QTRY_COMPARE(server.count(), 1);
    QTRY_VERIFY(server.side(0).connection->isNamespaceConnected(QStringLiteral("/")));

    // Closed by the server: the client deletes itself (and its channel) later.
    QObject::connect(server.side(0).connection, &SocketIoConnection::closed, server.side(0).connection,
        &QObject::deleteLater);
    server.side(0).connection->close(QStringLiteral("kick"));
    QTRY_VERIFY(client.isNull());
    QVERIFY(channel.isNull());
    QCOMPARE(closed.size(), 1);
    QTRY_VERIFY(server.side(0).connection.isNull());
}

void TestSocketIoConnection::unreachableServerClosesTheClient()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there now
    ClientSide client(socketIoUrl(port));
    QTRY_COMPARE(client.spies.closed.size(), 1);
    QVERIFY2(client.spies.closeReason().startsWith(QLatin1String("transport close")),
        qPrintable(client.spies.closeReason()));
    QVERIFY(client.spies.opened.isEmpty());
}

QTEST_GUILESS_MAIN(TestSocketIoConnection)
#include "tst_socketioconnection.moc"
