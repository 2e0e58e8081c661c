#include "net/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <atomic>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using parley::net::EpollEventDispatcher;
using namespace std::chrono_literals;

namespace {

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

// Several turns of the event loop that wait for nothing. Notifiers are level-triggered:
// one whose descriptor is ready fires in the next turn, so a count unchanged after
// these turns proves nothing was due (no sleep, whatever the machine's load).
void runTurns(int turns = 5)
{
    for (int i = 0; i < turns; ++i)
        QCoreApplication::processEvents();
}

// Returns once a single-shot timer started now with `delay` has fired: every timer due
// before it has had its turn by then, however late the loop runs.
bool waitForTimersDueWithin(std::chrono::milliseconds delay)
{
    bool fired = false;
    QObject context;
    QTimer::singleShot(int(delay.count()), Qt::PreciseTimer, &context, [&fired] { fired = true; });
    return QTest::qWaitFor([&fired] { return fired; }, 30000);
}

// A connected pair of non-blocking stream sockets, closed on destruction.
struct SocketPair
{
    SocketPair() { socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    int fds[2] = {-1, -1};
};

// Counts the QTimerEvents an object receives.
class TimerCounter : public QObject
{
public:
    int fired = 0;
    QList<int> ids;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        ids.append(event->timerId());
    }
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void installedAsApplicationDispatcher();
    void singleShotTimersFire_data();
    void singleShotTimersFire();
    void repeatingTimerKeepsItsInterval();
    void timerBookkeeping();
    void timerKilledByAnotherTimerDoesNotFire();
    void readNotifierOnSocketPair();
    void writeNotifierAndDisable();
    void notifierDeletedByAnotherInSameTurn();
    void wakeUpFromAnotherThread();
    void interruptEndsAWait();
    void postedEventsAndDeleteLater();
    void tcpEchoLoopback();
    void webSocketConversation();
    void thousandSockets();
    void worksAsAThreadDispatcher();
};

void TestEpollDispatcher::installedAsApplicationDispatcher()
{
    QVERIFY(dispatcher());
}

void TestEpollDispatcher::singleShotTimersFire_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addColumn<int>("interval");
    QTest::newRow("precise 0") << Qt::PreciseTimer << 0;
    QTest::newRow("precise 30") << Qt::PreciseTimer << 30;
    QTest::newRow("coarse 40") << Qt::CoarseTimer << 40;
    QTest::newRow("very coarse 1000") << Qt::VeryCoarseTimer << 1000;
}

void TestEpollDispatcher::singleShotTimersFire()
{
    QFETCH(Qt::TimerType, type);
    QFETCH(int, interval);
    QElapsedTimer clock;
    clock.start();
    bool fired = false;
    qint64 firedAfter = -1;
    QTimer::singleShot(std::chrono::milliseconds(interval), type, this, [&] {
        fired = true;
        firedAfter = clock.elapsed();
    });
    QTRY_VERIFY_WITH_TIMEOUT(fired, 5000);
    if (type == Qt::PreciseTimer)
        QVERIFY2(firedAfter >= interval, qPrintable(QString::number(firedAfter)));
    else if (type == Qt::VeryCoarseTimer)
        QVERIFY2(firedAfter >= interval - 500, qPrintable(QString::number(firedAfter)));
    QVERIFY2(firedAfter < interval + 1500, qPrintable(QString::number(firedAfter)));
}

void TestEpollDispatcher::repeatingTimerKeepsItsInterval()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(20ms);
    int ticks = 0;
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 5, 5000);
    const qint64 elapsed = clock.elapsed();
    timer.stop();
    QVERIFY2(elapsed >= 5 * 20, qPrintable(QString::number(elapsed)));
    const int ticksAtStop = ticks;
    QVERIFY(waitForTimersDueWithin(3 * 20ms)); // past the next two ticks it would have had
    QCOMPARE(ticks, ticksAtStop);
}

void TestEpollDispatcher::timerBookkeeping()
{
    TimerCounter counter;
    const int id = counter.startTimer(500ms, Qt::CoarseTimer);
    QVERIFY(id > 0);
    const QList<QAbstractEventDispatcher::TimerInfo> timers = dispatcher()->registeredTimers(&counter);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.at(0).timerId, id);
    QCOMPARE(timers.at(0).interval, 500);
    QCOMPARE(timers.at(0).timerType, Qt::CoarseTimer);
    const int remaining = dispatcher()->remainingTime(id);
    // Only bounded above: a loaded machine may take long to get here.
    QVERIFY2(remaining >= 0 && remaining <= 500, qPrintable(QString::number(remaining)));

    const int second = counter.startTimer(10ms);
    QTRY_VERIFY(counter.fired >= 2);
    QVERIFY(!counter.ids.contains(id));
    counter.killTimer(second);
    counter.killTimer(id);
    QCOMPARE(dispatcher()->remainingTime(id), -1);
    QVERIFY(dispatcher()->registeredTimers(&counter).isEmpty());
    QVERIFY(!dispatcher()->unregisterTimers(&counter));
}

void TestEpollDispatcher::timerKilledByAnotherTimerDoesNotFire()
{
    // Both timers are due in the same turn; the first one's handler kills the second.
    QTimer first;
    QTimer second;
    first.setSingleShot(true);
    second.setSingleShot(true);
    int secondFired = 0;
    bool firstFired = false;
    connect(&first, &QTimer::timeout, this, [&] {
        firstFired = true;
        second.stop();
    });
    connect(&second, &QTimer::timeout, this, [&] { ++secondFired; });
    first.start(20ms);
    second.start(20ms);
    QThread::msleep(40); // both overdue before the loop runs again
    QTRY_VERIFY(firstFired);
    QVERIFY(waitForTimersDueWithin(0ms)); // due after the second one was
    QCOMPARE(secondFired, 0);
}

void TestEpollDispatcher::readNotifierOnSocketPair()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    runTurns();
    QCOMPARE(activated.count(), 0); // nothing to read yet

    QCOMPARE(::write(pair.fds[1], "hi", 2), 2);
    QTRY_VERIFY(activated.count() >= 1);
    char buffer[8];
    QCOMPARE(::read(pair.fds[0], buffer, sizeof buffer), 2);
    const int afterRead = int(activated.count());
    runTurns();
    QCOMPARE(int(activated.count()), afterRead); // consumed: no more activations

    notifier.setEnabled(false);
    QCOMPARE(::write(pair.fds[1], "x", 1), 1);
    runTurns();
    QCOMPARE(int(activated.count()), afterRead);
    notifier.setEnabled(true);
    QTRY_VERIFY(int(activated.count()) > afterRead);
    // Level-triggered, like Qt's own dispatchers: unread data keeps activating it.
    QTRY_VERIFY(int(activated.count()) > afterRead + 2);
    QCOMPARE(::read(pair.fds[0], buffer, sizeof buffer), 1);
}

void TestEpollDispatcher::writeNotifierAndDisable()
{
    SocketPair pair;
    const qsizetype watchedBefore = dispatcher()->watchedDescriptorCount();
    auto read = std::make_unique<QSocketNotifier>(pair.fds[0], QSocketNotifier::Read);
    QSocketNotifier write(pair.fds[0], QSocketNotifier::Write);
    int writable = 0;
    connect(&write, &QSocketNotifier::activated, this, [&] {
        ++writable;
        write.setEnabled(false);
    });
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore + 1); // one descriptor, two notifiers
    QTRY_COMPARE(writable, 1);
    runTurns();
    QCOMPARE(writable, 1); // disabled in its handler: not activated again
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore + 1); // the read notifier is still there
    read.reset();
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore); // nothing left on it
    write.setEnabled(true);
    QTRY_COMPARE(writable, 2);
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore);
}

void TestEpollDispatcher::notifierDeletedByAnotherInSameTurn()
{
    SocketPair a;
    SocketPair b;
    QObject owner; // deletes what the test leaves behind, even when it fails
    QPointer<QSocketNotifier> first = new QSocketNotifier(a.fds[0], QSocketNotifier::Read, &owner);
    QPointer<QSocketNotifier> second = new QSocketNotifier(b.fds[0], QSocketNotifier::Read, &owner);
    int firstCount = 0;
    int secondCount = 0;
    char byte;
    // Whichever runs first deletes the other: both are ready in the same epoll_wait.
    connect(first.data(), &QSocketNotifier::activated, this, [&] {
        ++firstCount;
        QCOMPARE(::read(a.fds[0], &byte, 1), 1);
        delete second.data();
    });
    connect(second.data(), &QSocketNotifier::activated, this, [&] {
        ++secondCount;
        QCOMPARE(::read(b.fds[0], &byte, 1), 1);
        delete first.data();
    });
    QCOMPARE(::write(a.fds[1], "1", 1), 1);
    QCOMPARE(::write(b.fds[1], "2", 1), 1);
    QTRY_VERIFY(firstCount + secondCount >= 1);
    runTurns();
    QCOMPARE(firstCount + secondCount, 1);
    QVERIFY(first.isNull() != second.isNull());
}

void TestEpollDispatcher::wakeUpFromAnotherThread()
{
    QEventLoop loop;
    QElapsedTimer clock;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, &loop, [&] { loop.exit(1); });
    guard.start(10s);
    clock.start();
    std::thread poster([&] {
        std::this_thread::sleep_for(50ms);
        QMetaObject::invokeMethod(
            &loop, [&] { loop.exit(0); }, Qt::QueuedConnection);
    });
    const int result = loop.exec();
    poster.join();
    QCOMPARE(result, 0);
    QVERIFY(clock.elapsed() < 5000);
}

void TestEpollDispatcher::interruptEndsAWait()
{
    QElapsedTimer clock;
    clock.start();
    EpollEventDispatcher *d = dispatcher();
    std::thread interrupter([d] {
        std::this_thread::sleep_for(50ms);
        d->interrupt();
    });
    // Nothing else is due: only interrupt() can end this wait before the 10 s timer.
    QTimer guard;
    guard.setSingleShot(true);
    guard.start(10s);
    while (clock.elapsed() < 40)
        QThread::msleep(5);
    d->processEvents(QEventLoop::WaitForMoreEvents);
    interrupter.join();
    QVERIFY(clock.elapsed() < 5000);
    QVERIFY(guard.isActive());
}

void TestEpollDispatcher::postedEventsAndDeleteLater()
{
    QPointer<QObject> doomed = new QObject;
    doomed->deleteLater();
    QTRY_VERIFY(doomed.isNull());

    int order = 0;
    int first = 0;
    int second = 0;
    QMetaObject::invokeMethod(
        this, [&] { first = ++order; }, Qt::QueuedConnection);
    QMetaObject::invokeMethod(
        this, [&] { second = ++order; }, Qt::QueuedConnection);
    QTRY_COMPARE(second, 2);
    QCOMPARE(first, 1);

    // Posted from inside a posted event: still delivered without any other activity.
    bool nested = false;
    QMetaObject::invokeMethod(
        this,
        [&] {
            QMetaObject::invokeMethod(
                this, [&] { nested = true; }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    QTRY_VERIFY(nested);
}

void TestEpollDispatcher::tcpEchoLoopback()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *peer = server.nextPendingConnection()) {
            connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
            connect(peer, &QTcpSocket::disconnected, peer, &QObject::deleteLater);
        }
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    // Large enough to need several writes and reads on both sides.
    QByteArray payload(2 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 7);
    client.write(payload);
    QByteArray echoed;
    connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 20000);
    QVERIFY(echoed == payload);
    client.disconnectFromHost();
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
}

void TestEpollDispatcher::webSocketConversation()
{
    QWebSocketServer server(QStringLiteral("t"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    std::vector<std::unique_ptr<QWebSocket>> peers;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *peer = server.nextPendingConnection()) {
            connect(peer, &QWebSocket::textMessageReceived, peer,
                [peer](const QString &text) { peer->sendTextMessage(text.toUpper()); });
            peers.emplace_back(peer);
        }
    });
    QWebSocket client;
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    QSignalSpy connected(&client, &QWebSocket::connected);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())));
    QTRY_COMPARE(connected.count(), 1);
    for (int i = 0; i < 20; ++i)
        client.sendTextMessage(QStringLiteral("message %1").arg(i));
    QTRY_COMPARE(received.count(), 20);
    QCOMPARE(received.at(19).at(0).toString(), QStringLiteral("MESSAGE 19"));
    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    client.close();
    QTRY_COMPARE(disconnected.count(), 1);
}

void TestEpollDispatcher::thousandSockets()
{
    constexpr int Count = 1000;
    QTcpServer server;
    server.setMaxPendingConnections(Count);
    server.setListenBacklogSize(Count);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const qsizetype watchedBefore = dispatcher()->watchedDescriptorCount();
    std::vector<QTcpSocket *> peers;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *peer = server.nextPendingConnection()) {
            peers.push_back(peer);
            connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
        }
    });
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    int echoes = 0;
    for (int i = 0; i < Count; ++i) {
        auto client = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = client.get();
        connect(raw, &QTcpSocket::connected, raw, [raw, i] { raw->write(QByteArray::number(i)); });
        connect(raw, &QTcpSocket::readyRead, this, [raw, i, &echoes] {
            if (raw->readAll() == QByteArray::number(i))
                ++echoes;
        });
        client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        clients.push_back(std::move(client));
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoes, Count, 30000);
    QCOMPARE(int(peers.size()), Count);
    QVERIFY(dispatcher()->watchedDescriptorCount() >= watchedBefore + 2 * Count);

    clients.clear();
    for (QTcpSocket *peer : peers)
        delete peer;
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore);
}

void TestEpollDispatcher::worksAsAThreadDispatcher()
{
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    std::atomic<bool> timerFired {false};
    std::atomic<bool> wasEpoll {false};
    QObject context;
    context.moveToThread(&thread);
    connect(&thread, &QThread::started, &context, [&] {
        wasEpoll = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr;
        QTimer::singleShot(20ms, &context, [&] { timerFired = true; });
    });
    thread.start();
    QTRY_VERIFY(timerFired.load());
    QVERIFY(wasEpoll.load());
    thread.quit();
    QVERIFY(thread.wait(5000));
}

int main(int argc, char *argv[])
{
    // The dispatcher has to be in place before the application object exists.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
