#include "core/httplistener.h"
#include "net/socketcloser.h"
#include "net/tcpwebsocketchannel.h"
#include "net/websocketframes.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QtEndian>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using parley::net::SocketCloser;
using parley::net::TcpWebSocketChannel;
using parley::net::UpgradeRequest;
using parley::transport::FrameChannel;
namespace ws = parley::net::ws;

namespace {

struct Frame
{
    quint8 opcode;
    QByteArray payload;
    quint16 closeCode() const
    {
        return payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : 0;
    }
};

// A client frame as the tests want it: masked unless told otherwise.
QByteArray clientFrame(
    quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = true, quint8 reserved = 0)
{
    QByteArray frame;
    frame += char((fin ? 0x80 : 0) | reserved | opcode);
    const quint8 maskBit = masked ? 0x80 : 0;
    if (payload.size() <= 125) {
        frame += char(maskBit | payload.size());
    } else if (payload.size() <= 0xFFFF) {
        frame += char(maskBit | 126);
        QByteArray length(2, Qt::Uninitialized);
        qToBigEndian<quint16>(quint16(payload.size()), length.data());
        frame += length;
    } else {
        frame += char(maskBit | 127);
        QByteArray length(8, Qt::Uninitialized);
        qToBigEndian<quint64>(quint64(payload.size()), length.data());
        frame += length;
    }
    if (!masked)
        return frame + payload;
    const char key[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(key, 4);
    QByteArray body = payload;
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(body[i] ^ key[i % 4]);
    return frame + body;
}

QByteArray closeFrame(quint16 code, const QByteArray &reason)
{
    return clientFrame(0x8, ws::closePayload(code, reason));
}

// The client end of a socket pair whose other end a channel serves.
class Peer
{
public:
    Peer()
    {
        int fds[2];
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
        m_fd = fds[0];
        serverFd = fds[1];
    }
    ~Peer() { ::close(m_fd); }

    void write(const QByteArray &bytes)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(m_fd, bytes.constData() + done, size_t(bytes.size() - done));
            if (n > 0)
                done += n;
            else
                QTest::qWait(1); // the channel reads from the event loop
        }
    }

    // Reads what is there; true once the channel's side has shut down (end of stream).
    bool poll()
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
            if (n > 0) {
                m_received.append(buffer, n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                m_ended = true;
            break;
        }
        parse();
        return m_ended;
    }

    QList<Frame> frames;
    int serverFd;

private:
    void parse()
    {
        for (;;) {
            if (m_received.size() < 2)
                return;
            const auto *b = reinterpret_cast<const quint8 *>(m_received.constData());
            qsizetype header = 2;
            quint64 length = b[1] & 0x7F;
            if (length == 126) {
                if (m_received.size() < 4)
                    return;
                length = qFromBigEndian<quint16>(b + 2);
                header = 4;
            } else if (length == 127) {
                if (m_received.size() < 10)
                    return;
                length = qFromBigEndian<quint64>(b + 2);
                header = 10;
            }
            if (quint64(m_received.size()) < header + length)
                return;
            frames.append({quint8(b[0] & 0x0F), m_received.mid(header, qsizetype(length))});
            m_received.remove(0, header + qsizetype(length));
        }
    }

    int m_fd;
    QByteArray m_received;
    bool m_ended = false;
};

UpgradeRequest someRequest()
{
    return UpgradeRequest(QByteArrayLiteral("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                                            "Host: h\r\nAuthorization: Bearer x\r\nX-Twice: a\r\n"
                                            "x-twice:  b \r\n\r\n"),
        QStringLiteral("127.0.0.1"));
}

} // namespace

class TestTcpWebSocketChannel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void messagesOfEverySizeClass_data();
    void messagesOfEverySizeClass();
    void upgradeRequestIsReadFromTheKeptHead();
    void receiverTakesWhatSignalsWouldCarry();
    void fragmentedMessageWithInterleavedControlFrames();
    void protocolViolationsClose_data();
    void protocolViolationsClose();
    void oversizeClosesBeforeThePayloadArrives();
    void peerCloseIsAnswered();
    void localCloseSendsCloseFrameThenEnds();
    void deletingAnOpenChannelSaysGoingAway();
    void peerHangUpReportsDisconnected();
    void slowReaderQueuesAndDrains();
    void queueCountsOnlyWhatTheKernelRefused();
    void pingsGoUnansweredOverTheQueueLimit();
    void aFrameOverTheQueueLimitCloses();
    void realQWebSocketClient();
    void cleanupTestCase();
};

void TestTcpWebSocketChannel::messagesOfEverySizeClass_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("lengthByte"); // the 7-bit length field of the server's frame
    for (const int size : {0, 125, 126, 65535, 65536, 300000}) {
        const int lengthByte = size <= 125 ? size : size <= 65535 ? 126 : 127;
        QTest::addRow("%d bytes", size) << size << lengthByte;
    }
}

void TestTcpWebSocketChannel::messagesOfEverySizeClass()
{
    QFETCH(int, size);
    QFETCH(int, lengthByte);
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000000);
    QSignalSpy texts(&channel, &FrameChannel::textReceived);
    QSignalSpy binaries(&channel, &FrameChannel::binaryReceived);
    QByteArray text(size, 'a');
    for (int i = 0; i < size; ++i)
        text[i] = char('a' + i % 26);

    peer.write(clientFrame(0x1, text));
    peer.write(clientFrame(0x2, text));
    QTRY_COMPARE(binaries.count(), 1);
    QCOMPARE(texts.count(), 1);
    QCOMPARE(texts.at(0).at(0).toByteArray(), text);
    QCOMPARE(binaries.at(0).at(0).toByteArray(), text);

    channel.sendText(text);
    // A shared message goes out as its frame, byte for byte (here a binary one, to tell
    // it from the text beside it).
    channel.sendShared({QByteArrayLiteral("not this"), ws::encodeFrame(ws::Opcode::Binary, text)});
    QTRY_VERIFY((peer.poll(), peer.frames.size() == 2));
    QCOMPARE(peer.frames.at(0).opcode, quint8(0x1));
    QCOMPARE(peer.frames.at(0).payload, text);
    QCOMPARE(peer.frames.at(1).opcode, quint8(0x2));
    QCOMPARE(peer.frames.at(1).payload, text);
    QCOMPARE(quint8(ws::frameHeader(ws::Opcode::Text, size).at(1)), quint8(lengthByte));
    QCOMPARE(channel.requestHeader("Authorization"), QByteArray("Bearer x"));
}

void TestTcpWebSocketChannel::upgradeRequestIsReadFromTheKeptHead()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000000);
    QCOMPARE(channel.requestHeader("authorization"), QByteArray("Bearer x"));
    QCOMPARE(channel.requestHeader("X-TWICE"), QByteArray("a,b"));
    QCOMPARE(channel.requestHeader("Absent"), QByteArray());
    QCOMPARE(channel.requestHeader("Host"), QByteArray("h"));
    QCOMPARE(channel.requestUrl(), QUrl(QStringLiteral("ws://h/socket.io/?EIO=4&transport=websocket")));
    QCOMPARE(channel.peerAddress(), QStringLiteral("127.0.0.1"));
}

void TestTcpWebSocketChannel::receiverTakesWhatSignalsWouldCarry()
{
    struct Recorder final : FrameChannel::Receiver
    {
        void receivedText(const QByteArray &utf8) override { texts.append(utf8); }
        void receivedBinary(const QByteArray &bytes) override { binaries.append(bytes); }
        void channelDisconnected(const QString &reason) override { gone.append(reason); }
        QList<QByteArray> texts, binaries;
        QStringList gone;
    } recorder;
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000000);
    QVERIFY(channel.setReceiver(&recorder));
    QSignalSpy texts(&channel, &FrameChannel::textReceived);
    QSignalSpy binaries(&channel, &FrameChannel::binaryReceived);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);

    peer.write(clientFrame(0x1, "text"));
    peer.write(clientFrame(0x2, "bytes"));
    QTRY_COMPARE(recorder.binaries.size(), 1);
    QCOMPARE(recorder.texts, QList<QByteArray> {"text"});
    QCOMPARE(recorder.binaries.first(), QByteArray("bytes"));

    channel.close(QStringLiteral("done"));
    QCOMPARE(recorder.gone, QStringList {QStringLiteral("done")});
    QCOMPARE(texts.count() + binaries.count() + disconnected.count(), 0);
}

void TestTcpWebSocketChannel::fragmentedMessageWithInterleavedControlFrames()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000000);
    QSignalSpy texts(&channel, &FrameChannel::textReceived);
    // "hé" split inside the two-byte character: only the whole message must be UTF-8.
    const QByteArray accented = QStringLiteral("h\u00e9llo").toUtf8();
    peer.write(clientFrame(0x1, accented.left(2), false));
    peer.write(clientFrame(0x9, "p1"));
    peer.write(clientFrame(0x0, accented.mid(2, 2), false));
    peer.write(clientFrame(0xA, "unsolicited pong"));
    peer.write(clientFrame(0x0, accented.mid(4), true));
    QTRY_COMPARE(texts.count(), 1);
    QCOMPARE(texts.at(0).at(0).toByteArray(), accented);
    QTRY_VERIFY((peer.poll(), !peer.frames.isEmpty()));
    QCOMPARE(peer.frames.size(), 1);
    QCOMPARE(peer.frames.at(0).opcode, quint8(0xA));
    QCOMPARE(peer.frames.at(0).payload, QByteArray("p1"));
}

void TestTcpWebSocketChannel::protocolViolationsClose_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::newRow("unmasked") << clientFrame(0x1, "hi", true, false) << 1002;
    QTest::newRow("bad UTF-8") << clientFrame(0x1, "\xC0\xAF") << 1007;
    QTest::newRow("surrogate") << clientFrame(0x1, "\xED\xA0\x80") << 1007;
    QTest::newRow("bad UTF-8 across fragments")
        << clientFrame(0x1, "ok", false) + clientFrame(0x0, "\xFF", true) << 1007;
    QTest::newRow("continuation first") << clientFrame(0x0, "x") << 1002;
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << 1002;
    QTest::newRow("reserved bit") << clientFrame(0x1, "x", true, true, 0x40) << 1002;
    QTest::newRow("unknown opcode") << clientFrame(0x3, "x") << 1002;
    QTest::newRow("fragmented ping") << clientFrame(0x9, "x", false) << 1002;
    QTest::newRow("ping over 125 bytes") << clientFrame(0x9, QByteArray(126, 'p')) << 1002;
    QTest::newRow("close code 1005") << closeFrame(1005, {}) << 1002;
    QTest::newRow("close with one byte") << clientFrame(0x8, "x") << 1002;
    QTest::newRow("close reason not UTF-8") << closeFrame(1000, "\xFF") << 1007;
}

void TestTcpWebSocketChannel::protocolViolationsClose()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000000);
    QSignalSpy texts(&channel, &FrameChannel::textReceived);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    peer.write(bytes + clientFrame(0x1, "after"));
    QTRY_COMPARE(disconnected.count(), 1);
    QTRY_VERIFY(peer.poll()); // the channel's side ends after its close frame
    QCOMPARE(peer.frames.size(), 1);
    QCOMPARE(peer.frames.at(0).opcode, quint8(0x8));
    QCOMPARE(int(peer.frames.at(0).closeCode()), code);
    QCOMPARE(texts.count(), 0);
    QVERIFY(!channel.isOpen());
}

void TestTcpWebSocketChannel::oversizeClosesBeforeThePayloadArrives()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    QSignalSpy binaries(&channel, &FrameChannel::binaryReceived);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    peer.write(clientFrame(0x2, QByteArray(1000, 'a'))); // at the limit
    QTRY_COMPARE(binaries.count(), 1);
    // Only the header of a 5000-byte frame: the verdict cannot wait for the payload.
    peer.write(clientFrame(0x2, QByteArray(5000, 'b')).left(14));
    QTRY_COMPARE(disconnected.count(), 1);
    QTRY_VERIFY(peer.poll());
    QCOMPARE(int(peer.frames.last().closeCode()), 1009);

    // The same limit holds for a message built from fragments.
    Peer second;
    TcpWebSocketChannel fragmented(second.serverFd, someRequest(), 1000);
    QSignalSpy secondDisconnected(&fragmented, &FrameChannel::disconnected);
    second.write(clientFrame(0x2, QByteArray(600, 'c'), false) + clientFrame(0x0, QByteArray(600, 'd')));
    QTRY_COMPARE(secondDisconnected.count(), 1);
    QTRY_VERIFY(second.poll());
    QCOMPARE(int(second.frames.last().closeCode()), 1009);
}

void TestTcpWebSocketChannel::peerCloseIsAnswered()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    peer.write(closeFrame(4000, "bye"));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("bye"));
    QTRY_VERIFY(peer.poll());
    QCOMPARE(peer.frames.size(), 1);
    QCOMPARE(int(peer.frames.at(0).closeCode()), 4000);
    channel.sendText("too late"); // ignored, no crash
}

void TestTcpWebSocketChannel::localCloseSendsCloseFrameThenEnds()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    channel.sendText("last words");
    channel.close(QStringLiteral("done"));
    QCOMPARE(disconnected.count(), 1); // at once, like WebSocketChannel
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("done"));
    channel.close(QStringLiteral("again"));
    QCOMPARE(disconnected.count(), 1);
    QTRY_VERIFY(peer.poll());
    QCOMPARE(peer.frames.size(), 2);
    QCOMPARE(peer.frames.at(0).payload, QByteArray("last words"));
    QCOMPARE(int(peer.frames.at(1).closeCode()), 1000);
    QCOMPARE(peer.frames.at(1).payload.mid(2), QByteArray("done"));
}

void TestTcpWebSocketChannel::deletingAnOpenChannelSaysGoingAway()
{
    Peer peer;
    auto *channel = new TcpWebSocketChannel(peer.serverFd, someRequest(), 1000);
    QSignalSpy disconnected(channel, &FrameChannel::disconnected);
    delete channel;
    QCOMPARE(disconnected.count(), 0);
    QTRY_VERIFY(peer.poll());
    QCOMPARE(int(peer.frames.at(0).closeCode()), 1001);
}

void TestTcpWebSocketChannel::peerHangUpReportsDisconnected()
{
    auto peer = std::make_unique<Peer>();
    TcpWebSocketChannel channel(peer->serverFd, someRequest(), 1000);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    peer.reset();
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY(!channel.isOpen());
}

void TestTcpWebSocketChannel::slowReaderQueuesAndDrains()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    const QByteArray chunk(64 * 1024, 'q');
    for (int i = 0; i < 64; ++i)
        channel.sendText(chunk); // 4 MiB: far more than a socket buffer
    QCOMPARE(channel.queuedBytes(), 0); // not offered to the kernel before the turn ends
    QTRY_VERIFY(channel.queuedBytes() > 0);
    QTRY_VERIFY_WITH_TIMEOUT((peer.poll(), peer.frames.size() == 64), 20000);
    QTRY_COMPARE(channel.queuedBytes(), 0);
    for (const Frame &frame : std::as_const(peer.frames))
        QVERIFY(frame.payload == chunk);
}

// A reply larger than the limit is never what cuts its own reader: the limit is checked
// against what the kernel refused before, not against the frame on its way.
void TestTcpWebSocketChannel::queueCountsOnlyWhatTheKernelRefused()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    channel.setSendQueueLimit(64 * 1024);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    const QByteArray reply(1024 * 1024, 'r');
    channel.sendText(reply);
    QTRY_VERIFY_WITH_TIMEOUT((peer.poll(), peer.frames.size() == 1), 20000);
    QCOMPARE(peer.frames.at(0).payload, reply);
    QCOMPARE(disconnected.count(), 0);
    QVERIFY(channel.isOpen());
}

// A peer that pings without reading would grow the queue by one pong per ping.
void TestTcpWebSocketChannel::pingsGoUnansweredOverTheQueueLimit()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    constexpr qint64 Limit = 64 * 1024;
    channel.setSendQueueLimit(Limit);
    QSignalSpy texts(&channel, &FrameChannel::textReceived);
    channel.sendText(QByteArray(2 * 1024 * 1024, 'x')); // admitted: the queue was empty
    QTRY_VERIFY(channel.queuedBytes() > Limit);
    const qint64 queued = channel.queuedBytes();

    QByteArray pings;
    for (int i = 0; i < 2000; ++i)
        pings += clientFrame(0x9, QByteArray(100, 'p'));
    peer.write(pings + clientFrame(0x1, "after the pings"));
    QTRY_COMPARE(texts.count(), 1); // every ping before it was handled
    QCOMPARE(channel.queuedBytes(), queued);
    QVERIFY(channel.isOpen());
}

void TestTcpWebSocketChannel::aFrameOverTheQueueLimitCloses()
{
    Peer peer;
    TcpWebSocketChannel channel(peer.serverFd, someRequest(), 1000);
    constexpr qint64 Limit = 64 * 1024;
    channel.setSendQueueLimit(Limit);
    QSignalSpy disconnected(&channel, &FrameChannel::disconnected);
    channel.sendText(QByteArray(2 * 1024 * 1024, 'x'));
    QTRY_VERIFY(channel.queuedBytes() > Limit);
    QCOMPARE(disconnected.count(), 0);
    channel.sendText("one more");
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("send queue over its limit"));
    QVERIFY(!channel.isOpen());
}

void TestTcpWebSocketChannel::realQWebSocketClient()
{
    parley::server::HttpListenerOptions options;
    options.webSocket = parley::server::WebSocketTransport::Native;
    parley::server::HttpListener listener(options);
    QPointer<FrameChannel> served;
    connect(&listener, &parley::server::HttpListener::channelAccepted, this, [&](FrameChannel *channel) {
        served = channel;
        connect(channel, &FrameChannel::textReceived, channel,
            [channel](const QByteArray &utf8) { channel->sendText(utf8.toUpper()); });
        connect(channel, &FrameChannel::binaryReceived, channel,
            [channel](const QByteArray &bytes) { channel->sendBinary(bytes); });
        connect(channel, &FrameChannel::disconnected, channel, &QObject::deleteLater);
    });
    QVERIFY(listener.listen(QHostAddress::LocalHost).ok());

    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    QSignalSpy texts(&client, &QWebSocket::textMessageReceived);
    QSignalSpy binaries(&client, &QWebSocket::binaryMessageReceived);
    QSignalSpy pongs(&client, &QWebSocket::pong);
    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    client.open(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(listener.port())));
    QTRY_COMPARE(connected.count(), 1);
    client.sendTextMessage(QStringLiteral("caf\u00e9"));
    const QByteArray big(200000, 'z');
    client.sendBinaryMessage(big);
    client.ping("are you there");
    QTRY_COMPARE(texts.count(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("CAF\u00e9")); // toUpper() is ASCII-only
    QTRY_COMPARE(binaries.count(), 1);
    QCOMPARE(binaries.at(0).at(0).toByteArray(), big);
    QTRY_COMPARE(pongs.count(), 1);
    QCOMPARE(pongs.at(0).at(1).toByteArray(), QByteArray("are you there"));

    served->close(QStringLiteral("server says bye"));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QCOMPARE(client.closeReason(), QStringLiteral("server says bye"));
    QTRY_VERIFY(served.isNull());
    QTRY_COMPARE(listener.liveSocketCount(), 0);
}

void TestTcpWebSocketChannel::cleanupTestCase()
{
    // Every closing handshake above finished: no descriptor waits for its peer.
    QTRY_COMPARE(SocketCloser::lingeringCount(), 0);
}

QTEST_GUILESS_MAIN(TestTcpWebSocketChannel)
#include "tst_tcpwebsocketchannel.moc"
