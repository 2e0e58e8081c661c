#include "abusesupport.h"
#include "mutatedframes.h"

#include <QElapsedTimer>
#include <QMap>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace parley;
using namespace parley::abuse;
using namespace std::chrono_literals;

namespace {

constexpr int Connections = 50;
constexpr int Frames = 10000;
// Over the resident size before the storm, at its peak (deep JSON and attachments
// make the server parse up to 1 MB frames); generous for a sanitized build.
constexpr qint64 RssBoundKiB = 64 * 1024;
constexpr auto ProbeTimeout = 10s;

struct Tally
{
    QMap<QString, int> kinds;
    int answered = 0; // the probe after the frame was answered: the connection lives on
    int cut = 0; // the server closed the connection
    int stuck = 0; // neither within ProbeTimeout
    int connects = 0;
    int refusedConnects = 0;
};

// One of the storm's connections at a time, from 127.0.0.2: joins /auth (and signs in on
// `/` as the attacker, a member of the chat's channel, when given a token), then sends a
// mutated frame and a probe with an ack id until the frame budget is spent. A frame that leaves
// nothing to follow is followed by FIN; a connection the server closes is replaced.
class StormSlot : public QObject
{
    Q_OBJECT
public:
    // token: sign in on `/` with it (probes are channel:list there); empty: join only
    // /auth (probes are auth:refresh there, answered with an error ack).
    StormSlot(quint16 port, QString token, quint64 seed, int budget, Tally &tally)
        : m_port(port)
        , m_token(std::move(token))
        , m_frames(seed)
        , m_budget(budget)
        , m_tally(tally)
    {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            ++m_tally.stuck;
            replace();
        });
    }
    bool isDone() const { return m_budget == 0 && !m_client; }
    void begin()
    {
        if (m_budget == 0)
            return;
        m_client = new churn::RawClient(attackerAddress(0), this);
        ++m_tally.connects;
        connect(m_client, &churn::RawClient::opened, this, [this] {
            if (m_token.isEmpty())
                m_client->sendText("40/auth,");
            else
                m_client->connectMain(m_token);
        });
        connect(m_client, &churn::RawClient::ready, this, [this] {
            m_client->sendText("40/auth,");
            fire();
        });
        connect(m_client, &churn::RawClient::refused, this, [this] {
            // Signing in refused (the server caps a user's connections): a stranger is
            // still hostile enough, but this connection starts over.
            if (!m_client->isReady()) {
                ++m_tally.refusedConnects;
                replace();
            }
        });
        connect(m_client, &churn::RawClient::authJoined, this, [this] {
            if (m_token.isEmpty())
                fire();
        });
        connect(m_client, &churn::RawClient::textReceived, this, [this] {
            if (m_probe >= 0 && m_client->lastAckId() >= m_probe) {
                ++m_tally.answered;
                m_probe = -1;
                fire();
            }
        });
        connect(m_client, &churn::RawClient::ended, this, [this] {
            if (m_probe >= 0)
                ++m_tally.cut;
            else if (!m_client->isReady() && !m_client->hasJoinedAuth())
                ++m_tally.refusedConnects;
            replace();
        });
        m_deadline.start(ProbeTimeout);
        m_client->connectToServer(m_port);
    }

private:
    void fire()
    {
        if (m_budget == 0) {
            retire();
            return;
        }
        --m_budget;
        const Mutation mutation = m_frames.next();
        ++m_tally.kinds[QString::fromLatin1(mutation.kind)];
        m_client->sendRaw(mutation.bytes);
        if (mutation.last) {
            m_client->socket().disconnectFromHost();
            replace();
            return;
        }
        m_probe = ++m_lastProbe;
        if (m_token.isEmpty())
            m_client->sendText("42/auth," + QByteArray::number(m_probe) + "[\"auth:refresh\",{}]");
        else
            m_client->sendText("42" + QByteArray::number(m_probe) + "[\"channel:list\",{}]");
        m_deadline.start(ProbeTimeout);
    }
    // Lets the old connection finish closing on its own, then starts a fresh one.
    void retire()
    {
        m_deadline.stop();
        m_probe = -1;
        if (!m_client)
            return;
        churn::RawClient *old = m_client;
        m_client = nullptr;
        old->disconnect(this);
        connect(old, &churn::RawClient::ended, old, &QObject::deleteLater);
        QTimer::singleShot(5s, old, [old] { old->abort(); });
        if (old->stage() == churn::RawClient::Stage::Closed)
            old->deleteLater();
    }
    void replace()
    {
        retire();
        begin();
    }

    quint16 m_port;
    QString m_token;
    MutatedFrames m_frames;
    int m_budget;
    Tally &m_tally;
    churn::RawClient *m_client = nullptr;
    QTimer m_deadline;
    qint64 m_probe = -1; // the ack id waited for
    qint64 m_lastProbe = 0;
};

quint64 stormSeed()
{
    bool ok = false;
    const quint64 given = qEnvironmentVariable("PARLEY_SEED").toULongLong(&ok);
    return ok ? given : QRandomGenerator::global()->generate64();
}

} // namespace

// 10,000 mutated frames from 50 connections while two users chat: the chat loses
// nothing and nobody innocent is disconnected; the server stays healthy.
class TestFrameStorm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stormBesideAChat();
};

void TestFrameStorm::stormBesideAChat()
{
    const quint64 seed = stormSeed();
    qInfo("PARLEY_SEED=%llu (set it to replay this storm)", seed);
    QElapsedTimer clock;
    clock.start();
    churn::SeededServer server({ServerBinary, 3, 1, {}});
    const QString failure = server.start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    LegitChat chat(server.url(), QStringLiteral("1"), {server.token(1), server.token(2)});
    QVERIFY(chat.connectBoth());
    chat.startChatting(50ms);
    QVERIFY(reliability::waitUntil([&] { return chat.acked() >= 4; }, 30s));
    const qint64 baselineKiB = churn::residentKiB(server.pid());
    const int baselineDescriptors = churn::openDescriptors(server.pid());
    RssWatch watch(server.pid());

    Tally tally;
    std::vector<std::unique_ptr<StormSlot>> storm;
    for (int i = 0; i < Connections; ++i) {
        storm.push_back(std::make_unique<StormSlot>(
            server.port(), server.token(3), seed + quint64(i), Frames / Connections, tally));
        storm.back()->begin();
    }
    const bool stormDone = reliability::waitUntil(
        [&] {
            return std::all_of(storm.begin(), storm.end(), [](const auto &slot) { return slot->isDone(); });
        },
        200s);
    QString kinds;
    for (auto it = tally.kinds.cbegin(); it != tally.kinds.cend(); ++it)
        kinds += QStringLiteral("%1 %2, ").arg(it.key()).arg(it.value());
    qInfo("storm: %s", qPrintable(kinds));
    qInfo("storm: %d connections (%d refused before ready); after a frame: %d answered, %d cut, %d stuck; "
          "%lld ms",
        tally.connects, tally.refusedConnects, tally.answered, tally.cut, tally.stuck, clock.elapsed());
    QVERIFY2(stormDone, "the storm did not finish");
    storm.clear();
    qInfo("server RSS %.1f MiB before the storm, peak %+.1f MiB (bound %+d MiB)",
        double(baselineKiB) / 1024.0, double(watch.peakKiB() - baselineKiB) / 1024.0,
        int(RssBoundKiB / 1024));

    QVERIFY2(chat.settle(), qPrintable(chat.summary()));
    qInfo("%s", qPrintable(chat.summary()));
    QCOMPARE(chat.lost(), 0);
    QCOMPARE(chat.failedSends(), 0);
    QCOMPARE(chat.disconnects(), 0);
    QCOMPARE(tally.stuck, 0);
    QVERIFY(watch.peakKiB() - baselineKiB <= RssBoundKiB);
    QCOMPARE(freshClientReaches(server.url(), server.token(1)), QString());
    QVERIFY2(reliability::waitUntil(
                 [&] { return churn::openDescriptors(server.pid()) <= baselineDescriptors; }, 30s),
        qPrintable(QStringLiteral("%1 descriptors, %2 before the storm")
                       .arg(churn::openDescriptors(server.pid()))
                       .arg(baselineDescriptors)));
    qInfo("frame storm: %lld ms in all", clock.elapsed());
}

QTEST_GUILESS_MAIN(TestFrameStorm)
#include "tst_framestorm.moc"
