#pragma once

#include <QAbstractEventDispatcher>
#include <QList>

#include <chrono>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

class QObject;

namespace parley::net {

// The timers of one event dispatcher, ordered by deadline so that finding the next one
// and firing the due ones cost O(log n) each, not a scan of every timer (a server holds
// one heartbeat timer per connection). Knows nothing of events: the dispatcher asks
// which timers are due and sends their QTimerEvents itself.
class TimerQueue
{
public:
    using Clock = std::chrono::steady_clock;

    void add(int timerId, qint64 intervalMs, Qt::TimerType type, QObject *object, Clock::time_point now);
    bool remove(int timerId);
    bool removeAll(QObject *object);
    QList<QAbstractEventDispatcher::TimerInfo> timersOf(QObject *object) const;
    // Milliseconds until the timer is due (0 if overdue), or -1 for an unknown id.
    int remainingMs(int timerId, Clock::time_point now) const;
    bool isEmpty() const { return m_timers.empty(); }

    // How long a wait may last before the earliest timer is due; nullopt without timers.
    std::optional<std::chrono::milliseconds> timeUntilNext(Clock::time_point now) const;

    // The ids due at now. Firing one may add or remove others, so the dispatcher takes
    // this list first and then claims each id with fire().
    std::vector<int> dueTimers(Clock::time_point now) const;
    // If the timer still exists and is due: moves its deadline one interval on (later
    // if it fell behind) and returns its object, to which a QTimerEvent goes next.
    QObject *fire(int timerId, Clock::time_point now);

private:
    struct Timer
    {
        QObject *object;
        std::chrono::milliseconds interval;
        Qt::TimerType type;
        Clock::time_point deadline;
    };
    using Key = std::pair<Clock::time_point, int>; // deadline, then id: a unique order

    void schedule(int timerId, Timer &timer, Clock::time_point deadline);

    std::unordered_map<int, Timer> m_timers;
    std::set<Key> m_byDeadline;
};

} // namespace parley::net
