#include "timerqueue.h"

#include <algorithm>

namespace parley::net {

namespace {

using std::chrono::milliseconds;

// Very coarse timers keep whole-second accuracy (as Qt documents them) so that many of
// them share one wake-up; below a second that would change what the caller asked for, so
// they are treated like coarse ones there.
milliseconds effectiveInterval(qint64 intervalMs, Qt::TimerType type)
{
    if (type == Qt::VeryCoarseTimer && intervalMs >= 1000)
        return milliseconds((intervalMs + 500) / 1000 * 1000);
    return milliseconds(std::max<qint64>(intervalMs, 0));
}

TimerQueue::Clock::time_point firstDeadline(
    TimerQueue::Clock::time_point now, milliseconds interval, Qt::TimerType type)
{
    auto deadline = now + interval;
    if (type == Qt::VeryCoarseTimer && interval >= std::chrono::seconds(1)) {
        // Round up to a whole second of the clock: timers started in the same second
        // then fire together.
        const auto since = std::chrono::duration_cast<std::chrono::seconds>(deadline.time_since_epoch());
        if (deadline.time_since_epoch() > since)
            deadline = TimerQueue::Clock::time_point(since + std::chrono::seconds(1));
    }
    return deadline;
}

} // namespace

void TimerQueue::add(
    int timerId, qint64 intervalMs, Qt::TimerType type, QObject *object, Clock::time_point now)
{
    remove(timerId); // an id is never registered twice; be safe if Qt ever does
    const milliseconds interval = effectiveInterval(intervalMs, type);
    Timer &timer = m_timers[timerId];
    timer = Timer {object, interval, type, {}};
    schedule(timerId, timer, firstDeadline(now, interval, type));
}

bool TimerQueue::remove(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_byDeadline.erase(Key {it->second.deadline, timerId});
    m_timers.erase(it);
    return true;
}

bool TimerQueue::removeAll(QObject *object)
{
    bool removed = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_byDeadline.erase(Key {it->second.deadline, it->first});
            it = m_timers.erase(it);
            removed = true;
        } else {
            ++it;
        }
    }
    return removed;
}

QList<QAbstractEventDispatcher::TimerInfo> TimerQueue::timersOf(QObject *object) const
{
    QList<QAbstractEventDispatcher::TimerInfo> result;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            result.append({id, int(timer.interval.count()), timer.type});
    }
    return result;
}

int TimerQueue::remainingMs(int timerId, Clock::time_point now) const
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    if (it->second.deadline <= now)
        return 0;
    return int(std::chrono::ceil<milliseconds>(it->second.deadline - now).count());
}

std::optional<milliseconds> TimerQueue::timeUntilNext(Clock::time_point now) const
{
    if (m_byDeadline.empty())
        return std::nullopt;
    const Clock::time_point next = m_byDeadline.begin()->first;
    if (next <= now)
        return milliseconds(0);
    return std::chrono::ceil<milliseconds>(next - now);
}

std::vector<int> TimerQueue::dueTimers(Clock::time_point now) const
{
    std::vector<int> due;
    for (const Key &key : m_byDeadline) {
        if (key.first > now)
            break;
        due.push_back(key.second);
    }
    return due;
}

QObject *TimerQueue::fire(int timerId, Clock::time_point now)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end() || it->second.deadline > now)
        return nullptr;
    Timer &timer = it->second;
    auto next = timer.deadline + timer.interval;
    // A timer that fell behind (a long handler, a suspended process) fires once, not
    // once per missed interval.
    if (next <= now)
        next = now + timer.interval;
    m_byDeadline.erase(Key {timer.deadline, timerId});
    schedule(timerId, timer, next);
    return timer.object;
}

void TimerQueue::schedule(int timerId, Timer &timer, Clock::time_point deadline)
{
    timer.deadline = deadline;
    m_byDeadline.insert(Key {deadline, timerId});
}

} // namespace parley::net
