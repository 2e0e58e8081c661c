// RFC 6455 framing (server/net/websocketframes) as byte tables: what FrameDecoder makes
// of exact client bytes, and the exact bytes the encoders write. No socket anywhere.
#include "net/websocketframes.h"

#include <QCryptographicHash>
#include <QTest>

#include <vector>

using namespace parley::net::ws;

namespace {

// A client frame: first byte as given, MASK bit set, the shortest length form unless
// forced, then the key and the masked payload.
QByteArray clientFrame(quint8 first, const QByteArray &payload, quint32 key = 0x37fa213d, int lengthForm = 0)
{
    QByteArray frame(1, char(first));
    const qint64 size = payload.size();
    const int form = lengthForm ? lengthForm : (size <= 125 ? 7 : size <= 0xFFFF ? 16 : 64);
    if (form == 7) {
        frame.append(char(0x80 | size));
    } else if (form == 16) {
        frame.append(char(0x80 | 126));
        frame.append(char(size >> 8)).append(char(size & 0xFF));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xFF));
    }
    const char keyBytes[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
    frame.append(keyBytes, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ keyBytes[i % 4]));
    return frame;
}

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

QByteArray sequence(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(i * 7 + 3);
    return bytes;
}

// One decoded item as a line: kind, close code, and the payload (long ones by size and
// SHA-1, so that a table row stays readable).
QString describe(const Incoming &item)
{
    static const char *const Kinds[] = {"text", "binary", "ping", "pong", "close", "failure"};
    QString line = QString::fromLatin1(Kinds[int(item.kind)]);
    if (item.kind == Incoming::Kind::Close || item.kind == Incoming::Kind::Failure)
        line += QLatin1Char(' ') + QString::number(item.closeCode);
    if (item.kind == Incoming::Kind::Failure)
        return line; // the reason is for the log
    if (item.payload.size() <= 32)
        return line + QLatin1Char(' ') + QString::fromLatin1(item.payload.toHex());
    return line +
        QStringLiteral(" %1 bytes sha1 %2")
            .arg(item.payload.size())
            .arg(QString::fromLatin1(
                QCryptographicHash::hash(item.payload, QCryptographicHash::Sha1).toHex()));
}

QString describePayload(const char *kind, const QByteArray &payload)
{
    return describe({qstrcmp(kind, "text") == 0 ? Incoming::Kind::Text : Incoming::Kind::Binary, payload});
}

QStringList decodeAll(qint64 maxMessage, const QByteArray &bytes, qsizetype *consumed)
{
    FrameDecoder decoder(maxMessage);
    std::vector<Incoming> out;
    *consumed = decoder.decode(bytes, out);
    QStringList lines;
    for (const Incoming &item : out)
        lines.append(describe(item));
    return lines;
}

// The same bytes offered one at a time, the unconsumed rest offered again each time, as
// a socket that delivers them slowly would.
QStringList decodeByteByByte(qint64 maxMessage, const QByteArray &bytes)
{
    FrameDecoder decoder(maxMessage);
    std::vector<Incoming> out;
    QByteArray buffered;
    for (const char byte : bytes) {
        buffered.append(byte);
        buffered.remove(0, decoder.decode(buffered, out));
    }
    QStringList lines;
    for (const Incoming &item : out)
        lines.append(describe(item));
    return lines;
}

} // namespace

class TestWebSocketFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodes_data();
    void decodes();
    void frameHeaders_data();
    void frameHeaders();
    void closePayloads_data();
    void closePayloads();
    void receivedCloseCodes_data();
    void receivedCloseCodes();
};

void TestWebSocketFrames::decodes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("maxMessage");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<qint64>("consumed"); // -1: all of bytes

    const qint64 big = 1 << 20;
    // RFC 6455 section 5.7's examples, masked with key 37 fa 21 3d.
    QTest::newRow("masked text 'Hello'") << hex("818537fa213d7f9f4d5158") << big
                                         << QStringList {QStringLiteral("text 48656c6c6f")} << qint64(-1);
    QTest::newRow("unmasked text is refused")
        << hex("810548656c6c6f") << big << QStringList {QStringLiteral("failure 1002")} << qint64(0);
    QTest::newRow("fragments joined") << hex("018337fa213d7f9f4d"
                                             "808237fa213d5b95")
                                      << big << QStringList {QStringLiteral("text 48656c6c6f")} << qint64(-1);
    QTest::newRow("ping between fragments")
        << hex("018337fa213d7f9f4d"
               "898000000000"
               "808237fa213d5b95")
        << big << QStringList {QStringLiteral("ping "), QStringLiteral("text 48656c6c6f")} << qint64(-1);
    QTest::newRow("masked ping 'Hello'") << hex("898537fa213d7f9f4d5158") << big
                                         << QStringList {QStringLiteral("ping 48656c6c6f")} << qint64(-1);
    QTest::newRow("pong") << hex("8a8000000000") << big << QStringList {QStringLiteral("pong ")}
                          << qint64(-1);
    QTest::newRow("binary, key 0") << hex("82830000000001ff00") << big
                                   << QStringList {QStringLiteral("binary 01ff00")} << qint64(-1);
    // Eight bytes and more go through the word-wide unmasking; 13 leaves a tail.
    QTest::newRow("13 bytes, both unmasking loops")
        << clientFrame(0x82, sequence(13), 0xa1b2c3d4) << big
        << QStringList {describePayload("binary", sequence(13))} << qint64(-1);

    // Length forms: 125 fits the 7-bit field, 126 needs the 16-bit one, 65536 the 64-bit one.
    QTest::newRow("125 bytes, 7-bit length")
        << clientFrame(0x82, sequence(125)) << big << QStringList {describePayload("binary", sequence(125))}
        << qint64(-1);
    QTest::newRow("126 bytes, 16-bit length")
        << clientFrame(0x82, sequence(126)) << big << QStringList {describePayload("binary", sequence(126))}
        << qint64(-1);
    QTest::newRow("65535 bytes, 16-bit length")
        << clientFrame(0x82, sequence(65535)) << big
        << QStringList {describePayload("binary", sequence(65535))} << qint64(-1);
    QTest::newRow("65536 bytes, 64-bit length")
        << clientFrame(0x82, sequence(65536)) << big
        << QStringList {describePayload("binary", sequence(65536))} << qint64(-1);
    QTest::newRow("5 bytes in the 64-bit form")
        << clientFrame(0x81, "Hello", 0x37fa213d, 64) << big
        << QStringList {QStringLiteral("text 48656c6c6f")} << qint64(-1);
    QTest::newRow("64-bit length with the top bit set")
        << hex("82ff8000000000000000") << big << QStringList {QStringLiteral("failure 1002")} << qint64(0);

    // 1009: decided on the announced length, before any payload is there.
    QTest::newRow("too big, header only") << hex("818b") + QByteArray(4, '\0') << qint64(10)
                                          << QStringList {QStringLiteral("failure 1009")} << qint64(0);
    QTest::newRow("too big in the 64-bit form") << hex("82ff0000000100000000") << qint64(1000000)
                                                << QStringList {QStringLiteral("failure 1009")} << qint64(0);
    QTest::newRow("fragments together too big")
        << hex("018337fa213d7f9f4d"
               "808237fa213d5b95")
        << qint64(4) << QStringList {QStringLiteral("failure 1009")} << qint64(9);
    QTest::newRow("exactly the limit") << hex("818537fa213d7f9f4d5158") << qint64(5)
                                       << QStringList {QStringLiteral("text 48656c6c6f")} << qint64(-1);

    // 1007: text and close reasons must be UTF-8.
    QTest::newRow("text not UTF-8") << hex("818100000000ff") << big
                                    << QStringList {QStringLiteral("failure 1007")} << qint64(7);
    QTest::newRow("text with a surrogate")
        << hex("818300000000eda080") << big << QStringList {QStringLiteral("failure 1007")} << qint64(9);
    QTest::newRow("fragmented UTF-8 character")
        << hex("018100000000c3"
               "808100000000a9")
        << big << QStringList {QStringLiteral("text c3a9")} << qint64(-1);
    QTest::newRow("close reason not UTF-8")
        << hex("88830000000003e8ff") << big << QStringList {QStringLiteral("failure 1007")} << qint64(9);

    // Close frames.
    QTest::newRow("close 1000 'bye'") << hex("88850000000003e8627965") << big
                                      << QStringList {QStringLiteral("close 1000 627965")} << qint64(-1);
    QTest::newRow("close without a code")
        << hex("888000000000") << big << QStringList {QStringLiteral("close 1005 ")} << qint64(-1);
    QTest::newRow("close 1002 from the peer")
        << hex("88820000000003ea") << big << QStringList {QStringLiteral("close 1002 ")} << qint64(-1);
    QTest::newRow("close with one byte")
        << hex("88810000000003") << big << QStringList {QStringLiteral("failure 1002")} << qint64(7);
    QTest::newRow("close code 1005 may not be sent")
        << hex("88820000000003ed") << big << QStringList {QStringLiteral("failure 1002")} << qint64(8);
    QTest::newRow("close code 999") << hex("88820000000003e7") << big
                                    << QStringList {QStringLiteral("failure 1002")} << qint64(8);
    QTest::newRow("nothing read after close")
        << hex("888000000000"
               "818537fa213d7f9f4d5158")
        << big << QStringList {QStringLiteral("close 1005 ")} << qint64(6);

    // 1002: the rest of the protocol violations.
    QTest::newRow("reserved bit") << hex("c18000000000") << big
                                  << QStringList {QStringLiteral("failure 1002")} << qint64(0);
    QTest::newRow("unknown opcode 3")
        << hex("838000000000") << big << QStringList {QStringLiteral("failure 1002")} << qint64(0);
    QTest::newRow("fragmented ping") << hex("098000000000") << big
                                     << QStringList {QStringLiteral("failure 1002")} << qint64(0);
    QTest::newRow("ping of 126 bytes") << clientFrame(0x89, sequence(126)) << big
                                       << QStringList {QStringLiteral("failure 1002")} << qint64(0);
    QTest::newRow("continuation with nothing to continue")
        << hex("808000000000") << big << QStringList {QStringLiteral("failure 1002")} << qint64(6);
    QTest::newRow("new message inside a fragmented one")
        << hex("018100000000"
               "61"
               "818100000000"
               "62")
        << big << QStringList {QStringLiteral("failure 1002")} << qint64(14);

    // Incomplete input: nothing decoded, nothing consumed, until the frame is whole.
    QTest::newRow("one byte") << hex("81") << big << QStringList {} << qint64(0);
    QTest::newRow("header without key") << hex("8185") << big << QStringList {} << qint64(0);
    QTest::newRow("16-bit length cut") << hex("81fe00") << big << QStringList {} << qint64(0);
    QTest::newRow("payload cut") << hex("818537fa213d7f9f4d51") << big << QStringList {} << qint64(0);
    QTest::newRow("whole frame, then a cut one")
        << hex("818537fa213d7f9f4d5158"
               "8185")
        << big << QStringList {QStringLiteral("text 48656c6c6f")} << qint64(11);
}

void TestWebSocketFrames::decodes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, maxMessage);
    QFETCH(QStringList, expected);
    QFETCH(qint64, consumed);

    qsizetype used = -1;
    QCOMPARE(decodeAll(maxMessage, bytes, &used), expected);
    QCOMPARE(qint64(used), consumed < 0 ? qint64(bytes.size()) : consumed);
    // Frames cut anywhere decode the same once the rest arrives.
    if (bytes.size() <= 4096)
        QCOMPARE(decodeByteByByte(maxMessage, bytes), expected);
}

void TestWebSocketFrames::frameHeaders_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QByteArray>("header");

    QTest::newRow("text 0") << int(Opcode::Text) << qint64(0) << hex("8100");
    QTest::newRow("text 125") << int(Opcode::Text) << qint64(125) << hex("817d");
    QTest::newRow("binary 126") << int(Opcode::Binary) << qint64(126) << hex("827e007e");
    QTest::newRow("text 65535") << int(Opcode::Text) << qint64(65535) << hex("817effff");
    QTest::newRow("text 65536") << int(Opcode::Text) << qint64(65536) << hex("817f0000000000010000");
    QTest::newRow("binary 2^32") << int(Opcode::Binary) << (qint64(1) << 32) << hex("827f0000000100000000");
    QTest::newRow("close 2") << int(Opcode::Close) << qint64(2) << hex("8802");
    QTest::newRow("pong 4") << int(Opcode::Pong) << qint64(4) << hex("8a04");
}

void TestWebSocketFrames::frameHeaders()
{
    QFETCH(int, opcode);
    QFETCH(qint64, length);
    QFETCH(QByteArray, header);
    QCOMPARE(frameHeader(Opcode(opcode), length).toHex(), header.toHex());
    if (length <= 70000) {
        const QByteArray payload(length, 'x');
        QCOMPARE(encodeFrame(Opcode(opcode), payload), header + payload);
    }
}

void TestWebSocketFrames::closePayloads_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("1000, no reason") << 1000 << QByteArray() << hex("03e8");
    QTest::newRow("1002 'x'") << 1002 << QByteArray("x") << hex("03ea78");
    QTest::newRow("1007") << 1007 << QByteArray("bad text") << hex("03ef") + "bad text";
    QTest::newRow("1009") << 1009 << QByteArray("too big") << hex("03f1") + "too big";
    QTest::newRow("123 bytes kept") << 1001 << QByteArray(123, 'a') << hex("03e9") + QByteArray(123, 'a');
    QTest::newRow("124 bytes cut to 123")
        << 1001 << QByteArray(124, 'a') << hex("03e9") + QByteArray(123, 'a');
    // "é" is two bytes: 61 of them fill 122, and the 62nd would be cut in half.
    const QByteArray accents = QStringLiteral("é").repeated(70).toUtf8();
    QTest::newRow("cut on a character") << 1001 << accents << hex("03e9") + accents.left(122);
}

void TestWebSocketFrames::closePayloads()
{
    QFETCH(int, code);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, payload);
    const QByteArray made = closePayload(quint16(code), reason);
    QCOMPARE(made.toHex(), payload.toHex());
    QVERIFY(made.size() <= 125);
    QVERIFY(isValidUtf8(QByteArrayView(made).sliced(2)));
}

void TestWebSocketFrames::receivedCloseCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    for (const int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999})
        QTest::addRow("%d", code) << code << true;
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
        QTest::addRow("%d", code) << code << false;
}

void TestWebSocketFrames::receivedCloseCodes()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidReceivedCloseCode(quint16(code)), valid);
}

QTEST_APPLESS_MAIN(TestWebSocketFrames)
#include "tst_websocketframes.moc"
