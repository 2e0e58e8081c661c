// JsonWriter: the text it writes must read back (Qt's own parser) as exactly the values
// written, whatever a user puts in a message, and a stored message written as text must
// be the same JSON as Message::toJson(): the server sends the text form, and clients
// must read it as the value.
#include "protocol/jsontext.h"
#include "protocol/jsonwriter.h"
#include "protocol/types.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace parley::protocol;

class TestJsonWriter : public QObject
{
    Q_OBJECT

private slots:
    void writesCompactStructures();
    void stringsReadBackUnchanged_data();
    void stringsReadBackUnchanged();
    void controlCharactersAreEscaped();
    void numbersAtTheLimits();
    void insertsWrittenJson();
    void messageTextIsTheMessageJson_data();
    void messageTextIsTheMessageJson();
};

namespace {

QString readBackString(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]", &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning() << "not JSON:" << json << error.errorString();
        return QStringLiteral("<invalid>");
    }
    return document.array().at(0).toString(QStringLiteral("<not a string>"));
}

} // namespace

void TestJsonWriter::writesCompactStructures()
{
    JsonWriter writer;
    writer.beginObject()
        .key(QLatin1String("a"))
        .number(1)
        .key(QLatin1String("list"))
        .beginArray()
        .boolean(true)
        .boolean(false)
        .null()
        .beginObject()
        .endObject()
        .beginArray()
        .endArray()
        .string(u"x")
        .endArray()
        .key(QLatin1String("z"))
        .string(u"")
        .endObject();
    QCOMPARE(writer.take(), QByteArray(R"({"a":1,"list":[true,false,null,{},[],"x"],"z":""})"));
}

void TestJsonWriter::stringsReadBackUnchanged_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("ascii") << QStringLiteral("hello, world");
    QTest::newRow("quotes and backslashes") << QStringLiteral(R"(say "hi" \ or \" "\\")");
    QTest::newRow("markup") << QStringLiteral("<b>bold</b> & </script>");
    QTest::newRow("two-byte") << QStringLiteral("Grüße, naïve café");
    QTest::newRow("three-byte") << QStringLiteral("日本語のテキスト €");
    QTest::newRow("astral pairs") << QStringLiteral("emoji 😀👍🏽 and 𝄞");
    QTest::newRow("newlines and tabs") << QStringLiteral("line one\nline two\r\n\ttabbed");
    QTest::newRow("all controls") << []() {
        QString text;
        for (char16_t c = 0; c < 0x20; ++c)
            text.append(QChar(c));
        return text + QChar(0x7f);
    }();
    QTest::newRow("lone high surrogate") << (QStringLiteral("a") + QChar(0xd83d) + QStringLiteral("b"));
    QTest::newRow("lone low surrogate at end") << (QStringLiteral("a") + QChar(0xde00));
    QTest::newRow("reversed pair") << (QString(QChar(0xde00)) + QChar(0xd83d));
    QTest::newRow("u+2028 and u+fffd") << (QString(QChar(0x2028)) + QChar(0xfffd) + QChar(0xffff));
    QTest::newRow("empty") << QString();
    QTest::newRow("long") << QString(16000, QChar(0x00e9));
}

void TestJsonWriter::stringsReadBackUnchanged()
{
    QFETCH(QString, text);
    JsonWriter writer;
    writer.string(text);
    const QByteArray json = writer.take();
    QCOMPARE(readBackString(json), text);
    // Byte for byte what Qt's own writer gives for the same string.
    QCOMPARE(json, jsontext::write(QJsonValue(text)));
    // What a JavaScript client sees is UTF-8 text: nothing Qt's writer would not accept.
    QVERIFY(QString::fromUtf8(json).toUtf8() == json);
}

void TestJsonWriter::controlCharactersAreEscaped()
{
    JsonWriter writer;
    writer.string(QString(QChar(0x01)) + QChar(u'\n') + QChar(u'"') + QChar(u'\\') + QChar(0x1f));
    QCOMPARE(writer.take(), QByteArray(R"("\u0001\n\"\\\u001f")"));
}

void TestJsonWriter::numbersAtTheLimits()
{
    JsonWriter writer;
    writer.beginArray()
        .number(0)
        .number(-1)
        .number(1234567890123)
        .number(std::numeric_limits<qint64>::max())
        .number(std::numeric_limits<qint64>::min())
        .endArray();
    QCOMPARE(writer.take(), QByteArray("[0,-1,1234567890123,9223372036854775807,-9223372036854775808]"));
}

void TestJsonWriter::insertsWrittenJson()
{
    JsonWriter inner;
    inner.beginObject().key(QLatin1String("k")).string(u"v").endObject();
    const QByteArray innerText = inner.take();
    JsonWriter outer;
    outer.beginArray().string(u"event").json(innerText).json(innerText).endArray();
    QCOMPARE(outer.take(), QByteArray(R"(["event",{"k":"v"},{"k":"v"}])"));
}

void TestJsonWriter::messageTextIsTheMessageJson_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("clientMsgId");
    QTest::addColumn<qint64>("seq");
    QTest::addColumn<QDateTime>("createdAt");
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(1795714200123, Qt::UTC);
    QTest::newRow("plain") << QStringLiteral("hello") << QStringLiteral("c-1") << qint64(1) << time;
    QTest::newRow("no clientMsgId") << QStringLiteral("hello") << QString() << qint64(9007199254740991)
                                    << time;
    QTest::newRow("unicode and quotes")
        << QStringLiteral("\"Grüße\" 😀\n日本") << QStringLiteral("x") << qint64(2) << time;
    QTest::newRow("controls") << QStringLiteral("a\u0001b\tc") << QStringLiteral("id \\ \"q\"") << qint64(3)
                              << time;
    QTest::newRow("lone surrogate") << (QStringLiteral("cut ") + QChar(0xd83d)) << QStringLiteral("s")
                                    << qint64(4) << time;
    QTest::newRow("no time, seq 0") << QStringLiteral("x") << QString() << qint64(0) << QDateTime();
}

void TestJsonWriter::messageTextIsTheMessageJson()
{
    QFETCH(QString, content);
    QFETCH(QString, clientMsgId);
    QFETCH(qint64, seq);
    QFETCH(QDateTime, createdAt);
    Message message;
    message.id = QStringLiteral("42");
    message.channelId = QStringLiteral("7");
    message.seq = seq;
    message.userId = QStringLiteral("3");
    message.author = User {QStringLiteral("3"), QStringLiteral("alice"), QStringLiteral("Alice «A» Smith")};
    message.content = content;
    message.createdAt = createdAt;
    message.clientMsgId = clientMsgId;

    const QByteArray text = message.toJsonText().bytes;
    const QJsonDocument readBack = QJsonDocument::fromJson(text);
    QVERIFY2(readBack.isObject(), text.constData());
    QCOMPARE(readBack.object(), message.toJson());
    // Byte for byte what Qt writes for the same object, so the wire did not change.
    QCOMPARE(text, QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact));
}

QTEST_APPLESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
