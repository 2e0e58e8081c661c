#include "abusesupport.h"

#include <QElapsedTimer>
#include <QTest>

using namespace parley;
using namespace parley::abuse;
using namespace std::chrono_literals;

namespace {

constexpr qint64 FloodBytes = 64LL * 1024 * 1024;
// Over the resident size before the flood, at its peak. Generous for a sanitized build
// on a loaded machine; a server that answers every ping grows by about the flood.
constexpr qint64 RssBoundKiB = 24 * 1024;
constexpr auto Quiet = 5s; // no byte taken for this long: the server stopped reading
constexpr qsizetype PingFrameBytes = 2 + 4 + 125; // header, mask, the largest control payload

QByteArray pingChunk()
{
    const QByteArray frame = churn::RawClient::frame(0x89, QByteArray(125, 'p'));
    return frame.repeated(512);
}

} // namespace

// A socket that streams pings and never reads: the server must not keep its answers
// for it (the answers' memory is bounded, the socket cut or throttled) while a
// legitimate chat goes on.
class TestPingFlood : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unreadPingsDoNotGrowTheServer();
};

void TestPingFlood::unreadPingsDoNotGrowTheServer()
{
    QElapsedTimer clock;
    clock.start();
    churn::SeededServer server({ServerBinary, 2, 1, {}});
    const QString failure = server.start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    LegitChat chat(server.url(), QStringLiteral("1"), {server.token(1), server.token(2)});
    QVERIFY(chat.connectBoth());
    chat.startChatting(100ms);
    QVERIFY(reliability::waitUntil([&] { return chat.acked() >= 4; }, 30s));
    const qint64 baselineKiB = churn::residentKiB(server.pid());
    const int baselineDescriptors = churn::openDescriptors(server.pid());
    RssWatch watch(server.pid());

    // WebSocket pings (each answered with a pong of the same size), and a second socket
    // with Engine.IO pings, which a client must never send: that one is simply closed.
    // The first: a connection that never signs in is closed after the CONNECT timeout
    // (10 s), so the flooder comes back until the whole flood has gone.
    Flooder pings(attackerAddress(0), pingChunk(), FloodBytes, true);
    Flooder enginePings(
        attackerAddress(1), churn::RawClient::textFrame("2").repeated(4096), FloodBytes / 8, false);
    pings.start(server.port());
    enginePings.start(server.port());
    QVERIFY(reliability::waitUntil([&] { return pings.isFinished(Quiet); }, 150s));
    QVERIFY2(reliability::waitUntil([&] { return enginePings.isFinished(Quiet); }, 30s),
        "the Engine.IO ping flood is neither cut nor throttled");
    const qint64 peakGrowthKiB = watch.peakKiB() - baselineKiB;
    const bool cut = pings.cuts() > 0;
    const bool throttled = pings.isThrottled(Quiet);
    qInfo("ping flood: %.1f MiB of WebSocket pings sent (%s, %d connections), %.1f MiB of Engine.IO pings "
          "(%s); server RSS "
          "%.1f MiB before, peak %+.1f MiB (bound %+d MiB)",
        double(pings.sent()) / 1048576.0,
        cut             ? "cut"
            : throttled ? "throttled"
                        : "all taken",
        pings.cuts() + 1, double(enginePings.sent()) / 1048576.0,
        enginePings.isCut()                  ? "cut"
            : enginePings.isThrottled(Quiet) ? "throttled"
                                             : "all taken",
        double(baselineKiB) / 1024.0, double(peakGrowthKiB) / 1024.0, int(RssBoundKiB / 1024));
    QVERIFY2(peakGrowthKiB <= RssBoundKiB, "the server kept what the flood made it answer");

    // Not cut and not throttled: then the server must have dropped answers. Read what
    // it kept for us after a close frame; a server that answered everything has a pong
    // for every ping.
    qint64 pongs = -1;
    if (!cut && !throttled) {
        pings.client().sendCloseFrame();
        pings.client().setReading(true);
        reliability::waitUntil([&] { return pings.isCut(); }, 60s);
        pongs = pings.client().pongsReceived();
        qInfo("the flooder read %lld pongs for %lld pings", pongs, pings.sent() / PingFrameBytes);
    }
    QVERIFY2(cut || throttled || pongs < pings.sent() / PingFrameBytes,
        "the ping flooder was neither cut nor throttled, and every ping was answered");
    pings.client().abort();
    enginePings.client().abort();

    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    qInfo("%s", qPrintable(chat.summary()));
    QCOMPARE(chat.lost(), 0);
    QCOMPARE(chat.failedSends(), 0);
    QCOMPARE(chat.disconnects(), 0);
    QCOMPARE(freshClientReaches(server.url(), server.token(1)), QString());
    QVERIFY2(reliability::waitUntil(
                 [&] { return churn::openDescriptors(server.pid()) <= baselineDescriptors; }, 30s),
        qPrintable(QStringLiteral("%1 descriptors, %2 before the flood")
                       .arg(churn::openDescriptors(server.pid()))
                       .arg(baselineDescriptors)));
    const qint64 afterKiB = churn::residentKiB(server.pid());
    qInfo("after the flood: RSS %+.1f MiB over the baseline; %lld ms in all",
        double(afterKiB - baselineKiB) / 1024.0, clock.elapsed());
    QVERIFY(afterKiB - baselineKiB <= RssBoundKiB);
}

QTEST_GUILESS_MAIN(TestPingFlood)
#include "tst_pingflood.moc"
