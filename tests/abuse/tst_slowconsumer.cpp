#include "abusesupport.h"
#include "protocol/catalogue.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace parley;
using namespace parley::abuse;
using namespace std::chrono_literals;

namespace {

constexpr int MaxContent = 16000;
// A legal message whose JSON is six times its length: every character escaped.
const QString ControlMessage(MaxContent, QChar(0x01));
constexpr int BigMessages = 120; // ~11 MiB towards the member that does not read
constexpr int BigInFlight = 4; // per batch
constexpr qint64 BatchMs = 250;
constexpr int HistoryMessages = 12;
// The server holds at most the send-queue cap (1 MiB) for the member that does not read,
// and briefly the broadcasts in flight: generous for a sanitized build.
constexpr qint64 RssBoundKiB = 48 * 1024;

// Polls /healthz at a calm pace until `connections` reads `count`.
bool waitForConnections(quint16 port, int count, std::chrono::milliseconds timeout)
{
    QElapsedTimer sincePoll;
    int seen = -1;
    return reliability::waitUntil(
        [&] {
            if (sincePoll.isValid() && sincePoll.elapsed() < 100)
                return seen == count;
            sincePoll.start();
            const auto health = churn::fetchHealth(port);
            seen = health ? health->connections : -1;
            return seen == count;
        },
        timeout);
}

} // namespace

// A member that never reads is cut at the send-queue cap and nobody else notices; a
// member that reads gets even a history page that would be bigger than the cap, in
// smaller pages, without being cut.
class TestSlowConsumer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void memberThatNeverReadsIsCut();
    void historyPageOfHugeMessagesIsPaged();

private:
    std::unique_ptr<churn::SeededServer> m_server;
};

void TestSlowConsumer::initTestCase()
{
    // Users 1 and 2 chat, 3 never reads; everyone in channels 1 and 2.
    m_server = std::make_unique<churn::SeededServer>(churn::SeededServer::Plan {ServerBinary, 3, 2, {}});
    const QString failure = m_server->start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void TestSlowConsumer::memberThatNeverReadsIsCut()
{
    QElapsedTimer clock;
    clock.start();
    LegitChat chat(m_server->url(), QStringLiteral("1"), {m_server->token(1), m_server->token(2)});
    QVERIFY(chat.connectBoth());
    const int baselineDescriptors = churn::openDescriptors(m_server->pid());
    const qint64 baselineKiB = churn::residentKiB(m_server->pid());
    RssWatch watch(m_server->pid());

    churn::RawClient sloth(attackerAddress(0));
    sloth.setReceiveBuffer(4096);
    sloth.setKeepTexts(true);
    QObject::connect(
        &sloth, &churn::RawClient::opened, &sloth, [&] { sloth.connectMain(m_server->token(3)); });
    sloth.connectToServer(m_server->port());
    QVERIFY(reliability::waitUntil([&] { return sloth.isReady(); }, 30s));
    sloth.setReading(false);
    QVERIFY(waitForConnections(m_server->port(), 3, 30s));

    // Big messages into the channel, a batch at a time, until the sloth is gone.
    chat.startChatting(100ms);
    int big = 0;
    bool gone = false;
    QElapsedTimer batch;
    while (big < BigMessages && !gone) {
        batch.start();
        for (int k = 0; k < BigInFlight && big < BigMessages; ++k, ++big)
            chat.send(big % 2, ControlMessage);
        // Paced under the event rate a server may allow per user (20/s by default).
        bool paced = false; // latched: the chat's own sends come and go meanwhile
        QVERIFY2(reliability::waitUntil(
                     [&] {
                         paced = paced || (chat.inFlight() <= BigInFlight && batch.elapsed() >= BatchMs);
                         return paced;
                     },
                     60s),
            qPrintable(QStringLiteral("%1 sends in flight after %2 ms; %3")
                           .arg(chat.inFlight())
                           .arg(batch.elapsed())
                           .arg(chat.summary())));
        const auto health = churn::fetchHealth(m_server->port());
        gone = health && health->connections == 2;
    }
    QVERIFY2(waitForConnections(m_server->port(), 2, 30s),
        qPrintable(QStringLiteral("the member that never reads was not cut after %1 messages of %2 bytes")
                       .arg(big)
                       .arg(ControlMessage.size() * 6)));
    qInfo("the member that never reads was cut after %d big messages (~%.1f MiB of message:new to it)", big,
        double(big) * MaxContent * 6 / 1048576.0);

    // What it still finds in its buffers: the goodbye, when the server could send it.
    sloth.setReading(true);
    reliability::waitUntil([&] { return sloth.stage() == churn::RawClient::Stage::Closed; }, 30s);
    bool toldSlowConsumer = false;
    for (const QByteArray &text : sloth.keptTexts())
        toldSlowConsumer = toldSlowConsumer ||
            (text.contains(protocol::event::ConnectionClosing.data()) && text.contains("SLOW_CONSUMER"));
    qInfo("connection:closing SLOW_CONSUMER %s",
        toldSlowConsumer ? "seen by the member" : "not seen (cut first)");
    sloth.abort();

    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    qInfo("%s", qPrintable(chat.summary()));
    QCOMPARE(chat.lost(), 0);
    QCOMPARE(chat.failedSends(), 0);
    QCOMPARE(chat.disconnects(), 0);
    chat.leave();
    QCOMPARE(freshClientReaches(m_server->url(), m_server->token(2)), QString());
    QVERIFY(reliability::waitUntil(
        [&] { return churn::openDescriptors(m_server->pid()) <= baselineDescriptors; }, 30s));
    qInfo("slow consumer: server RSS %.1f MiB before, peak %+.1f MiB (bound %+d MiB); %lld ms",
        double(baselineKiB) / 1024.0, double(watch.peakKiB() - baselineKiB) / 1024.0, int(RssBoundKiB / 1024),
        clock.elapsed());
    QVERIFY(watch.peakKiB() - baselineKiB <= RssBoundKiB);
}

void TestSlowConsumer::historyPageOfHugeMessagesIsPaged()
{
    QElapsedTimer clock;
    clock.start();
    const qint64 baselineKiB = churn::residentKiB(m_server->pid());
    LegitChat chat(m_server->url(), QStringLiteral("2"), {m_server->token(1), m_server->token(2)});
    QVERIFY(chat.connectBoth());
    for (int i = 0; i < HistoryMessages; ++i)
        chat.send(0, ControlMessage);
    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    QCOMPARE(chat.acked(), HistoryMessages);

    // The newest page would be ~1.2 MB of JSON: the server sends fewer, says there is
    // more, and keeps the connection; paging back fetches every one of them.
    const auto first = chat.request(1, protocol::event::MessageHistory,
        QJsonObject {{QStringLiteral("channelId"), QStringLiteral("2")}, {QStringLiteral("limit"), 100}});
    QVERIFY2(first.has_value(), qPrintable(chat.summary()));
    QVERIFY2(first->value(QLatin1String("success")).toBool(), QJsonDocument(*first).toJson().constData());
    QJsonArray page = first->value(QLatin1String("messages")).toArray();
    qInfo("a history page of %d messages of %d control characters: %lld returned, hasMore %s",
        HistoryMessages, MaxContent, qint64(page.size()),
        first->value(QLatin1String("hasMore")).toBool() ? "true" : "false");
    QVERIFY(page.size() < HistoryMessages);
    QVERIFY(!page.isEmpty());
    QVERIFY(first->value(QLatin1String("hasMore")).toBool());

    QSet<qint64> seqs;
    bool hasMore = true;
    int pages = 1;
    while (true) {
        for (const QJsonValue &message : page) {
            QCOMPARE(message[QLatin1String("content")].toString(), ControlMessage);
            seqs.insert(message[QLatin1String("seq")].toInteger());
        }
        if (!hasMore || page.isEmpty() || pages > HistoryMessages)
            break;
        const qint64 oldest = page.first()[QLatin1String("seq")].toInteger();
        const auto next = chat.request(1, protocol::event::MessageHistory,
            QJsonObject {{QStringLiteral("channelId"), QStringLiteral("2")},
                {QStringLiteral("beforeSeq"), oldest}, {QStringLiteral("limit"), 100}});
        QVERIFY2(next && next->value(QLatin1String("success")).toBool(), qPrintable(chat.summary()));
        page = next->value(QLatin1String("messages")).toArray();
        hasMore = next->value(QLatin1String("hasMore")).toBool();
        ++pages;
    }
    QCOMPARE(seqs.size(), HistoryMessages);

    QCOMPARE(chat.disconnects(), 0);
    QCOMPARE(chat.lost(), 0);
    chat.leave();
    QCOMPARE(freshClientReaches(m_server->url(), m_server->token(1)), QString());
    qInfo("history paging: %d pages, RSS %+.1f MiB, %lld ms", pages,
        double(churn::residentKiB(m_server->pid()) - baselineKiB) / 1024.0, clock.elapsed());
}

QTEST_GUILESS_MAIN(TestSlowConsumer)
#include "tst_slowconsumer.moc"
