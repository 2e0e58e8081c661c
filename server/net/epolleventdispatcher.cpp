#include "epolleventdispatcher.h"

#include "netlogging.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace parley::net {

namespace {

// epoll_event.data carries the descriptor and its watch's generation, so an event for a
// descriptor that was closed and reused within the same turn is recognised as stale.
quint64 packData(int fd, quint32 generation)
{
    return (quint64(generation) << 32) | quint32(fd);
}

constexpr quint32 WakeUpGeneration = 0; // watches start at 1

// Which readiness activates which notifier type. Errors and hang-ups wake readers and
// writers alike (their next read or write reports the condition), as with Qt's poll().
constexpr quint32 ReadReady = EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP;
constexpr quint32 WriteReady = EPOLLOUT | EPOLLERR | EPOLLHUP;
constexpr quint32 ExceptionReady = EPOLLPRI;

} // namespace

// Up to this many ready descriptors are taken per turn; the rest stay ready (level
// triggered) for the next one.
struct EpollEventDispatcher::EventBuffer
{
    std::array<epoll_event, 512> events;
};

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    , m_events(new EventBuffer)
{
    if (m_epollFd < 0 || m_wakeUpFd < 0)
        qFatal("EpollEventDispatcher: cannot create epoll/eventfd descriptors: %s", std::strerror(errno));
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = packData(m_wakeUpFd, WakeUpGeneration);
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeUpFd, &event) != 0)
        qFatal("EpollEventDispatcher: cannot watch the wake-up descriptor: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeUpFd);
    ::close(m_epollFd);
    delete m_events;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    // Anything posted from here on calls wakeUp(), which makes the wait below return at
    // once, so the next turn sends it: nothing posted can be left waiting.
    QCoreApplication::sendPostedEvents();

    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeSockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents);

    int timeoutMs = 0;
    if (mayWait) {
        timeoutMs = -1;
        if (includeTimers) {
            if (const auto next = m_timers.timeUntilNext(TimerQueue::Clock::now()))
                timeoutMs = int(std::min<qint64>(next->count(), std::numeric_limits<int>::max()));
        }
        if (timeoutMs != 0)
            Q_EMIT aboutToBlock();
    }

    int ready = epoll_wait(m_epollFd, m_events->events.data(), int(m_events->events.size()), timeoutMs);
    if (ready < 0) {
        if (errno != EINTR)
            qCWarning(lcNet) << "epoll_wait failed:" << std::strerror(errno);
        ready = 0;
    }
    if (timeoutMs != 0)
        Q_EMIT awake();

    int handled = dispatchSocketEvents(includeSockets ? ready : 0);
    if (includeTimers && !m_interrupted.load(std::memory_order_relaxed))
        handled += dispatchTimers();
    return handled > 0;
}

int EpollEventDispatcher::dispatchSocketEvents(int readyCount)
{
    int activated = 0;
    for (int i = 0; i < readyCount; ++i) {
        if (m_interrupted.load(std::memory_order_relaxed))
            break;
        const epoll_event &event = m_events->events[std::size_t(i)];
        const int fd = int(quint32(event.data.u64));
        const auto generation = quint32(event.data.u64 >> 32);
        if (generation == WakeUpGeneration) {
            drainWakeUps();
            continue;
        }
        // Each activation may delete or disable any notifier (its own included), so the
        // watch is looked up again before each one and never held across a call.
        if (event.events & ReadReady) {
            activate(fd, generation, &Watch::read);
            ++activated;
        }
        if (event.events & WriteReady) {
            activate(fd, generation, &Watch::write);
            ++activated;
        }
        if (event.events & ExceptionReady) {
            activate(fd, generation, &Watch::exception);
            ++activated;
        }
    }
    // Sockets are not handled in this turn (ExcludeSocketNotifiers): the wake-up still
    // has to be consumed, or the next wait would return at once.
    if (readyCount == 0)
        drainWakeUps();
    return activated;
}

void EpollEventDispatcher::activate(int fd, quint32 generation, QSocketNotifier *Watch::*slot)
{
    const auto it = m_watched.find(fd);
    if (it == m_watched.end() || it->second.generation != generation)
        return;
    QSocketNotifier *notifier = it->second.*slot;
    if (!notifier)
        return;
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
}

int EpollEventDispatcher::dispatchTimers()
{
    if (m_timers.isEmpty())
        return 0;
    const auto now = TimerQueue::Clock::now();
    int fired = 0;
    // Each due timer fires at most once per turn, even if its handler restarts it with a
    // zero interval, so timers cannot starve sockets.
    for (const int timerId : m_timers.dueTimers(now)) {
        if (m_interrupted.load(std::memory_order_relaxed))
            break;
        if (QObject *object = m_timers.fire(timerId, now)) {
            QTimerEvent event(timerId);
            QCoreApplication::sendEvent(object, &event);
            ++fired;
        }
    }
    return fired;
}

void EpollEventDispatcher::drainWakeUps()
{
    eventfd_t count = 0;
    while (eventfd_read(m_wakeUpFd, &count) == 0) { }
    // Cleared only after the read: a wakeUp() that saw "pending" posted its event before,
    // and the next turn's sendPostedEvents() sends it.
    m_wakeUpPending.store(false, std::memory_order_release);
}

void EpollEventDispatcher::wakeUp()
{
    bool expected = false;
    if (m_wakeUpPending.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
        eventfd_write(m_wakeUpFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    auto [it, inserted] = m_watched.try_emplace(fd);
    Watch &watch = it->second;
    if (inserted) {
        watch.generation = m_nextGeneration++;
        if (m_nextGeneration == WakeUpGeneration)
            ++m_nextGeneration;
    }
    QSocketNotifier **slot = nullptr;
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        slot = &watch.read;
        break;
    case QSocketNotifier::Write:
        slot = &watch.write;
        break;
    case QSocketNotifier::Exception:
        slot = &watch.exception;
        break;
    }
    if (*slot && *slot != notifier)
        qCWarning(lcNet) << "several socket notifiers of one type on descriptor" << fd << "; the last wins";
    *slot = notifier;
    updateInterest(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const auto it = m_watched.find(fd);
    if (it == m_watched.end())
        return;
    Watch &watch = it->second;
    for (QSocketNotifier **slot : {&watch.read, &watch.write, &watch.exception}) {
        if (*slot == notifier)
            *slot = nullptr;
    }
    if (!watch.read && !watch.write && !watch.exception) {
        // The descriptor may already be closed (then the kernel dropped it from the
        // interest list itself, and this fails harmlessly).
        if (watch.events != 0)
            epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
        m_watched.erase(it);
        return;
    }
    updateInterest(fd, watch);
}

void EpollEventDispatcher::updateInterest(int fd, Watch &watch)
{
    quint32 wanted = 0;
    if (watch.read)
        wanted |= EPOLLIN | EPOLLRDHUP;
    if (watch.write)
        wanted |= EPOLLOUT;
    if (watch.exception)
        wanted |= EPOLLPRI;
    if (wanted == watch.events)
        return;
    epoll_event event {};
    event.events = wanted;
    event.data.u64 = packData(fd, watch.generation);
    int op = watch.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    int result = epoll_ctl(m_epollFd, op, fd, &event);
    // A descriptor closed and reused without its notifiers being unregistered first
    // leaves the two views out of step; either way the kernel's answer tells which.
    if (result != 0 && errno == ENOENT && op == EPOLL_CTL_MOD)
        result = epoll_ctl(m_epollFd, op = EPOLL_CTL_ADD, fd, &event);
    else if (result != 0 && errno == EEXIST && op == EPOLL_CTL_ADD)
        result = epoll_ctl(m_epollFd, op = EPOLL_CTL_MOD, fd, &event);
    if (result != 0) {
        qCWarning(lcNet) << "epoll_ctl failed for descriptor" << fd << ":" << std::strerror(errno);
        return;
    }
    watch.events = wanted;
}

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    m_timers.add(timerId, interval, timerType, object, TimerQueue::Clock::now());
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.remove(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return m_timers.removeAll(object);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    return m_timers.timersOf(object);
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    return m_timers.remainingMs(timerId, TimerQueue::Clock::now());
}

} // namespace parley::net
