// The parts of the protocol capture that need no connection: redaction rules, the
// ring and its drop count, and the JSON Lines trace format both ways.

#include "transport/capturerecorder.h"
#include "transport/captureredaction.h"
#include "transport/tracefile.h"
#include "transport/tracewriter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace parley::transport;
using parley::protocol::EnginePacketType;
using parley::protocol::SocketPacketType;

namespace {

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().first();
}

CapturedFrame frameAt(qint64 timeUs)
{
    CapturedFrame frame;
    frame.timeUs = timeUs;
    frame.connection = 1;
    frame.engineType = EnginePacketType::Ping;
    frame.bytes = 1;
    return frame;
}

// One record of each shape, every field used somewhere.
QList<CapturedFrame> sampleTrace()
{
    CapturedFrame open = frameAt(10);
    open.engineType = EnginePacketType::Open;
    open.bytes = 90;
    open.payload = json(R"({"sid":"abc","pingInterval":25000,"upgrades":[]})");

    CapturedFrame request = frameAt(20);
    request.connection = 2;
    request.direction = FrameDirection::Out;
    request.engineType = EnginePacketType::Message;
    request.socketType = SocketPacketType::Event;
    request.nsp = QStringLiteral("/auth");
    request.event = QStringLiteral("auth:login");
    request.ackId = 2147483647;
    request.bytes = 64;
    request.payload =
        json("[{\"username\":\"ünï \\\"quoted\\\"\\n\",\"password\":\"[redacted]\"},null,3.5,true]");

    CapturedFrame ack = request;
    ack.timeUs = 1020;
    ack.direction = FrameDirection::In;
    ack.socketType = SocketPacketType::BinaryAck;
    ack.rttUs = 1000;
    ack.payload = QJsonValue(QStringLiteral("a bare string"));

    CapturedFrame attachment = frameAt(1030);
    attachment.engineType = EnginePacketType::Message;
    attachment.binary = true;
    attachment.nsp = QStringLiteral("/");
    attachment.bytes = 4096;

    CapturedFrame nullPayload = request;
    nullPayload.ackId.reset();
    nullPayload.payload = QJsonValue(QJsonValue::Null);

    CapturedFrame unanswered;
    unanswered.kind = CaptureKind::Unanswered;
    unanswered.timeUs = 10000020;
    unanswered.connection = 2;
    unanswered.direction = FrameDirection::Out;
    unanswered.nsp = QStringLiteral("/");
    unanswered.event = QStringLiteral("channel:list");
    unanswered.ackId = 0;
    unanswered.rttUs = 10000000;
    unanswered.note = QStringLiteral("timeout");

    CapturedFrame invalid = frameAt(10000030);
    invalid.engineType.reset(); // a frame that was not Engine.IO at all
    invalid.bytes = 3;

    CapturedFrame closed;
    closed.kind = CaptureKind::Closed;
    closed.timeUs = 10000040;
    closed.connection = 2;
    closed.note = QStringLiteral("protocol error: \"x\"\tand a tab");

    return {open, request, ack, attachment, nullPayload, unanswered, invalid, closed};
}

} // namespace

class TestCaptureRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void redactsSecretKeysAndJwts_data();
    void redactsSecretKeysAndJwts();
    void ringKeepsTheLastFramesAndCountsTheDropped();
    void shrinkingTheRingCountsWhatItDrops();
    void everyRecordReachesTheSignal();
    void traceRoundTrip();
    void traceWithoutPayloadsDropsOnlyThem();
    void linesHaveAFixedReadableOrder();
    void readerNamesTheBadLine();
};

void TestCaptureRecorder::redactsSecretKeysAndJwts_data()
{
    QTest::addColumn<QJsonValue>("input");
    QTest::addColumn<QJsonValue>("expected");
    const char *jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln";
    QTest::newRow("token") << json(R"({"token":"abc","user":"ada"})")
                           << json(R"({"token":"[redacted]","user":"ada"})");
    QTest::newRow("passwords")
        << json(R"({"password":"a","oldPassword":"b","newPassword":"c"})")
        << json(R"({"password":"[redacted]","oldPassword":"[redacted]","newPassword":"[redacted]"})");
    QTest::newRow("Authorization") << json(R"({"Authorization":"Basic xyz"})")
                                   << json(R"({"Authorization":"[redacted]"})");
    QTest::newRow("any case, any depth")
        << json(R"([1,{"a":[{"TOKEN":{"x":1}},{"authorization":null}]}])")
        << json(R"([1,{"a":[{"TOKEN":"[redacted]"},{"authorization":"[redacted]"}]}])");
    QTest::newRow("jwt alone") << QJsonValue(QLatin1String(jwt)) << QJsonValue(redaction::Mark);
    QTest::newRow("jwt inside text") << json((QByteArray(R"(["Bearer )") + jwt + R"( please"])").constData())
                                     << json(R"(["Bearer [redacted] please"])");
    QTest::newRow("unsigned jwt") << QJsonValue(QStringLiteral("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end"))
                                  << QJsonValue(QStringLiteral("[redacted] end"));
    QTest::newRow("untouched parts stay")
        << json(R"({"a":[1,"x",{"b":null}],"token":"t","c":{"d":"e"}})")
        << json(R"({"a":[1,"x",{"b":null}],"token":"[redacted]","c":{"d":"e"}})");
    QTest::newRow("jwt as a key") << json((QByteArray(R"({")") + jwt + R"(":1})").constData())
                                  << json(R"({"[redacted]":1})");
    QTest::newRow("opaque three-part token")
        << QJsonValue(QStringLiteral("x abcdefghij0123.klmnopqrst4567.uvwxyzABCD89 y"))
        << QJsonValue(QStringLiteral("x [redacted] y"));
    QTest::newRow("dotted words stay") << json(R"(["v1.2.3","example.co.uk","a.b.c","see you.. later..."])")
                                       << json(R"(["v1.2.3","example.co.uk","a.b.c","see you.. later..."])");
    QTest::newRow("scalars stay") << json("42") << json("42");
}

void TestCaptureRecorder::redactsSecretKeysAndJwts()
{
    QFETCH(QJsonValue, input);
    QFETCH(QJsonValue, expected);
    QCOMPARE(redaction::redact(input), expected);
}

void TestCaptureRecorder::ringKeepsTheLastFramesAndCountsTheDropped()
{
    CaptureRecorder recorder;
    QCOMPARE(recorder.capacity(), qsizetype(10000));
    recorder.setCapacity(5);
    for (qint64 i = 0; i < 12; ++i)
        recorder.record(frameAt(i));
    QCOMPARE(recorder.size(), qsizetype(5));
    QCOMPARE(recorder.droppedCount(), quint64(7));
    const QList<CapturedFrame> frames = recorder.frames();
    for (qsizetype i = 0; i < frames.size(); ++i)
        QCOMPARE(frames.at(i).timeUs, qint64(7 + i));

    recorder.clear();
    QCOMPARE(recorder.size(), qsizetype(0));
    QCOMPARE(recorder.droppedCount(), quint64(0));
    recorder.record(frameAt(99));
    QCOMPARE(recorder.frames().at(0).timeUs, qint64(99));
}

void TestCaptureRecorder::shrinkingTheRingCountsWhatItDrops()
{
    CaptureRecorder recorder;
    recorder.setCapacity(4);
    for (qint64 i = 0; i < 6; ++i) // wraps once: 2..5 kept
        recorder.record(frameAt(i));
    recorder.setCapacity(3);
    QCOMPARE(recorder.droppedCount(), quint64(3));
    QCOMPARE(recorder.frames().at(0).timeUs, qint64(3));
    recorder.setCapacity(10);
    recorder.record(frameAt(6));
    QCOMPARE(recorder.size(), qsizetype(4));
    QCOMPARE(recorder.frames().constLast().timeUs, qint64(6));
    recorder.setCapacity(0); // at least one
    QCOMPARE(recorder.capacity(), qsizetype(1));
    QCOMPARE(recorder.frames().at(0).timeUs, qint64(6));
}

void TestCaptureRecorder::everyRecordReachesTheSignal()
{
    CaptureRecorder recorder;
    recorder.setCapacity(2);
    QSignalSpy captured(&recorder, &CaptureRecorder::frameCaptured);
    for (qint64 i = 0; i < 5; ++i)
        recorder.record(frameAt(i));
    QCOMPARE(captured.size(), 5); // the ring drops, a sink does not
    QCOMPARE(qvariant_cast<CapturedFrame>(captured.at(4).at(0)).timeUs, qint64(4));
}

void TestCaptureRecorder::traceRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("t.jsonl"));
    const QList<CapturedFrame> trace = sampleTrace();
    {
        TraceWriter writer(path, true);
        QVERIFY(writer.open());
        for (const CapturedFrame &frame : trace)
            writer.write(frame);
        QCOMPARE(writer.linesWritten(), qint64(trace.size()));
    }
    const auto read = tracefile::readFile(path);
    QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.error()));
    QCOMPARE(read->size(), trace.size());
    for (qsizetype i = 0; i < trace.size(); ++i)
        QCOMPARE(read->at(i), trace.at(i));

    // Each line is a JSON object on its own (what jq reads).
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), trace.size() + 1); // the last line ends with a newline
    for (qsizetype i = 0; i < trace.size(); ++i)
        QVERIFY2(QJsonDocument::fromJson(lines.at(i)).isObject(), lines.at(i).constData());
}

void TestCaptureRecorder::traceWithoutPayloadsDropsOnlyThem()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("lean.jsonl"));
    const QList<CapturedFrame> trace = sampleTrace();
    {
        TraceWriter writer(path, false);
        QVERIFY(writer.open());
        for (const CapturedFrame &frame : trace)
            writer.write(frame);
    }
    const auto read = tracefile::readFile(path);
    QVERIFY(read.ok());
    QCOMPARE(read->size(), trace.size());
    for (qsizetype i = 0; i < trace.size(); ++i) {
        CapturedFrame expected = trace.at(i);
        expected.payload = QJsonValue(QJsonValue::Undefined);
        QCOMPARE(read->at(i), expected);
    }
}

void TestCaptureRecorder::linesHaveAFixedReadableOrder()
{
    CapturedFrame ack = sampleTrace().at(2);
    QCOMPARE(tracefile::toLine(ack, false),
        QByteArray(R"({"timeUs":1020,"conn":2,"kind":"frame","dir":"in","eio":"message","sio":"BINARY_ACK",)"
                   R"("nsp":"/auth","event":"auth:login","ackId":2147483647,"bytes":64,"rttUs":1000})"));
    QVERIFY(tracefile::toLine(ack, true).endsWith(R"(,"payload":"a bare string"})"));
    QCOMPARE(tracefile::toLine(sampleTrace().constLast(), false),
        QByteArray("{\"timeUs\":10000040,\"conn\":2,\"kind\":\"closed\",\"note\":\"protocol error: "
                   "\\\"x\\\"\\tand a tab\"}"));
}

void TestCaptureRecorder::readerNamesTheBadLine()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("bad.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(tracefile::toLine(frameAt(1), false) + "\n\n");
    file.write("{\"timeUs\":2,\"conn\":1,\"kind\":\"frame\",\"dir\":\"sideways\",\"bytes\":1}\n");
    file.close();
    const auto read = tracefile::readFile(path);
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(QLatin1String(":3:")), qPrintable(read.error()));
    QVERIFY2(read.error().contains(QLatin1String("dir")), qPrintable(read.error()));
    QVERIFY(!tracefile::fromLine("not json").ok());
    QVERIFY(!tracefile::fromLine(R"({"timeUs":1,"conn":1,"kind":"frame","dir":"in","eio":"telegram"})").ok());
    QVERIFY(!tracefile::readFile(dir.filePath(QStringLiteral("missing.jsonl"))).ok());
}

QTEST_GUILESS_MAIN(TestCaptureRecorder)
#include "tst_capturerecorder.moc"
