// The protocol capture on whole conversations between two connections joined in memory
// (no socket: every frame arrives, in order, on the next turn of the event loop): what
// each record holds, ack pairing, unanswered requests, redaction in a written trace,
// the payloads flag.

#include "transport/capturerecorder.h"
#include "transport/captureredaction.h"
#include "transport/tracefile.h"
#include "transport/tracewriter.h"
#include "transporttestsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace parley::transport;
using namespace parley::transport::test;
using namespace std::chrono_literals;
using parley::protocol::EnginePacketType;
using parley::protocol::SocketPacketType;

namespace {

const QString Root = QStringLiteral("/");

// A client attached to recorder before its link opens, connected to `/` with auth.
qsizetype connectCaptured(
    MemoryServer &server, ClientSide &client, CaptureRecorder &recorder, const QJsonObject &auth = {})
{
    client.connection->attachCapture(&recorder);
    client.connection->connectNamespace(Root, auth);
    if (!QTest::qWaitFor([&] { return client.spies.connected.size() == 1; }))
        return -1;
    return server.count() - 1;
}

QList<CapturedFrame> framesWhere(
    const CaptureRecorder &recorder, const std::function<bool(const CapturedFrame &)> &match)
{
    QList<CapturedFrame> found;
    for (const CapturedFrame &frame : recorder.frames()) {
        if (match(frame))
            found.append(frame);
    }
    return found;
}

QList<CapturedFrame> eventFrames(const CaptureRecorder &recorder, const QString &event, SocketPacketType type)
{
    return framesWhere(
        recorder, [&](const CapturedFrame &f) { return f.event == event && f.socketType == type; });
}

// A JWT-shaped string: base64url header and claims, and a signature.
QString fakeJwt(const QString &subject)
{
    const auto part = [](const QByteArray &json) {
        return QString::fromLatin1(
            json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    };
    return part(R"({"alg":"HS256","typ":"JWT"})") + QLatin1Char('.') +
        part(R"({"sub":")" + subject.toUtf8() + R"(","exp":1900000000})") + QLatin1Char('.') +
        QStringLiteral("c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbi0") + subject;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestConnectionCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void recordsEveryFieldAndPairsAcks();
    void serverSideTimesItsOwnAnswers();
    void sharedMessagesAreRecordedAndHandedOn();
    void requestsLeftOpenAtCloseAreFlagged();
    void attachmentsAreNamedAfterTheirPacket();
    void switchedOffRecordsNothing();
    void recorderMayGoFirst();
    void withoutPayloadsKeepsNamesAndSizes();
    void traceFileHoldsNoSecret();
    void payloadsFlagDecidesWhatTheTraceHolds();
};

void TestConnectionCapture::initTestCase()
{
    if (!CaptureRecorder::isCompiledIn())
        QSKIP("capture is compiled out (-DPARLEY_CAPTURE=OFF)");
}

void TestConnectionCapture::recordsEveryFieldAndPairsAcks()
{
    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    ClientSide client(server.connectClient());
    const qsizetype index = connectCaptured(server, client, recorder);
    QVERIFY(index >= 0);
    ServerSide &side = server.side(index);
    QObject::connect(side.connection, &SocketIoConnection::eventReceived, side.connection,
        [connection = side.connection](const IncomingEvent &event) {
            if (event.name == QLatin1String("echo"))
                connection->sendAck(event.nsp, *event.ackId, event.args);
        });

    QList<AckReply> replies;
    const auto keep = [&replies](const AckReply &reply) { replies.append(reply); };
    const QJsonArray args {QJsonObject {{QStringLiteral("n"), 1}}};
    client.connection->emitWithAck(Root, QStringLiteral("echo"), args, keep);
    QTRY_COMPARE(replies.size(), 1);
    client.connection->emitWithAck(Root, QStringLiteral("ignored"), {}, keep, 150ms);
    QTRY_COMPARE(replies.size(), 2);
    QVERIFY(replies.at(1).timedOut);

    const quint64 id = client.connection->captureId();
    QCOMPARE(id, quint64(1));
    const QList<CapturedFrame> frames = recorder.frames();
    QVERIFY(frames.size() >= 6);
    for (qsizetype i = 0; i < frames.size(); ++i) {
        QCOMPARE(frames.at(i).connection, id);
        if (i > 0)
            QVERIFY(frames.at(i).timeUs >= frames.at(i - 1).timeUs);
    }

    // The open packet, then the CONNECT both ways.
    const CapturedFrame &open = frames.at(0);
    QCOMPARE(open.kind, CaptureKind::Frame);
    QCOMPARE(open.direction, FrameDirection::In);
    QCOMPARE(open.engineType, std::optional(EnginePacketType::Open));
    QVERIFY(!open.socketType);
    QCOMPARE(open.payload.toObject().value(QLatin1String("sid")).toString(), client.connection->engineId());
    QCOMPARE(
        open.bytes, qint64(QJsonDocument(open.payload.toObject()).toJson(QJsonDocument::Compact).size() + 1));
    QCOMPARE(frames.at(1).direction, FrameDirection::Out);
    QCOMPARE(frames.at(1).socketType, std::optional(SocketPacketType::Connect));
    QCOMPARE(frames.at(1).nsp, Root);
    QCOMPARE(frames.at(1).bytes, qint64(2)); // "40"
    QCOMPARE(frames.at(2).direction, FrameDirection::In);
    QCOMPARE(frames.at(2).socketType, std::optional(SocketPacketType::Connect));
    QCOMPARE(frames.at(2).payload, QJsonValue(QJsonObject {{QStringLiteral("sid"), QStringLiteral("sid/")}}));

    // The request and its ack, paired.
    const QList<CapturedFrame> request =
        eventFrames(recorder, QStringLiteral("echo"), SocketPacketType::Event);
    QCOMPARE(request.size(), 1);
    QCOMPARE(request.at(0).direction, FrameDirection::Out);
    QCOMPARE(request.at(0).engineType, std::optional(EnginePacketType::Message));
    QCOMPARE(request.at(0).ackId, std::optional<qint64>(0));
    QCOMPARE(request.at(0).bytes, qint64(QByteArray(R"(420["echo",{"n":1}])").size()));
    QCOMPARE(request.at(0).payload, QJsonValue(args));
    QVERIFY(!request.at(0).rttUs);
    const QList<CapturedFrame> ack = eventFrames(recorder, QStringLiteral("echo"), SocketPacketType::Ack);
    QCOMPARE(ack.size(), 1);
    QCOMPARE(ack.at(0).direction, FrameDirection::In);
    QCOMPARE(ack.at(0).ackId, std::optional<qint64>(0));
    QCOMPARE(ack.at(0).bytes, qint64(QByteArray(R"(430[{"n":1}])").size()));
    QVERIFY(ack.at(0).rttUs.has_value());
    QCOMPARE(*ack.at(0).rttUs, ack.at(0).timeUs - request.at(0).timeUs);
    QVERIFY(*ack.at(0).rttUs >= 0);

    // The request nobody answered: flagged once its timeout passed.
    QTRY_COMPARE(
        framesWhere(recorder, [](const CapturedFrame &f) { return f.kind == CaptureKind::Unanswered; })
            .size(),
        1);
    const CapturedFrame unanswered =
        framesWhere(recorder, [](const CapturedFrame &f) { return f.kind == CaptureKind::Unanswered; }).at(0);
    QCOMPARE(unanswered.event, QStringLiteral("ignored"));
    QCOMPARE(unanswered.ackId, std::optional<qint64>(1));
    QCOMPARE(unanswered.direction, FrameDirection::Out);
    QCOMPARE(unanswered.note, QStringLiteral("timeout"));
    QVERIFY2(unanswered.rttUs && *unanswered.rttUs >= 140000, qPrintable(QString::number(*unanswered.rttUs)));

    client.connection->close(QStringLiteral("test over"));
    const CapturedFrame last = recorder.frames().constLast();
    QCOMPARE(last.kind, CaptureKind::Closed);
    QCOMPARE(last.note, QStringLiteral("test over"));
    // The Engine.IO close went out just before.
    QCOMPARE(recorder.frames().at(recorder.size() - 2).engineType, std::optional(EnginePacketType::Close));
}

void TestConnectionCapture::serverSideTimesItsOwnAnswers()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    client.connection->connectNamespace(Root);
    QTRY_COMPARE(client.spies.connected.size(), 1);
    ServerSide &side = server.side(0);
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    side.connection->attachCapture(&recorder, 42);

    QList<AckReply> replies;
    client.connection->emitWithAck(Root, QStringLiteral("channel:list"), {QJsonObject {}},
        [&](const AckReply &r) { replies.append(r); });
    QTRY_COMPARE(side.spies.events.size(), 1);
    side.connection->sendAck(
        Root, *eventAt(side.spies.events, 0).ackId, {QJsonObject {{QStringLiteral("ok"), true}}});
    QTRY_COMPARE(replies.size(), 1);

    const QList<CapturedFrame> in =
        eventFrames(recorder, QStringLiteral("channel:list"), SocketPacketType::Event);
    const QList<CapturedFrame> out =
        eventFrames(recorder, QStringLiteral("channel:list"), SocketPacketType::Ack);
    QCOMPARE(in.size(), 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(in.at(0).direction, FrameDirection::In);
    QCOMPARE(out.at(0).direction, FrameDirection::Out);
    QCOMPARE(out.at(0).rttUs, std::optional<qint64>(out.at(0).timeUs - in.at(0).timeUs));
    QCOMPARE(in.at(0).connection, quint64(42));
    QCOMPARE(side.connection->captureId(), quint64(42));
}

void TestConnectionCapture::sharedMessagesAreRecordedAndHandedOn()
{
    MemoryServer server;
    ClientSide client(server.connectClient());
    client.connection->connectNamespace(Root);
    QTRY_COMPARE(client.spies.connected.size(), 1);
    ServerSide &side = server.side(0);
    auto *channel = qobject_cast<parley::test::MemoryFrameChannel *>(side.connection->channel());
    QVERIFY(channel);
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    side.connection->attachCapture(&recorder, 7);

    // A broadcast made once: the channel gets the shared message itself, not a copy of
    // its text, and the capture still sees the frame.
    const SharedTextMessage shared {
        QByteArrayLiteral(R"(42["message:new",{"id":"1"}])"), QByteArrayLiteral("\x81\x1c(frame)")};
    side.connection->sendShared(shared);
    QCOMPARE(channel->sharedSends(), 1);
    QTRY_COMPARE(client.spies.events.size(), 1);
    QCOMPARE(eventAt(client.spies.events, 0).name, QStringLiteral("message:new"));
    QCOMPARE(eventAt(client.spies.events, 0).args,
        QJsonArray({QJsonObject {{QStringLiteral("id"), QStringLiteral("1")}}}));
    const QList<CapturedFrame> out =
        eventFrames(recorder, QStringLiteral("message:new"), SocketPacketType::Event);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out.at(0).direction, FrameDirection::Out);
    QCOMPARE(out.at(0).bytes, qint64(shared.text.size()));
    QCOMPARE(out.at(0).connection, quint64(7));
}

void TestConnectionCapture::requestsLeftOpenAtCloseAreFlagged()
{
    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    ClientSide client(server.connectClient());
    QVERIFY(connectCaptured(server, client, recorder) >= 0);
    bool failed = false;
    client.connection->emitWithAck(
        Root, QStringLiteral("slow"), {}, [&](const AckReply &r) { failed = r.timedOut; }, 60s);
    QTRY_COMPARE(server.side(0).spies.events.size(), 1);
    client.connection->close(QStringLiteral("bye"));
    QVERIFY(failed);

    const QList<CapturedFrame> frames = recorder.frames();
    QCOMPARE(frames.constLast().kind, CaptureKind::Closed);
    const CapturedFrame &flagged = frames.at(frames.size() - 2);
    QCOMPARE(flagged.kind, CaptureKind::Unanswered);
    QCOMPARE(flagged.event, QStringLiteral("slow"));
    QCOMPARE(flagged.note, QStringLiteral("closed"));
}

void TestConnectionCapture::attachmentsAreNamedAfterTheirPacket()
{
    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    ClientSide client(server.connectClient());
    QVERIFY(connectCaptured(server, client, recorder) >= 0);
    const QByteArray first(5, 'a');
    const QByteArray second(300, 'b');
    client.connection->emitEvent(
        Root, QStringLiteral("upload"), {placeholder(0), placeholder(1)}, {first, second});
    QTRY_COMPARE(server.side(0).spies.events.size(), 1);

    const QList<CapturedFrame> upload =
        framesWhere(recorder, [](const CapturedFrame &f) { return f.event == QLatin1String("upload"); });
    QCOMPARE(upload.size(), 3);
    QCOMPARE(upload.at(0).socketType, std::optional(SocketPacketType::BinaryEvent));
    QVERIFY(!upload.at(0).binary);
    QCOMPARE(upload.at(1).binary, true);
    QCOMPARE(upload.at(1).bytes, qint64(5));
    QCOMPARE(upload.at(2).bytes, qint64(300));
    QCOMPARE(upload.at(2).nsp, Root);
    QVERIFY(upload.at(2).payload.isUndefined()); // attachment bytes are never kept
}

void TestConnectionCapture::switchedOffRecordsNothing()
{
    MemoryServer server;
    CaptureRecorder recorder; // off by default
    ClientSide client(server.connectClient());
    QVERIFY(connectCaptured(server, client, recorder) >= 0);
    client.connection->emitEvent(Root, QStringLiteral("first"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 1);
    QCOMPARE(recorder.size(), 0);

    recorder.setEnabled(true);
    client.connection->emitEvent(Root, QStringLiteral("second"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 2);
    QCOMPARE(recorder.size(), 1);
    QCOMPARE(recorder.frames().at(0).event, QStringLiteral("second"));
}

void TestConnectionCapture::recorderMayGoFirst()
{
    MemoryServer server;
    auto recorder = std::make_unique<CaptureRecorder>();
    recorder->setEnabled(true);
    ClientSide client(server.connectClient());
    QVERIFY(connectCaptured(server, client, *recorder) >= 0);
    bool timedOut = false;
    client.connection->emitWithAck(
        Root, QStringLiteral("pending"), {}, [&timedOut](const AckReply &r) { timedOut = r.timedOut; }, 50ms);
    QVERIFY(recorder->size() > 0);
    recorder.reset();
    // The connection goes on, its capture silent (ASan watches for a dangling recorder),
    // also when the pending request's deadline passes with nobody to tell.
    client.connection->emitEvent(Root, QStringLiteral("after"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 2);
    QTRY_VERIFY(timedOut);
    client.connection->emitEvent(Root, QStringLiteral("later"));
    QTRY_COMPARE(server.side(0).spies.events.size(), 3);
    client.connection->close(QStringLiteral("done"));
    QCOMPARE(client.connection->state(), SocketIoConnection::State::Closed);
}

void TestConnectionCapture::withoutPayloadsKeepsNamesAndSizes()
{
    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    recorder.setKeepPayloads(false);
    ClientSide client(server.connectClient());
    QVERIFY(connectCaptured(server, client, recorder) >= 0);
    const QStringList names {QStringLiteral("plain:name"), QStringLiteral("quote\"and\\slash"),
        QStringLiteral("ünïcode"), QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")};
    for (const QString &name : names)
        client.connection->emitEvent(Root, name, {QStringLiteral("secret words")});
    QTRY_COMPARE(server.side(0).spies.events.size(), names.size());

    const QList<CapturedFrame> events =
        framesWhere(recorder, [](const CapturedFrame &f) { return f.socketType == SocketPacketType::Event; });
    QCOMPARE(events.size(), names.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
        QCOMPARE(events.at(i).event, i == 3 ? QString(redaction::Mark) : names.at(i));
        QVERIFY(events.at(i).payload.isUndefined());
        QVERIFY(events.at(i).bytes > 20);
    }
}

void TestConnectionCapture::traceFileHoldsNoSecret()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("secrets.jsonl"));
    const QString connectToken = fakeJwt(QStringLiteral("connect"));
    const QString ackToken = fakeJwt(QStringLiteral("ack"));
    const QString headerToken = fakeJwt(QStringLiteral("header"));
    const QString contentToken = fakeJwt(QStringLiteral("content"));
    const QString opaqueToken = QStringLiteral("opaqueHeader01.opaqueClaims02.opaqueSignature3");
    const QString password = QStringLiteral("correct horse battery staple");
    const QString newPassword = QStringLiteral("Tr0ub4dor&3-new");
    const QString nestedPassword = QStringLiteral("nested-pw-123");
    const QStringList secrets {connectToken, ackToken, headerToken, contentToken, opaqueToken, password,
        newPassword, nestedPassword};

    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    {
        TraceWriter writer(path, true);
        QVERIFY(writer.open());
        writer.attach(&recorder);
        ClientSide client(server.connectClient());
        QVERIFY(connectCaptured(server, client, recorder, {{QStringLiteral("token"), connectToken}}) >= 0);
        ServerSide &side = server.side(0);
        QObject::connect(side.connection, &SocketIoConnection::eventReceived, side.connection,
            [connection = side.connection, ackToken](const IncomingEvent &event) {
                if (event.ackId)
                    connection->sendAck(event.nsp, *event.ackId,
                        {QJsonObject {{QStringLiteral("token"), ackToken},
                            {QStringLiteral("user"),
                                QJsonObject {{QStringLiteral("username"), QStringLiteral("ada")}}}}});
            });

        int acked = 0;
        const auto count = [&acked](const AckReply &) { ++acked; };
        client.connection->emitWithAck(Root, QStringLiteral("auth:login"),
            {QJsonObject {
                {QStringLiteral("username"), QStringLiteral("ada")}, {QStringLiteral("password"), password}}},
            count);
        client.connection->emitWithAck(Root, QStringLiteral("auth:changePassword"),
            {QJsonObject {{QStringLiteral("token"), connectToken}, {QStringLiteral("oldPassword"), password},
                {QStringLiteral("newPassword"), newPassword}}},
            count);
        client.connection->emitEvent(Root, QStringLiteral("custom"),
            {QJsonObject {{QStringLiteral("headers"),
                 QJsonObject {{QStringLiteral("Authorization"), QStringLiteral("Bearer ") + headerToken}}}},
                QJsonArray {QJsonObject {{QStringLiteral("deep"),
                    QJsonArray {QJsonObject {{QStringLiteral("PASSWORD"), nestedPassword}}}}}}});
        client.connection->emitEvent(Root, QStringLiteral("message:send"),
            {QJsonObject {{QStringLiteral("content"),
                QStringLiteral("look at this: %1 and %2 (v1.2.3)").arg(contentToken, opaqueToken)}}});
        QTRY_COMPARE(acked, 2);
        QTRY_COMPARE(side.spies.events.size(), 4);
    }

    const QByteArray trace = fileBytes(path);
    QVERIFY(!trace.isEmpty());
    for (const QString &secret : secrets)
        QVERIFY2(!trace.contains(secret.toUtf8()), qPrintable(QStringLiteral("leaked: ") + secret));
    // What is no secret is still there: the payloads were written, only redacted.
    QVERIFY(trace.contains("\"auth:changePassword\""));
    QVERIFY(trace.contains("look at this: [redacted] and [redacted] (v1.2.3)"));
    QVERIFY(trace.contains(R"("token":"[redacted]")"));
    QVERIFY(trace.contains(R"("password":"[redacted]")"));
    QVERIFY(trace.contains(R"("oldPassword":"[redacted]")"));
    QVERIFY(trace.contains(R"("newPassword":"[redacted]")"));
    QVERIFY(trace.contains(R"("Authorization":"[redacted]")"));
    QVERIFY(trace.contains(R"("PASSWORD":"[redacted]")"));
    QVERIFY(trace.contains(R"("username":"ada")"));
    // And the ring holds none either.
    for (const CapturedFrame &frame : recorder.frames()) {
        const QByteArray line = tracefile::toLine(frame, true);
        for (const QString &secret : secrets)
            QVERIFY2(!line.contains(secret.toUtf8()), line.constData());
    }
}

void TestConnectionCapture::payloadsFlagDecidesWhatTheTraceHolds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString lean = dir.filePath(QStringLiteral("lean.jsonl"));
    const QString full = dir.filePath(QStringLiteral("full.jsonl"));
    const QString content = QStringLiteral("the words of a private message");

    MemoryServer server;
    CaptureRecorder recorder;
    recorder.setEnabled(true);
    qint64 linesWritten = 0;
    {
        TraceWriter withoutPayloads(lean, false);
        TraceWriter withPayloads(full, true);
        QVERIFY(withoutPayloads.open());
        QVERIFY(withPayloads.open());
        withoutPayloads.attach(&recorder);
        withPayloads.attach(&recorder);
        ClientSide client(server.connectClient());
        QVERIFY(connectCaptured(server, client, recorder) >= 0);
        client.connection->emitEvent(Root, QStringLiteral("message:send"),
            {QJsonObject {
                {QStringLiteral("channelId"), QStringLiteral("1")}, {QStringLiteral("content"), content}}});
        QTRY_COMPARE(server.side(0).spies.events.size(), 1);
        QCOMPARE(withoutPayloads.linesWritten(), qint64(recorder.size()));
        QCOMPARE(withPayloads.linesWritten(), qint64(recorder.size()));
        linesWritten = withPayloads.linesWritten();
    }

    const QByteArray leanBytes = fileBytes(lean);
    const QByteArray fullBytes = fileBytes(full);
    QVERIFY(!leanBytes.contains(content.toUtf8()));
    QVERIFY(!leanBytes.contains("\"payload\""));
    QVERIFY(leanBytes.contains(R"("event":"message:send")"));
    QVERIFY(fullBytes.contains(content.toUtf8()));

    // Both read back, record for record, the lean one without payloads.
    const auto leanFrames = tracefile::readFile(lean);
    const auto fullFrames = tracefile::readFile(full);
    QVERIFY2(leanFrames.ok(), qPrintable(leanFrames.ok() ? QString() : leanFrames.error()));
    QVERIFY2(fullFrames.ok(), qPrintable(fullFrames.ok() ? QString() : fullFrames.error()));
    QCOMPARE(leanFrames->size(), linesWritten);
    QCOMPARE(*fullFrames, recorder.frames());
    for (qsizetype i = 0; i < leanFrames->size(); ++i) {
        CapturedFrame expected = recorder.frames().at(i);
        expected.payload = QJsonValue(QJsonValue::Undefined);
        QCOMPARE(leanFrames->at(i), expected);
    }
}

QTEST_GUILESS_MAIN(TestConnectionCapture)
#include "tst_connectioncapture.moc"
