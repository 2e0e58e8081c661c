#pragma once

#include "singleshottimer.h"
#include "socketioconnection.h"

#include <QList>

#include <chrono>
#include <map>

namespace parley::transport {

// The ack callbacks one connection waits for, keyed by ack id. Ids count up from 0
// per connection and wrap after 2^31 - 1. All deadlines share one single-shot timer
// armed for the earliest one, and the timer only runs while something is pending.
// The table never calls a callback itself: it hands them to its owner, which may
// be deleted by one of them.
class AckTable
{
public:
    using Callback = SocketIoConnection::AckCallback;
    using ExpiredHandler = std::function<void(QList<Callback> expired)>;

    explicit AckTable(ExpiredHandler onExpired);

    qint64 add(const QString &nsp, Callback callback, std::chrono::milliseconds timeout);
    // The callback waiting for id on nsp, removed; empty when there is none (an
    // unknown or late id, or a reply on another namespace).
    Callback take(const QString &nsp, qint64 id);
    QList<Callback> takeNamespace(const QString &nsp);
    QList<Callback> takeAll();
    bool isEmpty() const { return m_pending.empty(); }

private:
    using Clock = std::chrono::steady_clock;
    struct Pending
    {
        QString nsp;
        Callback callback;
        Clock::time_point deadline;
    };

    void armTimer();
    void onTimerFired();

    std::map<qint64, Pending> m_pending;
    qint64 m_nextId = 0;
    SingleShotTimer m_timer;
    Clock::time_point m_armedFor;
    ExpiredHandler m_onExpired;
};

} // namespace parley::transport
