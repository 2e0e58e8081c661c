#include "singleshottimer.h"

#include <QHash>
#include <QObject>
#include <QTimerEvent>

#include <limits>

namespace parley::transport {

// One per thread: receives the timer events of every SingleShotTimer started in it.
class SingleShotTimer::Receiver final : public QObject
{
public:
    static Receiver &instance()
    {
        thread_local Receiver receiver;
        return receiver;
    }

    void add(int timerId, SingleShotTimer *timer) { m_running.insert(timerId, timer); }
    void remove(int timerId) { m_running.remove(timerId); }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        SingleShotTimer *timer = m_running.take(event->timerId());
        if (!timer)
            return;
        timer->m_timer.stop(); // the dispatcher's timers repeat; this one fires once
        timer->m_onTimeout(); // may delete or restart the timer: nothing touches it after
    }

private:
    QHash<int, SingleShotTimer *> m_running;
};

SingleShotTimer::SingleShotTimer(std::function<void()> onTimeout, Qt::TimerType type)
    : m_onTimeout(std::move(onTimeout))
    , m_type(type)
{ }

SingleShotTimer::~SingleShotTimer()
{
    stop();
}

void SingleShotTimer::start(std::chrono::milliseconds interval)
{
    stop();
    const auto ms = std::clamp<qint64>(interval.count(), 0, std::numeric_limits<int>::max());
    Receiver &receiver = Receiver::instance();
    m_timer.start(int(ms), m_type, &receiver);
    if (m_timer.isActive())
        receiver.add(m_timer.timerId(), this);
}

void SingleShotTimer::stop()
{
    if (!m_timer.isActive())
        return;
    Receiver::instance().remove(m_timer.timerId());
    m_timer.stop();
}

} // namespace parley::transport
