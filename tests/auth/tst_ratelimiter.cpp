#include "auth/ratelimiter.h"

#include <QTest>

using parley::auth::RateLimiter;

namespace {

// A hand-moved monotonic clock (milliseconds).
struct FakeClock
{
    qint64 now = 1000000;
    parley::auth::MonotonicClock function()
    {
        return [this] { return now; };
    }
};

const QString Key = QStringLiteral("conn-1");

} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void burstThenRefused_data();
    void burstThenRefused();
    void refillsAtTheSustainedRate();
    void retryAfterIsExact();
    void keysAreIndependent();
    void refilledKeysAreEvicted();
    void tableNeverExceedsMaxKeys();
    void forgetGivesAFreshBucket();
};

void TestRateLimiter::burstThenRefused_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("periodMs");
    QTest::addColumn<int>("burst");
    QTest::addColumn<qint64>("retryAfterMs");

    // The contract's two limits: the refused request waits one token's interval.
    QTest::newRow("events 20/s burst 40") << 20 << 1000 << 40 << qint64(50);
    QTest::newRow("auth 10/min") << 10 << 60000 << 10 << qint64(6000);
    QTest::newRow("no burst") << 1 << 1000 << 1 << qint64(1000);
}

void TestRateLimiter::burstThenRefused()
{
    QFETCH(int, count);
    QFETCH(int, periodMs);
    QFETCH(int, burst);
    QFETCH(qint64, retryAfterMs);

    FakeClock clock;
    RateLimiter limiter({count, std::chrono::milliseconds(periodMs), burst}, clock.function());
    for (int i = 0; i < burst; ++i) {
        const RateLimiter::Decision decision = limiter.tryAcquire(Key);
        QVERIFY2(decision.allowed, qPrintable(QStringLiteral("request %1").arg(i + 1)));
        QCOMPARE(decision.retryAfterMs, 0);
    }
    const RateLimiter::Decision refused = limiter.tryAcquire(Key);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterMs, retryAfterMs);
    // Being refused costs nothing: the wait does not grow with retries.
    QCOMPARE(limiter.tryAcquire(Key).retryAfterMs, retryAfterMs);
}

void TestRateLimiter::refillsAtTheSustainedRate()
{
    FakeClock clock;
    RateLimiter limiter(RateLimiter::EventsPerConnection, clock.function());
    for (int i = 0; i < 40; ++i) {
        QVERIFY(limiter.tryAcquire(Key).allowed);
    }
    QVERIFY(!limiter.tryAcquire(Key).allowed);

    // One second refills 20 tokens: 20 allowed, the 21st refused.
    clock.now += 1000;
    for (int i = 0; i < 20; ++i) {
        QVERIFY2(limiter.tryAcquire(Key).allowed, qPrintable(QString::number(i)));
    }
    QVERIFY(!limiter.tryAcquire(Key).allowed);

    // A long pause refills to the burst, never beyond it.
    clock.now += 60000;
    for (int i = 0; i < 40; ++i) {
        QVERIFY(limiter.tryAcquire(Key).allowed);
    }
    QVERIFY(!limiter.tryAcquire(Key).allowed);
}

void TestRateLimiter::retryAfterIsExact()
{
    FakeClock clock;
    RateLimiter limiter(RateLimiter::AuthAttemptsPerAddress, clock.function());
    for (int i = 0; i < 10; ++i) {
        QVERIFY(limiter.tryAcquire(Key).allowed);
    }
    clock.now += 2500;
    const RateLimiter::Decision refused = limiter.tryAcquire(Key);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterMs, 3500);

    clock.now += refused.retryAfterMs - 1;
    QVERIFY(!limiter.tryAcquire(Key).allowed);
    QCOMPARE(limiter.tryAcquire(Key).retryAfterMs, 1);
    clock.now += 1;
    QVERIFY(limiter.tryAcquire(Key).allowed);
    QVERIFY(!limiter.tryAcquire(Key).allowed);
}

void TestRateLimiter::keysAreIndependent()
{
    FakeClock clock;
    RateLimiter limiter(RateLimiter::AuthAttemptsPerAddress, clock.function());
    for (int i = 0; i < 10; ++i) {
        QVERIFY(limiter.tryAcquire(QStringLiteral("10.0.0.1")).allowed);
    }
    QVERIFY(!limiter.tryAcquire(QStringLiteral("10.0.0.1")).allowed);
    QVERIFY(limiter.tryAcquire(QStringLiteral("10.0.0.2")).allowed);
}

void TestRateLimiter::refilledKeysAreEvicted()
{
    FakeClock clock;
    RateLimiter limiter(RateLimiter::EventsPerConnection, clock.function());
    for (int i = 0; i < 1000; ++i) {
        limiter.tryAcquire(QStringLiteral("conn-%1").arg(i));
    }
    QCOMPARE(limiter.trackedKeys(), 1000);

    // Long enough for every bucket to be full again (burst / rate = 2 s).
    clock.now += 2000;
    limiter.tryAcquire(QStringLiteral("fresh"));
    QCOMPARE(limiter.trackedKeys(), 1);
}

void TestRateLimiter::tableNeverExceedsMaxKeys()
{
    FakeClock clock;
    RateLimiter limiter(RateLimiter::AuthAttemptsPerAddress, clock.function(), 100);
    // An empty bucket for one address, then a flood of new addresses.
    for (int i = 0; i < 10; ++i) {
        limiter.tryAcquire(QStringLiteral("attacker"));
    }
    for (int i = 0; i < 1000; ++i) {
        QVERIFY(limiter.tryAcquire(QStringLiteral("10.1.%1.%2").arg(i / 256).arg(i % 256)).allowed);
        QVERIFY(limiter.trackedKeys() <= 100);
    }
    // The emptiest bucket is the last to go, so the flood did not refill it.
    QVERIFY(!limiter.tryAcquire(QStringLiteral("attacker")).allowed);
}

void TestRateLimiter::forgetGivesAFreshBucket()
{
    FakeClock clock;
    RateLimiter limiter({1, std::chrono::seconds(1), 1}, clock.function());
    QVERIFY(limiter.tryAcquire(Key).allowed);
    QVERIFY(!limiter.tryAcquire(Key).allowed);
    limiter.forget(Key);
    QCOMPARE(limiter.trackedKeys(), 0);
    QVERIFY(limiter.tryAcquire(Key).allowed);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
