#include "protocol/catalogue.h"
#include "serverharness.h"
#include "transport/capturerecorder.h"
#include "transport/tracefile.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;

// `parley-server --trace FILE [--trace-payloads]` (ServerConfig::traceFile): a chat
// recorded to JSON Lines holds event names, sizes and timings, never a password or a
// token, and message contents only when payloads were asked for.
class TestServerTrace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void traceHoldsTheChatButNoSecret_data();
    void traceHoldsTheChatButNoSecret();
    void unwritableTraceRefusesToStart();

private:
    QTemporaryDir m_dir;
};

namespace {

const QString Password = QStringLiteral("correct-horse-battery");
const QString Content = QStringLiteral("the quarterly numbers are in");

} // namespace

void TestServerTrace::initTestCase()
{
    if (!transport::CaptureRecorder::isCompiledIn())
        QSKIP("built with -DPARLEY_CAPTURE=OFF");
    QVERIFY(m_dir.isValid());
}

void TestServerTrace::traceHoldsTheChatButNoSecret_data()
{
    QTest::addColumn<bool>("payloads");
    QTest::newRow("names, sizes and timings") << false;
    QTest::newRow("with payloads") << true;
}

void TestServerTrace::traceHoldsTheChatButNoSecret()
{
    QFETCH(bool, payloads);
    const QString path =
        m_dir.filePath(payloads ? QStringLiteral("with.jsonl") : QStringLiteral("without.jsonl"));
    ServerConfig config;
    config.traceFile = path;
    config.tracePayloads = payloads;
    auto server = std::make_unique<TestServer>(TestServer::Storage::TemporaryFile, config);
    QVERIFY(server->start());

    QString token;
    QString channelId;
    {
        TestClient client(server->url());
        QVERIFY(client.connectAuth());
        const auto registered = client.request(QStringLiteral("/auth"), protocol::event::AuthRegister,
            QJsonObject {{QStringLiteral("username"), QStringLiteral("tracy")},
                {QStringLiteral("password"), Password}});
        QVERIFY(isSuccess(registered));
        token = registered->value(QStringLiteral("token")).toString();
        QVERIFY(client.connectMain(token));
        const auto created = client.request(protocol::event::ChannelCreate,
            QJsonObject {{QStringLiteral("name"), QStringLiteral("finance")}});
        QVERIFY(isSuccess(created));
        channelId =
            created->value(QStringLiteral("channel")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(isSuccess(client.request(protocol::event::MessageSend,
            QJsonObject {{QStringLiteral("channelId"), channelId}, {QStringLiteral("content"), Content}})));
    }
    QTRY_COMPARE(server->server().connectionCount(), 0);
    QVERIFY(server->stop());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(!text.isEmpty());
    QVERIFY2(!text.contains(Password.toUtf8()), "the password is in the trace");
    QVERIFY2(!text.contains(token.toUtf8()), "the token is in the trace");
    // Not even the token's signature on its own.
    QVERIFY(!text.contains(token.section(QLatin1Char('.'), 2).toUtf8()));
    QCOMPARE(text.contains(Content.toUtf8()), payloads);

    const auto frames = transport::tracefile::readFile(path);
    QVERIFY2(frames, qPrintable(frames ? QString() : frames.error()));
    QStringList events;
    bool sendWasAnswered = false;
    for (const transport::CapturedFrame &frame : *frames) {
        if (!frame.event.isEmpty() && frame.direction == transport::FrameDirection::In)
            events.append(frame.event);
        if (frame.event == protocol::event::MessageSend && frame.rttUs.has_value())
            sendWasAnswered = true;
    }
    QVERIFY(events.contains(protocol::event::AuthRegister));
    QVERIFY(events.contains(protocol::event::MessageSend));
    QVERIFY2(sendWasAnswered, "the message:send ack carries its round-trip time");
}

void TestServerTrace::unwritableTraceRefusesToStart()
{
    ServerConfig config;
    config.traceFile = m_dir.filePath(QStringLiteral("no/such/folder/trace.jsonl"));
    ChatServer server(config);
    const auto started = server.start();
    QVERIFY(!started);
    QVERIFY2(started.error().message.contains(QStringLiteral("trace")), qPrintable(started.error().message));
}

QTEST_GUILESS_MAIN(TestServerTrace)
#include "tst_servertrace.moc"
