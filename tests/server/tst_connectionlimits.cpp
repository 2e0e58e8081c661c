#include "core/clientaddress.h"
#include "core/connectionquota.h"
#include "core/httplistener.h"
#include "transport/framechannel.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using parley::server::ConnectionQuota;
using parley::server::HttpListener;
using parley::server::HttpListenerOptions;
using parley::transport::FrameChannel;
namespace clientaddress = parley::server::clientaddress;

namespace {

// A raw TCP client from a chosen loopback source address (127.0.0.0/8 all reaches the
// listener on Linux), so that tests can be several "addresses" on one machine.
class RawClient
{
public:
    RawClient(quint16 port, const QString &source)
    {
        QObject::connect(
            &m_socket, &QTcpSocket::readyRead, &m_socket, [this] { m_received += m_socket.readAll(); });
        m_socket.bind(QHostAddress(source));
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    bool waitConnected() { return m_socket.waitForConnected(5000); }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    // The status code of the answer once its head is complete; 0 until then.
    int status() const
    {
        if (!m_received.contains("\r\n\r\n"))
            return 0;
        return m_received.split(' ').value(1).toInt();
    }
    QJsonObject body() const
    {
        return QJsonDocument::fromJson(m_received.mid(m_received.indexOf("\r\n\r\n") + 4)).object();
    }
    bool closedByServer() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    void close() { m_socket.abort(); }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray upgrade(const QByteArray &extraHeaders = {},
    const QByteArray &key = QByteArrayLiteral("dGhlIHNhbXBsZSBub25jZQ=="))
{
    return "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: " +
        key + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

// Owns what the listener announces, as the server core does.
class Channels : public QObject
{
public:
    explicit Channels(HttpListener &listener)
    {
        connect(&listener, &HttpListener::channelAccepted, this, [this](FrameChannel *channel) {
            accepted.append(channel);
            connect(channel, &FrameChannel::disconnected, channel, &QObject::deleteLater);
        });
    }
    ~Channels() override
    {
        for (const QPointer<FrameChannel> &channel : std::as_const(accepted))
            delete channel.data();
    }
    QList<QPointer<FrameChannel>> accepted;
};

} // namespace

// The per-address and global connection caps, the trusted proxy, and the rules that
// decide which address a connection counts under.
class TestConnectionLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void limitKeys_data();
    void limitKeys();
    void forwardedFor_data();
    void forwardedFor();
    void quotaCountsAndForgets();
    void perAddressCapAnswers503();
    void globalCapAnswers503();
    void trustedProxyCountsTheForwardedClient();
    void malformedWebSocketKeyIsRefused_data();
    void malformedWebSocketKeyIsRefused();
};

void TestConnectionLimits::limitKeys_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("key");
    QTest::newRow("ipv4") << "192.0.2.7"
                          << "192.0.2.7";
    QTest::newRow("ipv4 mapped") << "::ffff:192.0.2.7"
                                 << "192.0.2.7";
    QTest::newRow("ipv6 by /64") << "2001:db8:1:2:aaaa:bbbb:cccc:dddd"
                                 << "2001:db8:1:2::/64";
    QTest::newRow("same /64") << "2001:db8:1:2::1"
                              << "2001:db8:1:2::/64";
    QTest::newRow("loopback v6") << "::1"
                                 << "::/64";
}

void TestConnectionLimits::limitKeys()
{
    QFETCH(QString, address);
    QFETCH(QString, key);
    QCOMPARE(clientaddress::limitKey(QHostAddress(address)), key);
}

void TestConnectionLimits::forwardedFor_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("client");
    // The trusted proxies of every row: 127.0.0.1 and 192.0.2.1.
    QTest::newRow("untrusted peer: header ignored")
        << "198.51.100.9" << QByteArray("203.0.113.5") << "198.51.100.9";
    QTest::newRow("one hop") << "127.0.0.1" << QByteArray("203.0.113.5") << "203.0.113.5";
    QTest::newRow("spoofed entries on the left")
        << "127.0.0.1" << QByteArray("1.2.3.4, 203.0.113.5") << "203.0.113.5";
    QTest::newRow("through two proxies")
        << "127.0.0.1" << QByteArray("203.0.113.5, 192.0.2.1") << "203.0.113.5";
    QTest::newRow("with a port") << "127.0.0.1" << QByteArray("203.0.113.5:4711") << "203.0.113.5";
    QTest::newRow("ipv6 in brackets") << "127.0.0.1" << QByteArray("[2001:db8::5]:443") << "2001:db8::5";
    QTest::newRow("bare ipv6") << "127.0.0.1" << QByteArray("2001:db8::5") << "2001:db8::5";
    QTest::newRow("unreadable: the proxy") << "127.0.0.1" << QByteArray("unknown") << "127.0.0.1";
    QTest::newRow("no header") << "127.0.0.1" << QByteArray() << "127.0.0.1";
}

void TestConnectionLimits::forwardedFor()
{
    QFETCH(QString, peer);
    QFETCH(QByteArray, header);
    QFETCH(QString, client);
    const QList<QHostAddress> proxies {
        QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("192.0.2.1"))};
    QCOMPARE(clientaddress::resolve(QHostAddress(peer), header, proxies), QHostAddress(client));
}

void TestConnectionLimits::quotaCountsAndForgets()
{
    ConnectionQuota quota(2);
    auto first = quota.tryAcquire(QStringLiteral("a"));
    auto second = quota.tryAcquire(QStringLiteral("a"));
    QVERIFY(first && second);
    QVERIFY(!quota.tryAcquire(QStringLiteral("a")));
    QVERIFY(quota.tryAcquire(QStringLiteral("b"))); // another address has its own share
    QCOMPARE(quota.count(QStringLiteral("a")), 2);
    first.reset();
    QCOMPARE(quota.count(QStringLiteral("a")), 1);
    QVERIFY(quota.tryAcquire(QStringLiteral("a")));
    second.reset();
    QCOMPARE(quota.keyCount(), 0); // nothing left behind for addresses that went
    auto outliving = std::make_unique<ConnectionQuota>(1)->tryAcquire(QStringLiteral("c"));
    outliving.reset(); // the quota is gone first: giving the share back must be harmless
}

void TestConnectionLimits::perAddressCapAnswers503()
{
    HttpListenerOptions options;
    options.maxConnectionsPerAddress = 2;
    HttpListener listener(options);
    Channels channels(listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));

    // Two sockets that never send a byte already hold the address's share.
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 2; ++i) {
        idle.push_back(std::make_unique<RawClient>(listener.port(), QStringLiteral("127.0.0.2")));
        QVERIFY(idle.back()->waitConnected());
    }
    QTRY_COMPARE(listener.liveSocketCount(), 2);
    RawClient third(listener.port(), QStringLiteral("127.0.0.2"));
    QVERIFY(third.waitConnected());
    QTRY_COMPARE(third.status(), 503);
    QCOMPARE(third.body().value(QStringLiteral("message")).toString(),
        QStringLiteral("Too many connections from your address"));
    QTRY_VERIFY(third.closedByServer());

    // Someone else is not affected, and upgrades as usual.
    RawClient other(listener.port(), QStringLiteral("127.0.0.3"));
    QVERIFY(other.waitConnected());
    other.send(upgrade());
    QTRY_COMPARE(other.status(), 101);
    QTRY_COMPARE(channels.accepted.size(), 1);

    // A share comes back when its connection goes.
    idle.front()->close();
    idle.erase(idle.begin());
    QTRY_COMPARE(listener.liveSocketCount(), 2); // one idle, one upgraded
    RawClient again(listener.port(), QStringLiteral("127.0.0.2"));
    QVERIFY(again.waitConnected());
    again.send(upgrade());
    QTRY_COMPARE(again.status(), 101);
}

void TestConnectionLimits::globalCapAnswers503()
{
    HttpListenerOptions options;
    options.maxConnections = 2;
    HttpListener listener(options);
    Channels channels(listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    RawClient a(listener.port(), QStringLiteral("127.0.0.2"));
    RawClient b(listener.port(), QStringLiteral("127.0.0.3"));
    QVERIFY(a.waitConnected() && b.waitConnected());
    QTRY_COMPARE(listener.liveSocketCount(), 2);
    RawClient c(listener.port(), QStringLiteral("127.0.0.4"));
    QVERIFY(c.waitConnected());
    QTRY_COMPARE(c.status(), 503);
    QCOMPARE(c.body().value(QStringLiteral("message")).toString(),
        QStringLiteral("The server has reached its connection limit"));
}

void TestConnectionLimits::trustedProxyCountsTheForwardedClient()
{
    HttpListenerOptions options;
    options.maxConnectionsPerAddress = 1;
    options.trustedProxies = {QHostAddress(QStringLiteral("127.0.0.1"))};
    HttpListener listener(options);
    Channels channels(listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));

    // Two clients behind the one proxy address each get their own share.
    RawClient first(listener.port(), QStringLiteral("127.0.0.1"));
    RawClient second(listener.port(), QStringLiteral("127.0.0.1"));
    QVERIFY(first.waitConnected() && second.waitConnected());
    first.send(upgrade("X-Forwarded-For: 203.0.113.5\r\n"));
    second.send(upgrade("X-Forwarded-For: 203.0.113.6\r\n"));
    QTRY_COMPARE(first.status(), 101);
    QTRY_COMPARE(second.status(), 101);
    QTRY_COMPARE(channels.accepted.size(), 2);
    QStringList peers;
    for (const auto &channel : std::as_const(channels.accepted))
        peers << channel->peerAddress();
    peers.sort();
    QCOMPARE(peers, (QStringList {QStringLiteral("203.0.113.5"), QStringLiteral("203.0.113.6")}));

    // The same client again is over its share.
    RawClient third(listener.port(), QStringLiteral("127.0.0.1"));
    QVERIFY(third.waitConnected());
    third.send(upgrade("X-Forwarded-For: 203.0.113.5\r\n"));
    QTRY_COMPARE(third.status(), 503);

    // Not the proxy: its header is the client's own word and counts for nothing.
    RawClient direct(listener.port(), QStringLiteral("127.0.0.9"));
    QVERIFY(direct.waitConnected());
    direct.send(upgrade("X-Forwarded-For: 203.0.113.7\r\n"));
    QTRY_COMPARE(direct.status(), 101);
    QTRY_COMPARE(channels.accepted.size(), 3);
    QCOMPARE(channels.accepted.last()->peerAddress(), QStringLiteral("127.0.0.9"));
}

void TestConnectionLimits::malformedWebSocketKeyIsRefused_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("too short") << QByteArray("c2hvcnQ=");
    QTest::newRow("not base64") << QByteArray("!!!!!!!!!!!!!!!!!!!!!!==");
    QTest::newRow("17 bytes") << QByteArray("AAAAAAAAAAAAAAAAAAAAAAA=");
    QTest::newRow("24 characters, no padding") << QByteArray("AAAAAAAAAAAAAAAAAAAAAAAA");
}

void TestConnectionLimits::malformedWebSocketKeyIsRefused()
{
    QFETCH(QByteArray, key);
    HttpListener listener;
    Channels channels(listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    RawClient client(listener.port(), QStringLiteral("127.0.0.1"));
    QVERIFY(client.waitConnected());
    client.send(upgrade({}, key));
    QTRY_COMPARE(client.status(), 400);
    QCOMPARE(client.body().value(QStringLiteral("message")).toString(),
        QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"));
    QCOMPARE(channels.accepted.size(), 0);
}

QTEST_GUILESS_MAIN(TestConnectionLimits)
#include "tst_connectionlimits.moc"
