#include "protocoltestsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace parley::protocol;

namespace {

using Type = SocketPacketType;
using Kind = ProtocolErrorKind;

SocketPacket makePacket(Type type, const QString &nsp, std::optional<qint64> ackId, const QByteArray &json,
    const QList<QByteArray> &attachments = {})
{
    SocketPacket packet;
    packet.type = type;
    packet.nsp = nsp;
    packet.ackId = ackId;
    packet.data = jsonValue(json);
    packet.attachments = attachments;
    return packet;
}

QString root()
{
    return QStringLiteral("/");
}

QString authNs()
{
    return QStringLiteral("/auth");
}

// Feeds a text frame and its attachments, and expects one complete packet at the end.
SocketPacket decodeComplete(
    SocketPacketDecoder &decoder, const QByteArray &text, const QList<QByteArray> &attachments)
{
    auto result = decoder.feedText(text);
    if (!result) {
        qWarning("rejected: %s", qPrintable(result.error().message));
        return {};
    }
    for (const QByteArray &attachment : attachments) {
        if (result.value())
            qWarning("completed before all attachments arrived");
        result = decoder.feedBinary(attachment);
        if (!result) {
            qWarning("attachment rejected: %s", qPrintable(result.error().message));
            return {};
        }
    }
    if (!result.value()) {
        qWarning("still waiting for attachments");
        return {};
    }
    return *result.value();
}

} // namespace

class TestSocketIo : public QObject
{
    Q_OBJECT

private slots:
    void decodesPlainPackets_data();
    void decodesPlainPackets();
    void rejectsMalformedPackets_data();
    void rejectsMalformedPackets();
    void encodesPackets_data();
    void encodesPackets();
    void goldenFramesRoundTrip_data();
    void goldenFramesRoundTrip();
    void packetsRoundTrip_data();
    void packetsRoundTrip();
    void reassemblesAttachmentsOneByOne();
    void completesBinaryPacketWithoutAttachments();
    void rejectsTextWhileAwaitingAttachments();
    void rejectsUnexpectedBinary();
    void checksPlaceholdersOnCompletion_data();
    void checksPlaceholdersOnCompletion();
    void recoversAfterRejectedBinaryHeader();
    void resetDropsPendingPacket();
};

void TestSocketIo::decodesPlainPackets_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<SocketPacket>("expected");

    QTest::newRow("connect") << QByteArray("0") << makePacket(Type::Connect, root(), {}, {});
    QTest::newRow("connect with auth")
        << QByteArray(R"(0{"token":"abc"})") << makePacket(Type::Connect, root(), {}, R"({"token":"abc"})");
    QTest::newRow("connect to namespace")
        << QByteArray("0/auth,") << makePacket(Type::Connect, authNs(), {}, {});
    // socket.io-parser ends a namespace at ',' or at the end of the packet.
    QTest::newRow("namespace without comma")
        << QByteArray("0/auth") << makePacket(Type::Connect, authNs(), {}, {});
    QTest::newRow("connect namespace with auth")
        << QByteArray(R"(0/admin,{"token":"t"})")
        << makePacket(Type::Connect, QStringLiteral("/admin"), {}, R"({"token":"t"})");
    QTest::newRow("disconnect") << QByteArray("1") << makePacket(Type::Disconnect, root(), {}, {});
    QTest::newRow("disconnect namespace")
        << QByteArray("1/auth,") << makePacket(Type::Disconnect, authNs(), {}, {});
    QTest::newRow("event") << QByteArray(R"(2["message:send",{"channelId":"7","content":"hi"}])")
                           << makePacket(Type::Event, root(), {},
                                  R"(["message:send",{"channelId":"7","content":"hi"}])");
    QTest::newRow("event with ack") << QByteArray(R"(217["message:send",{}])")
                                    << makePacket(Type::Event, root(), 17, R"(["message:send",{}])");
    QTest::newRow("event on namespace with ack")
        << QByteArray(R"(2/auth,3["auth:login",{"username":"ada"}])")
        << makePacket(Type::Event, authNs(), 3, R"(["auth:login",{"username":"ada"}])");
    QTest::newRow("ack id 0") << QByteArray(R"(20["a"])") << makePacket(Type::Event, root(), 0, R"(["a"])");
    QTest::newRow("ack id 2^31-1") << QByteArray(R"(22147483647["a"])")
                                   << makePacket(Type::Event, root(), MaxAckId, R"(["a"])");
    QTest::newRow("ack id with leading zeros")
        << QByteArray(R"(2007["a"])") << makePacket(Type::Event, root(), 7, R"(["a"])");
    QTest::newRow("event with JSON whitespace")
        << QByteArray("2 [ \"a\" , 1 ]\n") << makePacket(Type::Event, root(), {}, R"(["a",1])");
    QTest::newRow("event unicode") << QByteArray("2[\"m\",\"h\xc3\xa9llo \xe2\x9c\x93\"]")
                                   << makePacket(
                                          Type::Event, root(), {}, "[\"m\",\"h\xc3\xa9llo \xe2\x9c\x93\"]");
    QTest::newRow("ack") << QByteArray(R"(317[{"success":true}])")
                         << makePacket(Type::Ack, root(), 17, R"([{"success":true}])");
    QTest::newRow("ack without arguments") << QByteArray("35[]") << makePacket(Type::Ack, root(), 5, "[]");
    QTest::newRow("ack on namespace") << QByteArray(R"(3/auth,3[{"token":"t"}])")
                                      << makePacket(Type::Ack, authNs(), 3, R"([{"token":"t"}])");
    QTest::newRow("connect error object")
        << QByteArray(R"(4{"message":"unauthorized","data":{"code":"AUTH_EXPIRED"}})")
        << makePacket(Type::ConnectError, root(), {},
               R"({"message":"unauthorized","data":{"code":"AUTH_EXPIRED"}})");
    QTest::newRow("connect error string")
        << QByteArray(R"(4"Invalid namespace")")
        << makePacket(Type::ConnectError, root(), {}, R"("Invalid namespace")");
    QTest::newRow("connect error string on namespace")
        << QByteArray(R"(4/admin,"Invalid namespace")")
        << makePacket(Type::ConnectError, QStringLiteral("/admin"), {}, R"("Invalid namespace")");
}

void TestSocketIo::decodesPlainPackets()
{
    QFETCH(QByteArray, frame);
    QFETCH(SocketPacket, expected);

    SocketPacketDecoder decoder;
    const auto result = decoder.feedText(frame);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
    QVERIFY(result.value().has_value());
    QCOMPARE(*result.value(), expected);
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIo::rejectsMalformedPackets_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ProtocolErrorKind>("kind");

    QTest::newRow("empty") << QByteArray() << Kind::EmptyFrame;
    // packet types
    QTest::newRow("type 7") << QByteArray(R"(7["a"])") << Kind::UnknownPacketType;
    QTest::newRow("type 8") << QByteArray("8") << Kind::UnknownPacketType;
    QTest::newRow("type 9") << QByteArray("9") << Kind::UnknownPacketType;
    QTest::newRow("type letter") << QByteArray(R"(a["a"])") << Kind::UnknownPacketType;
    QTest::newRow("type space") << QByteArray(" 2[\"a\"]") << Kind::UnknownPacketType;
    QTest::newRow("type colon") << QByteArray(":") << Kind::UnknownPacketType;
    QTest::newRow("type slash") << QByteArray("/") << Kind::UnknownPacketType;
    QTest::newRow("type NUL") << QByteArray("\0", 1) << Kind::UnknownPacketType;
    QTest::newRow("type high byte") << QByteArray("\xff") << Kind::UnknownPacketType;
    // attachments
    QTest::newRow("binary without count") << QByteArray(R"(5["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary empty count") << QByteArray(R"(5-["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary count without dash") << QByteArray(R"(51["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary count not a number") << QByteArray(R"(5a-["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary negative count") << QByteArray(R"(5-1-["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary exponent count") << QByteArray(R"(51e1-["a"])") << Kind::InvalidAttachments;
    QTest::newRow("binary count only") << QByteArray("51") << Kind::InvalidAttachments;
    QTest::newRow("binary type only") << QByteArray("5") << Kind::InvalidAttachments;
    QTest::newRow("binary ack empty count") << QByteArray("6-1[]") << Kind::InvalidAttachments;
    QTest::newRow("11 attachments") << QByteArray(R"(511-["a"])") << Kind::TooManyAttachments;
    QTest::newRow("binary ack 11 attachments") << QByteArray("611-1[]") << Kind::TooManyAttachments;
    QTest::newRow("huge attachment count")
        << QByteArray(R"(599999999999999999999999-["a"])") << Kind::TooManyAttachments;
    // ack ids
    QTest::newRow("ack id 2^31") << QByteArray(R"(22147483648["a"])") << Kind::InvalidAckId;
    QTest::newRow("ack id 11 digits") << QByteArray(R"(200000000001["a"])") << Kind::InvalidAckId;
    QTest::newRow("ack id very long")
        << QByteArray(R"(2999999999999999999999999["a"])") << Kind::InvalidAckId;
    QTest::newRow("ack without id") << QByteArray("3[]") << Kind::InvalidAckId;
    QTest::newRow("binary ack without id") << QByteArray("61-[{}]") << Kind::InvalidAckId;
    QTest::newRow("connect with id") << QByteArray("012{}") << Kind::InvalidAckId;
    QTest::newRow("disconnect with id") << QByteArray("13") << Kind::InvalidAckId;
    QTest::newRow("connect error with id") << QByteArray("44{}") << Kind::InvalidAckId;
    // namespaces
    QTest::newRow("namespace not UTF-8") << QByteArray("0/\xff\xfe,") << Kind::InvalidNamespace;
    // JSON
    QTest::newRow("unterminated array") << QByteArray(R"(2["a")") << Kind::InvalidJson;
    QTest::newRow("trailing garbage") << QByteArray(R"(2["a"]x)") << Kind::InvalidJson;
    QTest::newRow("two arrays") << QByteArray(R"(2["a"],["b"])") << Kind::InvalidJson;
    QTest::newRow("unterminated object") << QByteArray("0{") << Kind::InvalidJson;
    QTest::newRow("missing value") << QByteArray(R"(0{"token":})") << Kind::InvalidJson;
    QTest::newRow("unterminated string") << QByteArray("4\"Invalid") << Kind::InvalidJson;
    QTest::newRow("two strings") << QByteArray(R"(4"a" "b")") << Kind::InvalidJson;
    QTest::newRow("two scalars") << QByteArray(R"(4"a",1)") << Kind::InvalidJson;
    QTest::newRow("scalar escaping the wrapper") << QByteArray(R"(4"a"],["b")") << Kind::InvalidJson;
    QTest::newRow("bare word") << QByteArray("2x") << Kind::InvalidJson;
    QTest::newRow("disconnect with garbage") << QByteArray("1x") << Kind::InvalidJson;
    QTest::newRow("namespace then garbage") << QByteArray("0/chat,{") << Kind::InvalidJson;
    QTest::newRow("whitespace only") << QByteArray("4 ") << Kind::InvalidJson;
    QTest::newRow("trailing comma") << QByteArray(R"(2["a",])") << Kind::InvalidJson;
    QTest::newRow("single quotes") << QByteArray("2['a']") << Kind::InvalidJson;
    QTest::newRow("NUL after JSON") << QByteArray("2[\"a\"]\0", 7) << Kind::InvalidJson;
    QTest::newRow("JSON not UTF-8") << QByteArray("2[\"\xff\"]") << Kind::InvalidJson;
    // payload valid JSON but wrong for the type
    QTest::newRow("connect array") << QByteArray("0[]") << Kind::InvalidPayload;
    QTest::newRow("connect string") << QByteArray(R"(0"x")") << Kind::InvalidPayload;
    QTest::newRow("connect null") << QByteArray("0null") << Kind::InvalidPayload;
    QTest::newRow("connect true") << QByteArray("0true") << Kind::InvalidPayload;
    QTest::newRow("disconnect object") << QByteArray("1{}") << Kind::InvalidPayload;
    QTest::newRow("disconnect array") << QByteArray("1[]") << Kind::InvalidPayload;
    QTest::newRow("disconnect string") << QByteArray(R"(1"x")") << Kind::InvalidPayload;
    QTest::newRow("disconnect namespace object") << QByteArray("1/auth,{}") << Kind::InvalidPayload;
    QTest::newRow("connect error without payload") << QByteArray("4") << Kind::InvalidPayload;
    QTest::newRow("connect error array") << QByteArray(R"(4["x"])") << Kind::InvalidPayload;
    QTest::newRow("connect error null") << QByteArray("4null") << Kind::InvalidPayload;
    QTest::newRow("connect error false") << QByteArray("4false") << Kind::InvalidPayload;
    QTest::newRow("event without payload") << QByteArray("2") << Kind::InvalidPayload;
    QTest::newRow("event with id, no payload") << QByteArray("217") << Kind::InvalidPayload;
    QTest::newRow("event object") << QByteArray("2{}") << Kind::InvalidPayload;
    QTest::newRow("event empty array") << QByteArray("2[]") << Kind::InvalidPayload;
    QTest::newRow("event string") << QByteArray(R"(2"a")") << Kind::InvalidPayload;
    // Stricter than socket.io-parser, which lets a number name an event.
    QTest::newRow("event named by a number") << QByteArray("2[1]") << Kind::InvalidPayload;
    QTest::newRow("event named by a float") << QByteArray("2[1.5]") << Kind::InvalidPayload;
    QTest::newRow("event named by null") << QByteArray("2[null]") << Kind::InvalidPayload;
    QTest::newRow("event named by true") << QByteArray("2[true]") << Kind::InvalidPayload;
    QTest::newRow("event named by object") << QByteArray("2[{}]") << Kind::InvalidPayload;
    QTest::newRow("event named by array") << QByteArray(R"(2[["a"]])") << Kind::InvalidPayload;
    QTest::newRow("reserved connect") << QByteArray(R"(2["connect"])") << Kind::InvalidPayload;
    QTest::newRow("reserved connect_error") << QByteArray(R"(2["connect_error",{}])") << Kind::InvalidPayload;
    QTest::newRow("reserved disconnect") << QByteArray(R"(2["disconnect"])") << Kind::InvalidPayload;
    QTest::newRow("reserved disconnecting") << QByteArray(R"(2["disconnecting"])") << Kind::InvalidPayload;
    QTest::newRow("reserved newListener") << QByteArray(R"(21["newListener"])") << Kind::InvalidPayload;
    QTest::newRow("reserved removeListener")
        << QByteArray(R"(2/auth,["removeListener"])") << Kind::InvalidPayload;
    QTest::newRow("ack without payload") << QByteArray("31") << Kind::InvalidPayload;
    QTest::newRow("ack object") << QByteArray("31{}") << Kind::InvalidPayload;
    QTest::newRow("ack string") << QByteArray(R"(31"a")") << Kind::InvalidPayload;
    QTest::newRow("ack null") << QByteArray("31null") << Kind::InvalidPayload;
    QTest::newRow("binary event object") << QByteArray("51-{}") << Kind::InvalidPayload;
    QTest::newRow("binary event without payload") << QByteArray("51-") << Kind::InvalidPayload;
    QTest::newRow("binary event named by number") << QByteArray("51-[1]") << Kind::InvalidPayload;
    QTest::newRow("binary event reserved") << QByteArray(R"(51-["disconnect"])") << Kind::InvalidPayload;
    QTest::newRow("binary ack object") << QByteArray("61-1{}") << Kind::InvalidPayload;
    QTest::newRow("binary ack without payload") << QByteArray("61-1") << Kind::InvalidPayload;
}

void TestSocketIo::rejectsMalformedPackets()
{
    QFETCH(QByteArray, frame);
    QFETCH(ProtocolErrorKind, kind);

    SocketPacketDecoder decoder;
    const auto result = decoder.feedText(frame);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, kind);
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIo::encodesPackets_data()
{
    QTest::addColumn<SocketPacket>("packet");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QList<QByteArray>>("attachments");

    const QList<QByteArray> none;
    QTest::newRow("connect") << makePacket(Type::Connect, root(), {}, {}) << QByteArray("0") << none;
    QTest::newRow("connect with auth") << makePacket(Type::Connect, root(), {}, R"({"token":"eyJ"})")
                                       << QByteArray(R"(0{"token":"eyJ"})") << none;
    QTest::newRow("connect accepted")
        << makePacket(Type::Connect, root(), {}, R"({"sid":"n1"})") << QByteArray(R"(0{"sid":"n1"})") << none;
    QTest::newRow("connect namespace")
        << makePacket(Type::Connect, authNs(), {}, {}) << QByteArray("0/auth,") << none;
    QTest::newRow("empty namespace means root")
        << makePacket(Type::Connect, QString(), {}, {}) << QByteArray("0") << none;
    QTest::newRow("disconnect") << makePacket(Type::Disconnect, root(), {}, {}) << QByteArray("1") << none;
    QTest::newRow("disconnect namespace")
        << makePacket(Type::Disconnect, authNs(), {}, {}) << QByteArray("1/auth,") << none;
    QTest::newRow("event") << makePacket(Type::Event, root(), {}, R"(["message:new",{"seq":5}])")
                           << QByteArray(R"(2["message:new",{"seq":5}])") << none;
    QTest::newRow("event with ack") << makePacket(Type::Event, root(), 17, R"(["message:send",{}])")
                                    << QByteArray(R"(217["message:send",{}])") << none;
    QTest::newRow("event namespace ack") << makePacket(Type::Event, authNs(), 3, R"(["auth:login",{}])")
                                         << QByteArray(R"(2/auth,3["auth:login",{}])") << none;
    QTest::newRow("event sorted keys") << makePacket(Type::Event, root(), {}, R"(["e",{"b":1,"a":2}])")
                                       << QByteArray(R"(2["e",{"a":2,"b":1}])") << none;
    QTest::newRow("ack") << makePacket(Type::Ack, root(), 17, R"([{"success":true}])")
                         << QByteArray(R"(317[{"success":true}])") << none;
    QTest::newRow("ack id 0") << makePacket(Type::Ack, root(), 0, "[]") << QByteArray("30[]") << none;
    QTest::newRow("connect error object")
        << makePacket(
               Type::ConnectError, root(), {}, R"({"message":"unauthorized","data":{"code":"AUTH_MISSING"}})")
        << QByteArray(R"(4{"data":{"code":"AUTH_MISSING"},"message":"unauthorized"})") << none;
    QTest::newRow("connect error string")
        << makePacket(Type::ConnectError, root(), {}, R"("Invalid namespace")")
        << QByteArray(R"(4"Invalid namespace")") << none;
    QTest::newRow("connect error string escaped")
        << makePacket(Type::ConnectError, authNs(), {}, R"("say \"no\"\n")")
        << QByteArray(R"(4/auth,"say \"no\"\n")") << none;
    QTest::newRow("null data writes nothing")
        << makePacket(Type::Connect, root(), {}, "null") << QByteArray("0") << none;
    QTest::newRow("event with attachment becomes binary")
        << makePacket(Type::Event, root(), {}, R"(["upload",{"_placeholder":true,"num":0}])", {"\x01\x02"})
        << QByteArray(R"(51-["upload",{"_placeholder":true,"num":0}])") << QList<QByteArray> {"\x01\x02"};
    QTest::newRow("ack with attachments becomes binary")
        << makePacket(Type::Ack, QStringLiteral("/files"), 9,
               R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])", {"a", "b"})
        << QByteArray(R"(62-/files,9[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])")
        << QList<QByteArray> {"a", "b"};
    QTest::newRow("binary event without attachments")
        << makePacket(Type::BinaryEvent, root(), {}, R"(["x"])") << QByteArray(R"(50-["x"])") << none;
    QTest::newRow("binary ack keeps its type")
        << makePacket(Type::BinaryAck, root(), 4, R"([{"_placeholder":true,"num":0}])", {"z"})
        << QByteArray(R"(61-4[{"_placeholder":true,"num":0}])") << QList<QByteArray> {"z"};
    QTest::newRow("attachments only travel with events and acks")
        << makePacket(Type::Connect, root(), {}, {}, {"lost"}) << QByteArray("0") << none;
}

void TestSocketIo::encodesPackets()
{
    QFETCH(SocketPacket, packet);
    QFETCH(QByteArray, text);
    QFETCH(QList<QByteArray>, attachments);

    const EncodedSocketPacket encoded = encodeSocketPacket(packet);
    QCOMPARE(encoded.text, text);
    QCOMPARE(encoded.attachments, attachments);

    // The server's path for data written as text already gives the same packet text.
    const bool plain =
        (packet.type == Type::Event || packet.type == Type::Ack) && packet.attachments.isEmpty();
    if (plain && packet.data.isArray()) {
        const QByteArray dataJson = QJsonDocument(packet.data.toArray()).toJson(QJsonDocument::Compact);
        QCOMPARE(encodeJsonPacketText(packet.type, packet.nsp, packet.ackId, dataJson), text);
    }
}

void TestSocketIo::goldenFramesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QList<QByteArray>>("attachments");

    QFile file(QStringLiteral(PARLEY_TEST_DATA_DIR "/protocol/socketio_frames.txt"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    int rows = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().chopped(1);
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> fields = line.split('\t');
        QVERIFY2(fields.size() >= 2, line.constData());
        QList<QByteArray> attachments;
        for (qsizetype i = 2; i < fields.size(); ++i)
            attachments.append(QByteArray::fromHex(fields.at(i)));
        QTest::newRow(fields.at(0).constData()) << fields.at(1) << attachments;
        ++rows;
    }
    // Guards against the file silently losing its rows.
    QVERIFY(rows >= 20);
}

void TestSocketIo::goldenFramesRoundTrip()
{
    QFETCH(QByteArray, text);
    QFETCH(QList<QByteArray>, attachments);

    SocketPacketDecoder decoder;
    const SocketPacket packet = decodeComplete(decoder, text, attachments);
    QCOMPARE(packet.attachments, attachments);
    const EncodedSocketPacket encoded = encodeSocketPacket(packet);
    QCOMPARE(encoded.text, text);
    QCOMPARE(encoded.attachments, attachments);
}

void TestSocketIo::packetsRoundTrip_data()
{
    QTest::addColumn<SocketPacket>("packet");

    QTest::newRow("connect") << makePacket(Type::Connect, root(), {}, {});
    QTest::newRow("connect auth payload") << makePacket(Type::Connect, authNs(), {}, R"({"token":"x"})");
    QTest::newRow("disconnect") << makePacket(Type::Disconnect, QStringLiteral("/deep/ns"), {}, {});
    QTest::newRow("event") << makePacket(Type::Event, root(), {}, R"(["channel:list",{}])");
    QTest::newRow("event every JSON kind") << makePacket(
        Type::Event, authNs(), 42, R"(["e",null,true,false,0,-1,1.25,"\u0000\t",[[]],{"k":{"k":[1]}}])");
    QTest::newRow("ack") << makePacket(Type::Ack, root(), MaxAckId, R"([{"success":false}])");
    QTest::newRow("connect error string") << makePacket(Type::ConnectError, root(), {}, R"("nope")");
    QTest::newRow("connect error object")
        << makePacket(Type::ConnectError, authNs(), {}, R"({"message":"m"})");
    QTest::newRow("binary event") << makePacket(Type::BinaryEvent, root(), 1,
        R"(["f",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])",
        {QByteArray("\0\1\2", 3), QByteArray()});
    QTest::newRow("binary ack ten attachments") << makePacket(Type::BinaryAck, root(), 8,
        R"([{"_placeholder":true,"num":9}])", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

void TestSocketIo::packetsRoundTrip()
{
    QFETCH(SocketPacket, packet);

    const EncodedSocketPacket encoded = encodeSocketPacket(packet);
    SocketPacketDecoder decoder;
    QCOMPARE(decodeComplete(decoder, encoded.text, encoded.attachments), packet);
}

void TestSocketIo::reassemblesAttachmentsOneByOne()
{
    SocketPacketDecoder decoder;
    const QByteArray header =
        R"(52-/files,7["upload",{"name":"a","data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}])";

    auto result = decoder.feedText(header);
    QVERIFY(result.ok());
    QVERIFY(!result.value().has_value());
    QVERIFY(decoder.awaitingAttachments());

    result = decoder.feedBinary(QByteArray("first"));
    QVERIFY(result.ok());
    QVERIFY(!result.value().has_value());
    QVERIFY(decoder.awaitingAttachments());

    result = decoder.feedBinary(QByteArray("\0second", 7));
    QVERIFY(result.ok());
    QVERIFY(result.value().has_value());
    QVERIFY(!decoder.awaitingAttachments());

    const SocketPacket &packet = *result.value();
    QCOMPARE(packet.type, Type::BinaryEvent);
    QCOMPARE(packet.nsp, QStringLiteral("/files"));
    QCOMPARE(packet.ackId, std::optional<qint64>(7));
    QCOMPARE(packet.attachments, (QList<QByteArray> {"first", QByteArray("\0second", 7)}));
    QCOMPARE(packet.data,
        jsonValue(
            R"(["upload",{"name":"a","data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}])"));

    // The decoder is ready for the next packet.
    result = decoder.feedText(R"(2["next"])");
    QVERIFY(result.ok());
    QCOMPARE(*result.value(), makePacket(Type::Event, root(), {}, R"(["next"])"));
}

void TestSocketIo::completesBinaryPacketWithoutAttachments()
{
    SocketPacketDecoder decoder;
    const auto result = decoder.feedText(R"(60-3[{"ok":true}])");
    QVERIFY(result.ok());
    QVERIFY(result.value().has_value());
    QCOMPARE(*result.value(), makePacket(Type::BinaryAck, root(), 3, R"([{"ok":true}])"));
    QVERIFY(!decoder.awaitingAttachments());
}

void TestSocketIo::rejectsTextWhileAwaitingAttachments()
{
    SocketPacketDecoder decoder;
    QVERIFY(decoder.feedText(R"(52-["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])").ok());
    QVERIFY(decoder.feedBinary("one").ok());

    const auto result = decoder.feedText(R"(2["plain"])");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, Kind::UnexpectedText);
    QVERIFY(!decoder.awaitingAttachments());

    // The half-built packet is gone: its last attachment is now unexpected.
    const auto late = decoder.feedBinary("two");
    QVERIFY(!late.ok());
    QCOMPARE(late.error().kind, Kind::UnexpectedBinary);
}

void TestSocketIo::rejectsUnexpectedBinary()
{
    SocketPacketDecoder decoder;
    auto result = decoder.feedBinary("stray");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, Kind::UnexpectedBinary);

    // Also after a plain packet and after a completed binary one.
    QVERIFY(decoder.feedText(R"(2["a"])").ok());
    QCOMPARE(decoder.feedBinary("stray").error().kind, Kind::UnexpectedBinary);
    QVERIFY(decoder.feedText(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
    QVERIFY(decoder.feedBinary("expected").ok());
    QCOMPARE(decoder.feedBinary("one too many").error().kind, Kind::UnexpectedBinary);
}

void TestSocketIo::checksPlaceholdersOnCompletion_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("attachmentCount");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("in range") << QByteArray(R"(52-["a",{"_placeholder":true,"num":1}])") << 2 << true;
    QTest::newRow("nested in range") << QByteArray(R"(51-["a",{"x":[{"y":{"_placeholder":true,"num":0}}]}])")
                                     << 1 << true;
    QTest::newRow("unused attachment")
        << QByteArray(R"(52-["a",{"_placeholder":true,"num":0}])") << 2 << true;
    QTest::newRow("not a placeholder when false")
        << QByteArray(R"(51-["a",{"_placeholder":false,"num":7}])") << 1 << true;
    QTest::newRow("not a placeholder when string")
        << QByteArray(R"(51-["a",{"_placeholder":"true","num":7}])") << 1 << true;
    QTest::newRow("num equals count")
        << QByteArray(R"(51-["a",{"_placeholder":true,"num":1}])") << 1 << false;
    QTest::newRow("num negative") << QByteArray(R"(51-["a",{"_placeholder":true,"num":-1}])") << 1 << false;
    QTest::newRow("num fractional") << QByteArray(R"(52-["a",{"_placeholder":true,"num":0.5}])") << 2
                                    << false;
    QTest::newRow("num string") << QByteArray(R"(51-["a",{"_placeholder":true,"num":"0"}])") << 1 << false;
    QTest::newRow("num missing") << QByteArray(R"(51-["a",{"_placeholder":true}])") << 1 << false;
    QTest::newRow("num huge") << QByteArray(R"(51-["a",{"_placeholder":true,"num":1e300}])") << 1 << false;
    QTest::newRow("placeholder without attachments")
        << QByteArray(R"(50-["a",{"_placeholder":true,"num":0}])") << 0 << false;
    QTest::newRow("deep bad placeholder")
        << QByteArray(R"(61-1[{"ok":[1,2,{"_placeholder":true,"num":3}]},{"_placeholder":true,"num":0}])")
        << 1 << false;
}

void TestSocketIo::checksPlaceholdersOnCompletion()
{
    QFETCH(QByteArray, text);
    QFETCH(int, attachmentCount);
    QFETCH(bool, accepted);

    SocketPacketDecoder decoder;
    auto result = decoder.feedText(text);
    for (int i = 0; i < attachmentCount; ++i) {
        QVERIFY(result.ok());
        QVERIFY(!result.value().has_value());
        result = decoder.feedBinary(QByteArray::number(i));
    }
    QVERIFY(!decoder.awaitingAttachments());
    QCOMPARE(result.ok(), accepted);
    if (accepted) {
        QVERIFY(result.value().has_value());
        QCOMPARE(result.value()->attachments.size(), attachmentCount);
    } else {
        QCOMPARE(result.error().kind, Kind::InvalidAttachments);
    }
}

void TestSocketIo::recoversAfterRejectedBinaryHeader()
{
    SocketPacketDecoder decoder;
    QCOMPARE(decoder.feedText(R"(512-["a"])").error().kind, Kind::TooManyAttachments);
    QVERIFY(!decoder.awaitingAttachments());
    QCOMPARE(decoder.feedBinary("x").error().kind, Kind::UnexpectedBinary);
    const auto result = decoder.feedText(R"(2["a"])");
    QVERIFY(result.ok());
    QVERIFY(result.value().has_value());
}

void TestSocketIo::resetDropsPendingPacket()
{
    SocketPacketDecoder decoder;
    QVERIFY(decoder.feedText(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
    QVERIFY(decoder.awaitingAttachments());
    decoder.reset();
    QVERIFY(!decoder.awaitingAttachments());
    QCOMPARE(decoder.feedBinary("x").error().kind, Kind::UnexpectedBinary);
}

QTEST_APPLESS_MAIN(TestSocketIo)
#include "tst_socketio.moc"
