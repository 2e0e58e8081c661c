#include "protocoltestsupport.h"

#include <QTest>

using namespace parley::protocol;

namespace {

using Type = EnginePacketType;
using Kind = ProtocolErrorKind;

// The open packet exactly as docs/protocol.md section 1 shows it.
const QByteArray ContractOpenFrame =
    R"(0{"sid":"abc123","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

EngineOpenInfo openInfo(const QString &sid, int pingInterval, int pingTimeout, qint64 maxPayload)
{
    EngineOpenInfo info;
    info.sid = sid;
    info.pingInterval = pingInterval;
    info.pingTimeout = pingTimeout;
    info.maxPayload = maxPayload;
    return info;
}

} // namespace

Q_DECLARE_METATYPE(parley::protocol::EngineOpenInfo)

class TestEngineIo : public QObject
{
    Q_OBJECT

private slots:
    void decodesTextFrames_data();
    void decodesTextFrames();
    void rejectsTextFrames_data();
    void rejectsTextFrames();
    void encodesTextFrames_data();
    void encodesTextFrames();
    void textFramesRoundTrip_data();
    void textFramesRoundTrip();
    void decodesBinaryFrames_data();
    void decodesBinaryFrames();
    void encodesOpenPacket_data();
    void encodesOpenPacket();
    void decodesOpenPacket_data();
    void decodesOpenPacket();
    void rejectsOpenPacket_data();
    void rejectsOpenPacket();
};

void TestEngineIo::decodesTextFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<EnginePacketType>("type");
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("open") << QByteArray(R"(0{"sid":"s"})") << Type::Open << QByteArray(R"({"sid":"s"})");
    QTest::newRow("close") << QByteArray("1") << Type::Close << QByteArray();
    QTest::newRow("ping") << QByteArray("2") << Type::Ping << QByteArray();
    QTest::newRow("ping probe") << QByteArray("2probe") << Type::Ping << QByteArray("probe");
    QTest::newRow("pong") << QByteArray("3") << Type::Pong << QByteArray();
    QTest::newRow("pong probe") << QByteArray("3probe") << Type::Pong << QByteArray("probe");
    QTest::newRow("message") << QByteArray(R"(42["a"])") << Type::Message << QByteArray(R"(2["a"])");
    QTest::newRow("message empty") << QByteArray("4") << Type::Message << QByteArray();
    QTest::newRow("message UTF-8") << QByteArray("4h\xc3\xa9\xe2\x9c\x93") << Type::Message
                                   << QByteArray("h\xc3\xa9\xe2\x9c\x93");
    QTest::newRow("message starting with digit") << QByteArray("44") << Type::Message << QByteArray("4");
    QTest::newRow("upgrade") << QByteArray("5") << Type::Upgrade << QByteArray();
    QTest::newRow("noop") << QByteArray("6") << Type::Noop << QByteArray();
}

void TestEngineIo::decodesTextFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(EnginePacketType, type);
    QFETCH(QByteArray, payload);

    const auto result = decodeEngineText(frame);
    QVERIFY(result.ok());
    QCOMPARE(result->type, type);
    QCOMPARE(result->payload, payload);
    QCOMPARE(result->binary, false);
}

void TestEngineIo::rejectsTextFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ProtocolErrorKind>("kind");

    QTest::newRow("empty") << QByteArray() << Kind::EmptyFrame;
    QTest::newRow("type 7") << QByteArray("7") << Kind::UnknownPacketType;
    QTest::newRow("type 8") << QByteArray("8x") << Kind::UnknownPacketType;
    QTest::newRow("type 9") << QByteArray("9") << Kind::UnknownPacketType;
    QTest::newRow("letter") << QByteArray("m") << Kind::UnknownPacketType;
    QTest::newRow("leading space") << QByteArray(" 4") << Kind::UnknownPacketType;
    QTest::newRow("minus") << QByteArray("-1") << Kind::UnknownPacketType;
    QTest::newRow("slash") << QByteArray("/") << Kind::UnknownPacketType;
    QTest::newRow("colon") << QByteArray(":") << Kind::UnknownPacketType;
    QTest::newRow("NUL") << QByteArray("\0"
                                       "4",
                                2)
                         << Kind::UnknownPacketType;
    QTest::newRow("high byte") << QByteArray("\xff") << Kind::UnknownPacketType;
    QTest::newRow("JSON first") << QByteArray(R"({"sid":"s"})") << Kind::UnknownPacketType;
}

void TestEngineIo::rejectsTextFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(ProtocolErrorKind, kind);

    const auto result = decodeEngineText(frame);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, kind);
    QVERIFY(!result.error().message.isEmpty());
}

void TestEngineIo::encodesTextFrames_data()
{
    QTest::addColumn<EnginePacketType>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("frame");

    QTest::newRow("open") << Type::Open << QByteArray(R"({"sid":"s"})") << QByteArray(R"(0{"sid":"s"})");
    QTest::newRow("close") << Type::Close << QByteArray() << QByteArray("1");
    QTest::newRow("ping") << Type::Ping << QByteArray() << QByteArray("2");
    QTest::newRow("pong") << Type::Pong << QByteArray() << QByteArray("3");
    QTest::newRow("pong probe") << Type::Pong << QByteArray("probe") << QByteArray("3probe");
    QTest::newRow("message") << Type::Message << QByteArray(R"(2["a"])") << QByteArray(R"(42["a"])");
    QTest::newRow("upgrade") << Type::Upgrade << QByteArray() << QByteArray("5");
    QTest::newRow("noop") << Type::Noop << QByteArray() << QByteArray("6");
}

void TestEngineIo::encodesTextFrames()
{
    QFETCH(EnginePacketType, type);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, frame);

    QCOMPARE(encodeEngineText(type, payload), frame);
}

void TestEngineIo::textFramesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("frame");

    for (const char *frame :
        {"0{}", "1", "2", "2probe", "3", "3probe", "4", R"(42["message:new",{}])", "5", "6"})
        QTest::newRow(frame) << QByteArray(frame);
}

void TestEngineIo::textFramesRoundTrip()
{
    QFETCH(QByteArray, frame);

    // frame -> packet -> frame
    const auto decoded = decodeEngineText(frame);
    QVERIFY(decoded.ok());
    QCOMPARE(encodeEngineText(decoded->type, decoded->payload), frame);

    // packet -> frame -> packet
    const EnginePacket packet {decoded->type, decoded->payload, false};
    const auto again = decodeEngineText(encodeEngineText(packet.type, packet.payload));
    QVERIFY(again.ok());
    QCOMPARE(*again, packet);
}

void TestEngineIo::decodesBinaryFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("looks like text") << QByteArray("4hello");
    QTest::newRow("with NUL and high bytes") << QByteArray("\0\x01\xff\xfe", 4);
}

void TestEngineIo::decodesBinaryFrames()
{
    QFETCH(QByteArray, bytes);

    // No type digit: the whole frame is the payload of a message.
    const EnginePacket packet = decodeEngineBinary(bytes);
    QCOMPARE(packet.type, Type::Message);
    QCOMPARE(packet.binary, true);
    QCOMPARE(packet.payload, bytes);
}

void TestEngineIo::encodesOpenPacket_data()
{
    QTest::addColumn<EngineOpenInfo>("info");
    QTest::addColumn<QByteArray>("frame");

    QTest::newRow("contract defaults")
        << openInfo(QStringLiteral("abc123"), 25000, 20000, 1000000) << ContractOpenFrame;
    QTest::newRow("other limits")
        << openInfo(QStringLiteral("x"), 1000, 500, 5000000000)
        << QByteArray(
               R"(0{"sid":"x","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":5000000000})");
    QTest::newRow("sid needing escapes")
        << openInfo(QStringLiteral("a\"b\\c"), 25000, 20000, 1000000)
        << QByteArray(
               R"(0{"sid":"a\"b\\c","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
}

void TestEngineIo::encodesOpenPacket()
{
    QFETCH(EngineOpenInfo, info);
    QFETCH(QByteArray, frame);

    QCOMPARE(encodeEngineOpen(info), frame);

    // And back: the frame is an open packet whose data decodes to the same info.
    const auto packet = decodeEngineText(frame);
    QVERIFY(packet.ok());
    QCOMPARE(packet->type, Type::Open);
    const auto decoded = decodeEngineOpen(packet->payload);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->sid, info.sid);
    QVERIFY(*decoded == info);
}

void TestEngineIo::decodesOpenPacket_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<EngineOpenInfo>("info");

    QTest::newRow("contract") << ContractOpenFrame.sliced(1)
                              << openInfo(QStringLiteral("abc123"), 25000, 20000, 1000000);
    QTest::newRow("key order free") << QByteArray(
                                           R"({"maxPayload":42,"pingTimeout":2,"pingInterval":1,"sid":"s"})")
                                    << openInfo(QStringLiteral("s"), 1, 2, 42);
    // engine.io before 6 sends no maxPayload: the default stays.
    QTest::newRow("no maxPayload") << QByteArray(
                                          R"({"sid":"s","upgrades":[],"pingInterval":3,"pingTimeout":4})")
                                   << openInfo(QStringLiteral("s"), 3, 4, 1000000);
    QTest::newRow("polling server lists websocket upgrade")
        << QByteArray(
               R"({"sid":"s","upgrades":["websocket"],"pingInterval":3,"pingTimeout":4,"maxPayload":9})")
        << openInfo(QStringLiteral("s"), 3, 4, 9);
    QTest::newRow("whole numbers written as floats")
        << QByteArray(R"({"sid":"s","pingInterval":3.0,"pingTimeout":4e3,"maxPayload":9})")
        << openInfo(QStringLiteral("s"), 3, 4000, 9);
}

void TestEngineIo::decodesOpenPacket()
{
    QFETCH(QByteArray, payload);
    QFETCH(EngineOpenInfo, info);

    const auto decoded = decodeEngineOpen(payload);
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : qPrintable(decoded.error().message));
    QCOMPARE(decoded->sid, info.sid);
    QCOMPARE(decoded->pingInterval, info.pingInterval);
    QCOMPARE(decoded->pingTimeout, info.pingTimeout);
    QCOMPARE(decoded->maxPayload, info.maxPayload);
}

void TestEngineIo::rejectsOpenPacket_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<ProtocolErrorKind>("kind");

    QTest::newRow("empty") << QByteArray() << Kind::InvalidJson;
    QTest::newRow("not JSON") << QByteArray("sid=1") << Kind::InvalidJson;
    QTest::newRow("garbage after object")
        << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1}x)") << Kind::InvalidJson;
    QTest::newRow("whole frame with type digit") << ContractOpenFrame << Kind::InvalidJson;
    QTest::newRow("array") << QByteArray(R"(["s"])") << Kind::InvalidPayload;
    QTest::newRow("no sid") << QByteArray(R"({"pingInterval":1,"pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("empty sid") << QByteArray(R"({"sid":"","pingInterval":1,"pingTimeout":1})")
                               << Kind::InvalidPayload;
    QTest::newRow("numeric sid") << QByteArray(R"({"sid":5,"pingInterval":1,"pingTimeout":1})")
                                 << Kind::InvalidPayload;
    QTest::newRow("no pingInterval") << QByteArray(R"({"sid":"s","pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("no pingTimeout") << QByteArray(R"({"sid":"s","pingInterval":1})") << Kind::InvalidPayload;
    QTest::newRow("zero pingInterval")
        << QByteArray(R"({"sid":"s","pingInterval":0,"pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("negative pingTimeout")
        << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":-1})") << Kind::InvalidPayload;
    QTest::newRow("fractional pingInterval")
        << QByteArray(R"({"sid":"s","pingInterval":1.5,"pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("string pingInterval")
        << QByteArray(R"({"sid":"s","pingInterval":"25000","pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("pingInterval above int")
        << QByteArray(R"({"sid":"s","pingInterval":2147483648,"pingTimeout":1})") << Kind::InvalidPayload;
    QTest::newRow("zero maxPayload") << QByteArray(
                                            R"({"sid":"s","pingInterval":1,"pingTimeout":1,"maxPayload":0})")
                                     << Kind::InvalidPayload;
    QTest::newRow("null maxPayload")
        << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"maxPayload":null})")
        << Kind::InvalidPayload;
    QTest::newRow("upgrades not an array")
        << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"upgrades":"websocket"})")
        << Kind::InvalidPayload;
    QTest::newRow("upgrades holding a number")
        << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"upgrades":[1]})")
        << Kind::InvalidPayload;
}

void TestEngineIo::rejectsOpenPacket()
{
    QFETCH(QByteArray, payload);
    QFETCH(ProtocolErrorKind, kind);

    const auto result = decodeEngineOpen(payload);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, kind);
}

QTEST_APPLESS_MAIN(TestEngineIo)
#include "tst_engineio.moc"
