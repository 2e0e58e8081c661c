#pragma once

#include <QBasicTimer>

#include <chrono>
#include <functional>

namespace parley::transport {

// A single-shot timer that is not a QObject. A server holds several timers per
// connection (heartbeat, CONNECT deadline, ack deadlines, token expiry) for thousands of
// connections; a QTimer costs ~450 bytes each (its QObject, its private data and the
// timeout connection), this one nothing while stopped and a hash slot while running.
// The timer events of every instance in a thread go to one per-thread receiver, which
// calls the instance's callback.
//
// Like QTimer: use it from one thread; destroying it (also from its own callback) stops it.
class SingleShotTimer
{
public:
    explicit SingleShotTimer(std::function<void()> onTimeout, Qt::TimerType type = Qt::CoarseTimer);
    ~SingleShotTimer();
    SingleShotTimer(const SingleShotTimer &) = delete;
    SingleShotTimer &operator=(const SingleShotTimer &) = delete;

    void start(std::chrono::milliseconds interval); // restarts a running timer
    void stop();
    bool isActive() const { return m_timer.isActive(); }

private:
    class Receiver;
    friend class Receiver;

    QBasicTimer m_timer;
    std::function<void()> m_onTimeout;
    Qt::TimerType m_type;
};

} // namespace parley::transport
