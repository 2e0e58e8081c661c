#pragma once

#include "singleshottimer.h"

#include <chrono>
#include <functional>

namespace parley::transport {

// The Engine.IO v4 heartbeat of one connection, on one single-shot timer (a server
// runs thousands of these, so nothing else is allocated or kept running, and the timer
// is not a QObject).
// Server: ping every interval; the peer is dead if its pong takes longer than timeout.
// Client: the peer is dead when no ping arrives for interval + timeout.
class Heartbeat
{
public:
    Heartbeat(std::function<void()> sendPing, std::function<void()> peerDead);

    void startAsServer(std::chrono::milliseconds interval, std::chrono::milliseconds timeout);
    void startAsClient(std::chrono::milliseconds interval, std::chrono::milliseconds timeout);
    // Returns false when no ping was outstanding (an unsolicited pong changes nothing).
    bool pongReceived(); // server
    void pingReceived(); // client
    void stop();

    bool isRunning() const { return m_timer.isActive(); }

private:
    void onTimerFired();

    SingleShotTimer m_timer;
    std::function<void()> m_sendPing;
    std::function<void()> m_peerDead;
    std::chrono::milliseconds m_interval {};
    std::chrono::milliseconds m_timeout {};
    bool m_server = false;
    bool m_awaitingPong = false;
};

} // namespace parley::transport
