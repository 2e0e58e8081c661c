// The broadcast fast path (Broadcaster + ServerSession): a broadcast is encoded once, as a
// whole WebSocket frame, and the same bytes reach every member. Checked with plain
// QWebSocket clients speaking Engine.IO / Socket.IO by hand, so the test sees each text
// message exactly as it came off the wire (and QWebSocket rejects a malformed frame).
#include "core/broadcaster.h"
#include "net/websocketframes.h"
#include "serverharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

Q_DECLARE_METATYPE(parley::server::WebSocketTransport)

namespace {

// A Socket.IO client on `/` written out by hand: every text message is kept as received.
class RawClient
{
public:
    RawClient(const QUrl &url, const QString &token)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived,
            [this](const QString &text) { m_received.append(text.toUtf8()); });
        m_socket.open(url);
        m_token = token;
    }

    // Open packet, CONNECT with the token, connection:ready.
    bool connectMain()
    {
        if (!QTest::qWaitFor([this] { return !m_received.isEmpty(); }, 10000) ||
            !m_received.first().startsWith('0'))
            return false;
        const QJsonObject auth {{QStringLiteral("token"), m_token}};
        m_socket.sendTextMessage(
            QStringLiteral("40") + QString::fromUtf8(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
        return QTest::qWaitFor([this] { return !messagesNamed("connection:ready").isEmpty(); }, 10000);
    }

    void sendEvent(const QByteArray &eventArrayJson)
    {
        m_socket.sendTextMessage(QStringLiteral("42") + QString::fromUtf8(eventArrayJson));
    }

    // The raw Engine.IO texts of the event `name` on `/`.
    QList<QByteArray> messagesNamed(const char *name) const
    {
        const QByteArray prefix = QByteArray("42[\"") + name + '"';
        QList<QByteArray> found;
        for (const QByteArray &text : m_received) {
            if (text.startsWith(prefix))
                found.append(text);
        }
        return found;
    }

private:
    QWebSocket m_socket;
    QString m_token;
    QList<QByteArray> m_received;
};

} // namespace

class TestBroadcastFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodedFrameIsTheEngineMessageInOneTextFrame();
    void everyMemberReceivesTheSameBytes_data();
    void everyMemberReceivesTheSameBytes();
};

void TestBroadcastFrames::encodedFrameIsTheEngineMessageInOneTextFrame()
{
    const QJsonObject payload {{QStringLiteral("content"), QString(300, QLatin1Char('x'))}};
    const EncodedEvent encoded = Broadcaster::encodeEvent(QStringLiteral("message:new"), payload);
    QVERIFY(encoded.text.startsWith("42[\"message:new\","));
    const QByteArray engineText = encoded.text;
    QCOMPARE(encoded.webSocketFrame, net::ws::encodeFrame(net::ws::Opcode::Text, engineText));
    // FIN + text opcode, unmasked, 16-bit length (126) for a payload of 126..65535 bytes.
    QCOMPARE(quint8(encoded.webSocketFrame.at(0)), quint8(0x81));
    QCOMPARE(quint8(encoded.webSocketFrame.at(1)), quint8(126));
    QCOMPARE(encoded.webSocketFrame.size(), engineText.size() + 4);
    QVERIFY(encoded.webSocketFrame.endsWith(engineText));
}

void TestBroadcastFrames::everyMemberReceivesTheSameBytes_data()
{
    QTest::addColumn<int>("members");
    QTest::addColumn<WebSocketTransport>("webSocket");
    QTest::newRow("6 members, native") << 6 << WebSocketTransport::Native;
    QTest::newRow("6 members, qt") << 6 << WebSocketTransport::Qt;
}

void TestBroadcastFrames::everyMemberReceivesTheSameBytes()
{
    QFETCH(int, members);
    QFETCH(WebSocketTransport, webSocket);
    TestServer server;
    server.config().webSocket = webSocket;
    QVERIFY(server.start());

    QList<TestServer::Account> accounts;
    for (int i = 0; i < members + 1; ++i)
        accounts.append(server.createUser(QStringLiteral("user%1").arg(i)));
    const protocol::Channel channel =
        server.createChannel(QStringLiteral("fanout"), accounts.first().user.id);
    for (int i = 1; i < members; ++i)
        server.addMember(channel.id, accounts.at(i).user.id);
    // The last account is in no channel: it must get nothing.

    std::vector<std::unique_ptr<RawClient>> clients;
    for (const TestServer::Account &account : accounts) {
        clients.push_back(std::make_unique<RawClient>(server.url(), account.token));
        QVERIFY(clients.back()->connectMain());
    }

    const QJsonObject send {{QStringLiteral("channelId"), channel.id},
        {QStringLiteral("content"), QStringLiteral("one frame for all, ünïcödé")}};
    clients.front()->sendEvent(
        QJsonDocument(QJsonArray {QStringLiteral("message:send"), send}).toJson(QJsonDocument::Compact));

    for (int i = 0; i < members; ++i)
        QTRY_COMPARE_WITH_TIMEOUT(clients.at(i)->messagesNamed("message:new").size(), 1, 10000);
    const QByteArray first = clients.front()->messagesNamed("message:new").first();
    const QJsonArray event = QJsonDocument::fromJson(first.mid(2)).array();
    QCOMPARE(event.at(1).toObject().value(QStringLiteral("content")), send.value(QStringLiteral("content")));
    for (int i = 1; i < members; ++i)
        QCOMPARE(clients.at(i)->messagesNamed("message:new").first(), first);

    // A second broadcast after the first: still one message each, nothing left over.
    clients.at(1)->sendEvent(QJsonDocument(QJsonArray {QStringLiteral("message:send"),
                                               QJsonObject {{QStringLiteral("channelId"), channel.id},
                                                   {QStringLiteral("content"), QStringLiteral("two")}}})
                                 .toJson(QJsonDocument::Compact));
    for (int i = 0; i < members; ++i)
        QTRY_COMPARE_WITH_TIMEOUT(clients.at(i)->messagesNamed("message:new").size(), 2, 10000);
    const QByteArray second = clients.front()->messagesNamed("message:new").at(1);
    QVERIFY(second != first);
    for (int i = 1; i < members; ++i)
        QCOMPARE(clients.at(i)->messagesNamed("message:new").at(1), second);
    QVERIFY(clients.back()->messagesNamed("message:new").isEmpty());
}

QTEST_GUILESS_MAIN(TestBroadcastFrames)
#include "tst_broadcastframes.moc"
