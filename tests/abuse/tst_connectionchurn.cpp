#include "abusesupport.h"

#include <QElapsedTimer>
#include <QTest>

using namespace parley;
using namespace parley::abuse;
using namespace std::chrono_literals;

namespace {

constexpr int Cycles = 2000;
constexpr int InFlight = 4;
// Growth over the whole run; the tight figure is parley-bench-churn's (RSS flat
// between its second and third third).
constexpr qint64 RssBoundKiB = 48 * 1024;

} // namespace

// 2,000 connect → connection:ready → disconnect cycles beside a chat: afterwards the
// server holds the descriptors, rooms and connections it held before.
class TestConnectionChurn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void churnLeavesNothingBehind();
};

void TestConnectionChurn::churnLeavesNothingBehind()
{
    QElapsedTimer clock;
    clock.start();
    // User 3 churns, in channels 1..3 like everyone: four rooms per connection.
    churn::SeededServer server({ServerBinary, 3, 3, {}});
    const QString failure = server.start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    LegitChat chat(server.url(), QStringLiteral("1"), {server.token(1), server.token(2)});
    QVERIFY(chat.connectBoth());
    chat.startChatting(100ms);
    QVERIFY(reliability::waitUntil([&] { return chat.acked() >= 4; }, 30s));
    const auto before = churn::fetchHealth(server.port());
    QVERIFY(before.has_value());
    const int baselineDescriptors = churn::openDescriptors(server.pid());
    const qint64 baselineKiB = churn::residentKiB(server.pid());
    RssWatch watch(server.pid());

    churn::ChurnRun churn({server.port(), server.token(3), InFlight, attackerAddress(0)});
    const churn::ChurnResult result = churn.run(Cycles, 200s);
    qInfo("churn: %lld cycles completed, %lld failed in %lld ms%s", result.completed, result.failed,
        result.elapsedMs,
        qPrintable(result.failures.isEmpty()
                ? QString()
                : QStringLiteral(": ") + result.failures.join(QStringLiteral(", "))));
    QCOMPARE(result.completed, qint64(Cycles));

    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    qInfo("%s", qPrintable(chat.summary()));
    QCOMPARE(chat.lost(), 0);
    QCOMPARE(chat.failedSends(), 0);
    QCOMPARE(chat.disconnects(), 0);

    // Latched: once everything is back, the final check reads the same sample.
    std::optional<churn::Health> after;
    bool back = false;
    reliability::waitUntil(
        [&] {
            if (!back) {
                after = churn::fetchHealth(server.port());
                back = after && after->connections == before->connections && after->rooms == before->rooms &&
                    churn::openDescriptors(server.pid()) == baselineDescriptors;
            }
            return back;
        },
        30s);
    QVERIFY2(after.has_value(), "no answer from /healthz");
    QCOMPARE(after->connections, before->connections);
    QCOMPARE(after->rooms, before->rooms);
    QCOMPARE(churn::openDescriptors(server.pid()), baselineDescriptors);
    qInfo("before: %d connections, %d rooms, %d descriptors; after: %d, %d, %d; RSS %.1f MiB before, peak "
          "%+.1f "
          "MiB, end %+.1f MiB (bound %+d MiB)",
        before->connections, before->rooms, baselineDescriptors, after->connections, after->rooms,
        churn::openDescriptors(server.pid()), double(baselineKiB) / 1024.0,
        double(watch.peakKiB() - baselineKiB) / 1024.0,
        double(churn::residentKiB(server.pid()) - baselineKiB) / 1024.0, int(RssBoundKiB / 1024));
    QVERIFY(watch.peakKiB() - baselineKiB <= RssBoundKiB);
    QCOMPARE(freshClientReaches(server.url(), server.token(1)), QString());
    qInfo("connection churn: %lld ms in all", clock.elapsed());
}

QTEST_GUILESS_MAIN(TestConnectionChurn)
#include "tst_connectionchurn.moc"
