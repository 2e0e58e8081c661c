#include "session/reconnectbackoff.h"

#include <QTest>

using parley::client::ReconnectBackoff;
using ms = std::chrono::milliseconds;

class TestReconnectBackoff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void doublesFromOneSecondToThirty()
    {
        const ReconnectBackoff backoff;
        const QList<qint64> expected {1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(backoff.ceilingFor(i).count(), expected[i]);
    }

    void delaysHaveJitterWithinTheUpperHalf()
    {
        ReconnectBackoff backoff;
        QSet<qint64> seen;
        for (int round = 0; round < 50; ++round) {
            backoff.reset();
            for (int attempt = 0; attempt < 8; ++attempt) {
                const ms ceiling = backoff.ceilingFor(attempt);
                const ms delay = backoff.nextDelay();
                QVERIFY2(delay <= ceiling && delay >= ceiling / 2,
                    qPrintable(QStringLiteral("attempt %1: %2 ms").arg(attempt).arg(delay.count())));
                if (attempt == 5)
                    seen.insert(delay.count());
            }
        }
        QVERIFY2(seen.size() > 1, "no jitter: every client would come back at the same moment");
    }

    void resetStartsOver()
    {
        ReconnectBackoff backoff(ms(10), ms(100));
        for (int i = 0; i < 6; ++i)
            backoff.nextDelay();
        QCOMPARE(backoff.attempts(), 6);
        backoff.reset();
        QCOMPARE(backoff.attempts(), 0);
        QVERIFY(backoff.nextDelay() <= ms(10));
    }
};

QTEST_GUILESS_MAIN(TestReconnectBackoff)
#include "tst_reconnectbackoff.moc"
