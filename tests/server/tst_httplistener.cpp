#include "core/httplistener.h"
#include "net/descriptorlimit.h"
#include "net/socketcloser.h"
#include "transport/framechannel.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

#include <fcntl.h>
#include <memory>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using parley::server::HealthSnapshot;
using parley::server::HttpListener;
using parley::server::HttpListenerOptions;
using parley::transport::FrameChannel;

namespace {

// An HTTP response split into what the tests look at.
struct RawResponse
{
    int status = 0;
    QByteArray statusLine;
    QByteArray headers; // lower-cased, for contains() checks
    QJsonObject json;
    bool closedByServer = false;
};

// Sends bytes on a fresh TCP connection and collects everything until the server
// closes it (or timeoutMs passes).
RawResponse exchange(quint16 port, const QByteArray &request, int timeoutMs = 5000)
{
    QTcpSocket socket;
    QByteArray received;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(request);
    RawResponse response;
    response.closedByServer =
        QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    received += socket.readAll();

    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    const QByteArray head = received.left(headEnd);
    response.statusLine = head.left(head.indexOf("\r\n"));
    const QList<QByteArray> statusParts = response.statusLine.split(' ');
    if (statusParts.size() >= 2)
        response.status = statusParts[1].toInt();
    response.headers = head.toLower();
    if (headEnd >= 0)
        response.json = QJsonDocument::fromJson(received.mid(headEnd + 4)).object();
    return response;
}

QByteArray upgradeRequest(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        extraHeaders + "\r\n";
}

QUrl webSocketUrl(quint16 port, const QString &path = QStringLiteral("/socket.io/"))
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1%2?EIO=4&transport=websocket").arg(port).arg(path));
}

// Takes every announced channel the way the server core will: owns it and deletes it
// once it reports disconnected. Counts the live ones so leaks show.
class ChannelSink : public QObject
{
public:
    explicit ChannelSink(HttpListener *listener)
    {
        connect(listener, &HttpListener::channelAccepted, this, [this](FrameChannel *channel) {
            ++accepted;
            ++alive;
            last = channel;
            channels.append(channel);
            connect(channel, &QObject::destroyed, this, [this] { --alive; });
            connect(channel, &FrameChannel::disconnected, channel, &QObject::deleteLater);
        });
    }

    int accepted = 0;
    int alive = 0;
    QPointer<FrameChannel> last;
    QList<QPointer<FrameChannel>> channels;
};

// Takes every free descriptor of the process (under a soft limit of at most 4096, so that
// a generous limit does not make this slow) until release() or destruction.
class DescriptorFiller
{
public:
    DescriptorFiller()
    {
        getrlimit(RLIMIT_NOFILE, &m_saved);
        rlimit lowered = m_saved;
        lowered.rlim_cur = std::min<rlim_t>(m_saved.rlim_cur, 4096);
        setrlimit(RLIMIT_NOFILE, &lowered);
        topUp();
    }
    ~DescriptorFiller() { release(); }
    qsizetype count() const { return qsizetype(m_fds.size()); }
    // Takes the descriptors that were freed since (sockets of other objects closing).
    void topUp()
    {
        if (m_fds.empty()) {
            const int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (first < 0)
                return;
            m_fds.push_back(first);
        }
        for (int fd; (fd = ::fcntl(m_fds.front(), F_DUPFD_CLOEXEC, 0)) >= 0;)
            m_fds.push_back(fd);
    }
    void release()
    {
        for (const int fd : m_fds)
            ::close(fd);
        m_fds.clear();
        setrlimit(RLIMIT_NOFILE, &m_saved);
    }

private:
    rlimit m_saved {};
    std::vector<int> m_fds;
};

} // namespace

// Runs twice: with QWebSocketServer doing the upgrades (WebSocketTransport::Qt) and with
// the listener's own in-place upgrade (Native); every behaviour must be the same.
class TestHttpListener : public QObject
{
    Q_OBJECT
public:
    explicit TestHttpListener(bool light)
        : m_light(light)
    { }

private:
    HttpListenerOptions baseOptions() const
    {
        HttpListenerOptions options;
        options.webSocket =
            m_light ? parley::server::WebSocketTransport::Native : parley::server::WebSocketTransport::Qt;
        return options;
    }
    bool m_light;

private Q_SLOTS:
    void initTestCase();
    void listenReportsPortAndFailure();
    void plainHttpGets400WithJson();
    void rejectedRequests_data();
    void rejectedRequests();
    void bodyAfterRefusedRequestDoesNotResetAnswer();
    void healthzReportsProviderNumbers();
    void originOutsideAllowListGets403();
    void upgradeProducesChannel();
    void upgradeWithoutReceiverIsClosed();
    void oversizeFrameClosesUpgradedConnection();
    void oversizeHeadGets431();
    void slowHeadTimesOut();
    void idleConnectionTimesOut();
    void thousandCyclesLeaveNoSocket();
    void upgradeAnswerCarriesAcceptKey();
    void frameSentWithTheHeadIsRead();
    void acceptPausesWhileOutOfDescriptors();
    void descriptorLimitIsRaisedToTheHardLimit();
};

void TestHttpListener::initTestCase()
{
    qRegisterMetaType<FrameChannel *>();
}

void TestHttpListener::listenReportsPortAndFailure()
{
    HttpListener listener(baseOptions());
    const auto bound = listener.listen(QHostAddress::LocalHost, 0);
    QVERIFY(bound.ok());
    QVERIFY(*bound != 0);
    QCOMPARE(listener.port(), *bound);
    QVERIFY(listener.isListening());

    HttpListener second(baseOptions());
    const auto clash = second.listen(QHostAddress::LocalHost, *bound);
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().code, QAbstractSocket::AddressInUseError);
    QVERIFY(!clash.error().message.isEmpty());
}

void TestHttpListener::plainHttpGets400WithJson()
{
    HttpListener listener(baseOptions());
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const RawResponse response = exchange(listener.port(), "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(response.closedByServer);
    QCOMPARE(response.statusLine, QByteArray("HTTP/1.1 400 Bad Request"));
    QVERIFY(response.headers.contains("connection: close"));
    QVERIFY(response.headers.contains("content-type: application/json"));
    QVERIFY(response.json.value(QStringLiteral("code")).isDouble());
    QVERIFY(!response.json.value(QStringLiteral("message")).toString().isEmpty());
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::rejectedRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code"); // engine.io's numbering

    QTest::newRow("long-polling")
        << QByteArray("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: h\r\n\r\n") << 400 << 0;
    QTest::newRow("upgrade with polling transport")
        << upgradeRequest("/socket.io/?EIO=4&transport=polling") << 400 << 0;
    QTest::newRow("no transport") << upgradeRequest("/socket.io/?EIO=4") << 400 << 0;
    QTest::newRow("unknown transport") << upgradeRequest("/socket.io/?EIO=4&transport=abc") << 400 << 0;
    QTest::newRow("no EIO") << upgradeRequest("/socket.io/?transport=websocket") << 400 << 5;
    QTest::newRow("EIO=3") << upgradeRequest("/socket.io/?EIO=3&transport=websocket") << 400 << 5;
    QTest::newRow("EIO=abc") << upgradeRequest("/socket.io/?EIO=abc&transport=websocket") << 400 << 5;
    QTest::newRow("wrong path") << upgradeRequest("/engine.io/?EIO=4&transport=websocket") << 400 << 3;
    QTest::newRow("path without slash") << upgradeRequest("/socket.io?EIO=4&transport=websocket") << 400 << 3;
    QTest::newRow("sid of a polling session")
        << upgradeRequest("/socket.io/?EIO=4&transport=websocket&sid=abc") << 400 << 1;
    QTest::newRow("POST") << QByteArray("POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: h\r\n"
                                        "Content-Length: 0\r\n\r\n")
                          << 400 << 2;
    QTest::newRow("PUT") << QByteArray(
                                "PUT /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\n\r\n")
                         << 400 << 2;
    QTest::newRow("no Upgrade header")
        << QByteArray("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\n\r\n") << 400 << 3;
    QTest::newRow("no Sec-WebSocket-Key")
        << QByteArray(
               "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        << 400 << 3;
    QTest::newRow("WebSocket version 8")
        << QByteArray(
               "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 8\r\n\r\n")
        << 400 << 3;
    QTest::newRow("not HTTP") << QByteArray("hello there\r\n\r\n") << 400 << 3;
    QTest::newRow("POST /healthz") << QByteArray("POST /healthz HTTP/1.1\r\nHost: h\r\n\r\n") << 400 << 2;
}

void TestHttpListener::rejectedRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(int, code);

    HttpListener listener(baseOptions());
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const RawResponse response = exchange(listener.port(), request);
    QVERIFY(response.closedByServer);
    QCOMPARE(response.status, status);
    QVERIFY(response.headers.contains("connection: close"));
    QCOMPARE(response.json.value(QStringLiteral("code")).toInt(-1), code);
    QVERIFY(!response.json.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(sink.accepted, 0);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::bodyAfterRefusedRequestDoesNotResetAnswer()
{
    HttpListener listener(baseOptions());
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const QByteArray body(64 * 1024, 'x');
    const RawResponse response = exchange(listener.port(),
        "POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: h\r\n"
        "Content-Length: " +
            QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json.value(QStringLiteral("code")).toInt(-1), 2);
}

void TestHttpListener::healthzReportsProviderNumbers()
{
    HttpListenerOptions options = baseOptions();
    options.version = QStringLiteral("9.8.7");
    HttpListener listener(options);
    listener.setHealthProvider([] { return HealthSnapshot {3, 2}; });
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const RawResponse response = exchange(listener.port(), "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(response.statusLine, QByteArray("HTTP/1.1 200 OK"));
    QVERIFY(response.headers.contains("content-type: application/json"));
    const QJsonObject expected {{QStringLiteral("status"), QStringLiteral("ok")},
        {QStringLiteral("version"), QStringLiteral("9.8.7")}, {QStringLiteral("connections"), 3},
        {QStringLiteral("rooms"), 2}};
    QCOMPARE(response.json, expected);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::originOutsideAllowListGets403()
{
    HttpListenerOptions options = baseOptions();
    options.allowedOrigins = {QStringLiteral("https://chat.example")};
    HttpListener listener(options);
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const RawResponse refused = exchange(listener.port(),
        upgradeRequest("/socket.io/?EIO=4&transport=websocket", "Origin: https://evil.example\r\n"));
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.json.value(QStringLiteral("code")).toInt(-1), 4);

    // Native clients (socket.io-client in Node, the desktop app) send no Origin at all.
    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    client.open(webSocketUrl(listener.port()));
    QTRY_COMPARE(connected.count(), 1);
    QNetworkRequest request(webSocketUrl(listener.port()));
    request.setRawHeader("Origin", "https://chat.example");
    QWebSocket allowed;
    QSignalSpy allowedConnected(&allowed, &QWebSocket::connected);
    allowed.open(request);
    QTRY_COMPARE(allowedConnected.count(), 1);
    QCOMPARE(sink.accepted, 2);
}

void TestHttpListener::upgradeProducesChannel()
{
    HttpListener listener(baseOptions());
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    QWebSocket client;
    QSignalSpy clientConnected(&client, &QWebSocket::connected);
    QSignalSpy clientReceived(&client, &QWebSocket::textMessageReceived);
    QSignalSpy accepted(&listener, &HttpListener::channelAccepted);
    client.open(webSocketUrl(listener.port()));
    QTRY_COMPARE(accepted.count(), 1);
    QTRY_COMPARE(clientConnected.count(), 1);

    FrameChannel *channel = sink.last;
    QVERIFY(channel);
    QCOMPARE(channel->requestUrl().path(), QStringLiteral("/socket.io/"));
    QVERIFY(channel->requestUrl().query().contains(QStringLiteral("EIO=4")));

    QSignalSpy serverReceived(channel, &FrameChannel::textReceived);
    client.sendTextMessage(QStringLiteral("4hello"));
    QTRY_COMPARE(serverReceived.count(), 1);
    QCOMPARE(serverReceived.at(0).at(0).toByteArray(), QByteArray("4hello"));
    channel->sendText("4back");
    QTRY_COMPARE(clientReceived.count(), 1);
    QCOMPARE(clientReceived.at(0).at(0).toString(), QStringLiteral("4back"));

    client.close();
    QTRY_COMPARE(sink.alive, 0);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::upgradeWithoutReceiverIsClosed()
{
    HttpListener listener(baseOptions());
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    QWebSocket client;
    QSignalSpy clientDisconnected(&client, &QWebSocket::disconnected);
    client.open(webSocketUrl(listener.port()));
    QTRY_COMPARE(clientDisconnected.count(), 1);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::oversizeFrameClosesUpgradedConnection()
{
    HttpListenerOptions options = baseOptions();
    options.maxIncomingMessageBytes = 1000;
    HttpListener listener(options);
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    QWebSocket client;
    QSignalSpy clientConnected(&client, &QWebSocket::connected);
    QSignalSpy clientDisconnected(&client, &QWebSocket::disconnected);
    client.open(webSocketUrl(listener.port()));
    QTRY_COMPARE(clientConnected.count(), 1);
    QTRY_VERIFY(sink.last);
    QSignalSpy serverReceived(sink.last.data(), &FrameChannel::binaryReceived);

    client.sendBinaryMessage(QByteArray(1000, 'a')); // at the limit: delivered
    QTRY_COMPARE(serverReceived.count(), 1);
    client.sendBinaryMessage(QByteArray(1001, 'b')); // over it: the connection closes
    QTRY_COMPARE(clientDisconnected.count(), 1);
    QCOMPARE(serverReceived.count(), 1);
    QTRY_COMPARE(sink.alive, 0);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::oversizeHeadGets431()
{
    HttpListenerOptions options = baseOptions();
    options.maxHeadBytes = 1024;
    HttpListener listener(options);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const QByteArray head =
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nX-Filler: " + QByteArray(2000, 'f') +
        "\r\n\r\n";
    const RawResponse response = exchange(listener.port(), head);
    QVERIFY(response.closedByServer);
    QCOMPARE(response.status, 431);
    QVERIFY(response.headers.contains("connection: close"));
    QVERIFY(!response.json.value(QStringLiteral("message")).toString().isEmpty());
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::slowHeadTimesOut()
{
    HttpListenerOptions options = baseOptions();
    options.headTimeout = std::chrono::milliseconds(200);
    HttpListener listener(options);
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    // A slowloris client: a valid start, never the blank line that ends the head.
    const RawResponse response = exchange(listener.port(),
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\n"
        "Upgrade: websocket\r\n");
    QVERIFY(response.closedByServer);
    QCOMPARE(response.status, 408);
    QVERIFY(response.headers.contains("connection: close"));
    QCOMPARE(sink.accepted, 0);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::idleConnectionTimesOut()
{
    HttpListenerOptions options = baseOptions();
    options.headTimeout = std::chrono::milliseconds(200);
    HttpListener listener(options);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    const RawResponse response = exchange(listener.port(), QByteArray());
    QVERIFY(response.closedByServer);
    QCOMPARE(response.status, 408);
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestHttpListener::thousandCyclesLeaveNoSocket()
{
    HttpListener listener(baseOptions());
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    // Batches keep the run short; each cycle is one upgrade, one refused plain request,
    // and one client that hangs up in the middle of its head. The upgrades end in the
    // three ways Qt treats differently: the client closes, the server closes, the
    // server deletes a still-open channel.
    constexpr int Batches = 20;
    constexpr int PerBatch = 50;
    int peakLive = 0;
    for (int batch = 0; batch < Batches; ++batch) {
        std::vector<std::unique_ptr<QWebSocket>> clients;
        std::vector<std::unique_ptr<QTcpSocket>> raws;
        int connected = 0;
        for (int i = 0; i < PerBatch; ++i) {
            auto client = std::make_unique<QWebSocket>();
            connect(client.get(), &QWebSocket::connected, this, [&connected] { ++connected; });
            client->open(webSocketUrl(listener.port()));
            clients.push_back(std::move(client));

            auto plain = std::make_unique<QTcpSocket>();
            plain->connectToHost(QHostAddress::LocalHost, listener.port());
            plain->write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            raws.push_back(std::move(plain));

            auto halfway = std::make_unique<QTcpSocket>();
            halfway->connectToHost(QHostAddress::LocalHost, listener.port());
            halfway->write("GET /socket.io/?EIO=4");
            raws.push_back(std::move(halfway));
        }
        QTRY_COMPARE_WITH_TIMEOUT(connected, PerBatch, 20000);
        QTRY_COMPARE(sink.alive, PerBatch);
        peakLive = std::max(peakLive, int(listener.liveSocketCount()));
        for (int i = 0; i < PerBatch; ++i) {
            FrameChannel *channel = sink.channels.at(batch * PerBatch + i);
            switch (batch % 3) {
            case 0:
                clients.at(i)->close();
                break;
            case 1:
                channel->close(QStringLiteral("server closes"));
                break;
            default:
                delete channel;
                break;
            }
        }
        for (auto &raw : raws)
            raw->abort();
        QTRY_COMPARE_WITH_TIMEOUT(sink.alive, 0, 20000);
    }

    QCOMPARE(sink.accepted, Batches * PerBatch);
    // The counter did see the upgraded sockets, so its return to zero means something.
    QVERIFY(peakLive >= PerBatch);
    QTRY_COMPARE_WITH_TIMEOUT(listener.liveSocketCount(), 0, 20000);
}

void TestHttpListener::upgradeAnswerCarriesAcceptKey()
{
    HttpListener listener(baseOptions());
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    QTcpSocket raw;
    QByteArray received;
    connect(&raw, &QTcpSocket::readyRead, this, [&] { received += raw.readAll(); });
    raw.connectToHost(QHostAddress::LocalHost, listener.port());
    QVERIFY(raw.waitForConnected(5000));
    raw.write(upgradeRequest("/socket.io/?EIO=4&transport=websocket&token=abc", "X-Extra: yes\r\n"));
    QTRY_VERIFY(received.contains("\r\n\r\n"));
    QVERIFY(received.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    // RFC 6455 section 1.3's example key and answer.
    QVERIFY(received.toLower().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="));
    QTRY_VERIFY(sink.last);
    QCOMPARE(sink.last->requestHeader("X-Extra"), QByteArray("yes"));
    QCOMPARE(
        QUrlQuery(sink.last->requestUrl()).queryItemValue(QStringLiteral("token")), QStringLiteral("abc"));
    QCOMPARE(sink.last->requestUrl().path(), QStringLiteral("/socket.io/"));
    QCOMPARE(sink.last->peerAddress(), QStringLiteral("127.0.0.1"));
}

void TestHttpListener::frameSentWithTheHeadIsRead()
{
    if (!m_light)
        QSKIP("QWebSocketServer (6.4) drops a frame that arrives in the same read as the request head");
    HttpListener listener(baseOptions());
    ChannelSink sink(&listener);
    QByteArray text;
    connect(&listener, &HttpListener::channelAccepted, this, [&](FrameChannel *channel) {
        connect(channel, &FrameChannel::textReceived, this, [&](const QByteArray &utf8) { text = utf8; });
    });
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    // A client that does not wait for the 101: its first frame ("hi", masked with key
    // 1,2,3,4) arrives in the same segment as the head.
    QByteArray frame("\x81\x82\x01\x02\x03\x04", 6);
    frame += char('h' ^ 1);
    frame += char('i' ^ 2);
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, listener.port());
    QVERIFY(raw.waitForConnected(5000));
    raw.write(upgradeRequest("/socket.io/?EIO=4&transport=websocket") + frame);
    QTRY_COMPARE(text, QByteArray("hi"));
}

// EMFILE on accept: the listener neither gives up for good (QTcpServer alone pauses and
// never resumes) nor spins; once descriptors are free again the waiting clients get in.
void TestHttpListener::acceptPausesWhileOutOfDescriptors()
{
    constexpr std::chrono::milliseconds RetryDelay {50};
    HttpListenerOptions options = baseOptions();
    options.acceptRetryDelay = RetryDelay;
    // Earlier tests' connections still closing would free descriptors meanwhile.
    QTRY_COMPARE_WITH_TIMEOUT(parley::net::SocketCloser::lingeringCount(), 0, 20000);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    HttpListener listener(options);
    ChannelSink sink(&listener);
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    // The kernel completes the clients' handshakes into the backlog and takes their
    // requests before anything is accepted (no event loop runs until the QTRY below).
    constexpr int Clients = 3;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < Clients; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, listener.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write(upgradeRequest("/socket.io/?EIO=4&transport=websocket"));
        QVERIFY(socket->waitForBytesWritten(5000));
        clients.push_back(std::move(socket));
    }

    // Whatever another object lets go of meanwhile is taken again at once (topUp).
    DescriptorFiller filler;
    QVERIFY(filler.count() > 0);
    const auto outOfDescriptorsUntil = [&](auto condition) {
        return QTest::qWaitFor([&] { return filler.topUp(), condition(); }, 5000);
    };
    QVERIFY(outOfDescriptorsUntil([&] { return listener.acceptPauseCount() >= 1; }));
    const qint64 pausesBefore = listener.acceptPauseCount();
    QElapsedTimer clock;
    clock.start();
    QVERIFY(outOfDescriptorsUntil([&] { return listener.acceptPauseCount() >= pausesBefore + 3; }));
    // Three more attempts, each one retry delay after the last: no busy loop.
    QVERIFY2(clock.elapsed() >= 3 * RetryDelay.count() - 15, qPrintable(QString::number(clock.elapsed())));

    filler.release();
    QTRY_COMPARE(sink.accepted, Clients);
    for (const auto &client : clients)
        client->abort();
    QTRY_COMPARE_WITH_TIMEOUT(sink.alive, 0, 20000);
}

void TestHttpListener::descriptorLimitIsRaisedToTheHardLimit()
{
    rlimit saved {};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max <= 256)
        QSKIP("the hard limit is too low to lower the soft one below it");
    rlimit lowered = saved;
    lowered.rlim_cur = 256;
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &lowered), 0);

    const parley::net::DescriptorLimit limit = parley::net::raiseDescriptorLimit();
    rlimit now {};
    getrlimit(RLIMIT_NOFILE, &now);
    setrlimit(RLIMIT_NOFILE, &saved);
    QCOMPARE(limit.before, rlim_t(256));
    QVERIFY(limit.raised());
    QCOMPARE(limit.soft, now.rlim_cur);
    QCOMPARE(limit.hard, saved.rlim_max);
    if (saved.rlim_max != RLIM_INFINITY)
        QCOMPARE(now.rlim_cur, saved.rlim_max);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    TestHttpListener viaQt(false);
    TestHttpListener light(true);
    // A failed first run ends the output: ctest reads a skip in the last run's totals
    // as a skipped test, which must never hide a failure of the first.
    const int status = QTest::qExec(&viaQt, argc, argv);
    if (status != 0)
        return status;
    return QTest::qExec(&light, argc, argv);
}
#include "tst_httplistener.moc"
