#include "abusesupport.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace parley;
using namespace parley::abuse;
using namespace std::chrono_literals;

namespace {

constexpr int Attackers = 1000;
constexpr int PerAddress = 250; // under the default cap of connections per address
constexpr qint64 RssBoundKiB = 64 * 1024; // 1,000 idle sockets in a sanitized build, generous
constexpr int ChatMessages = 20;

} // namespace

// 1,000 sockets that open TCP and never finish the upgrade (half of them send half a
// request): the legitimate users still connect and chat, and once the attackers are
// gone the server holds no descriptor more than before.
class TestHandshakeStarvation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unfinishedUpgradesStarveNobody();
};

void TestHandshakeStarvation::unfinishedUpgradesStarveNobody()
{
    const qint64 ownLimit = raiseOwnDescriptorLimit();
    if (ownLimit < Attackers + 200)
        QSKIP(qPrintable(QStringLiteral("this process may open %1 descriptors, the test needs %2")
                             .arg(ownLimit)
                             .arg(Attackers + 200)));
    QElapsedTimer clock;
    clock.start();
    churn::SeededServer server({ServerBinary, 2, 1, {}});
    const QString failure = server.start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const int baselineDescriptors = churn::openDescriptors(server.pid());
    const qint64 baselineKiB = churn::residentKiB(server.pid());
    RssWatch watch(server.pid());

    std::vector<std::unique_ptr<churn::RawClient>> attackers;
    const QByteArray halfRequest = churn::RawClient::upgradeRequest(server.port()).left(60);
    for (int i = 0; i < Attackers; ++i) {
        attackers.push_back(std::make_unique<churn::RawClient>(attackerAddress(i / PerAddress)));
        attackers.back()->connectToServer(server.port(), false);
        if (i % 2 == 1)
            attackers.back()->sendRaw(halfRequest); // written once connected
    }
    const auto connected = [&] {
        return std::count_if(attackers.begin(), attackers.end(),
            [](const auto &a) { return a->socket().state() == QAbstractSocket::ConnectedState; });
    };
    QVERIFY2(reliability::waitUntil([&] { return connected() == Attackers; }, 60s),
        qPrintable(QStringLiteral("%1 of %2 attackers connected").arg(connected()).arg(Attackers)));
    QVERIFY2(
        reliability::waitUntil(
            [&] { return churn::openDescriptors(server.pid()) >= baselineDescriptors + Attackers; }, 60s),
        qPrintable(QStringLiteral("the server holds %1 descriptors, %2 before the attack")
                       .arg(churn::openDescriptors(server.pid()))
                       .arg(baselineDescriptors)));
    qInfo("%d attackers hold a connection each (%lld ms); the server holds %d descriptors (%d before)",
        Attackers, clock.elapsed(), churn::openDescriptors(server.pid()), baselineDescriptors);

    LegitChat chat(server.url(), QStringLiteral("1"), {server.token(1), server.token(2)});
    QVERIFY2(chat.connectBoth(30s), qPrintable(chat.summary()));
    chat.startChatting(50ms);
    QVERIFY2(reliability::waitUntil([&] { return chat.acked() >= ChatMessages; }, 60s),
        qPrintable(chat.summary()));
    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    qInfo("%s; %lld attackers still connected", qPrintable(chat.summary()), qint64(connected()));
    QCOMPARE(chat.lost(), 0);
    QCOMPARE(chat.failedSends(), 0);
    QCOMPARE(chat.disconnects(), 0);
    chat.leave();

    attackers.clear(); // each closes its socket
    QCOMPARE(freshClientReaches(server.url(), server.token(1)), QString());
    QVERIFY2(reliability::waitUntil(
                 [&] { return churn::openDescriptors(server.pid()) == baselineDescriptors; }, 30s),
        qPrintable(QStringLiteral("%1 descriptors, %2 before the attack")
                       .arg(churn::openDescriptors(server.pid()))
                       .arg(baselineDescriptors)));
    qInfo("server RSS %.1f MiB before, peak %+.1f MiB (bound %+d MiB); %lld ms in all",
        double(baselineKiB) / 1024.0, double(watch.peakKiB() - baselineKiB) / 1024.0, int(RssBoundKiB / 1024),
        clock.elapsed());
    QVERIFY(watch.peakKiB() - baselineKiB <= RssBoundKiB);
}

QTEST_GUILESS_MAIN(TestHandshakeStarvation)
#include "tst_handshakestarvation.moc"
