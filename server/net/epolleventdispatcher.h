#pragma once

#include "timerqueue.h"

#include <QAbstractEventDispatcher>

#include <atomic>
#include <unordered_map>

class QSocketNotifier;

namespace parley::net {

// An event dispatcher built on Linux epoll. Qt's default dispatcher on Linux (glib, or
// its own poll() loop) hands the kernel the list of every socket on every loop turn, so
// a server with thousands of mostly idle connections pays for all of them each time one
// of them has data. Here the kernel keeps the interest list: a turn costs what the ready
// sockets and due timers cost, whatever the number of connections.
//
// Install it before the application object exists (or on a QThread before start()):
//   QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
//   QCoreApplication app(argc, argv);
// Socket notifiers are level-triggered, like Qt's own: a notifier that does not consume
// its data is activated again on the next turn.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override; // any thread
    void interrupt() override; // any thread

    // Descriptors currently in the epoll interest list (tests and diagnostics).
    qsizetype watchedDescriptorCount() const { return qsizetype(m_watched.size()); }

private:
    // The notifiers of one descriptor (at most one per type, as Qt requires).
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 generation = 0; // tells a recycled descriptor number from the old one
        quint32 events = 0; // what epoll was last told to report
    };

    void updateInterest(int fd, Watch &watch);
    int dispatchTimers();
    int dispatchSocketEvents(int readyCount);
    void activate(int fd, quint32 generation, QSocketNotifier *Watch::*slot);
    void drainWakeUps();

    int m_epollFd = -1;
    int m_wakeUpFd = -1; // eventfd: written by wakeUp(), watched by epoll
    std::atomic<bool> m_wakeUpPending {false};
    std::atomic<bool> m_interrupted {false};
    std::unordered_map<int, Watch> m_watched;
    quint32 m_nextGeneration = 1;
    TimerQueue m_timers;
    struct EventBuffer;
    EventBuffer *m_events;
};

} // namespace parley::net
