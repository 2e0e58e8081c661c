#include "heartbeat.h"

namespace parley::transport {

Heartbeat::Heartbeat(std::function<void()> sendPing, std::function<void()> peerDead)
    : m_timer([this] { onTimerFired(); })
    , m_sendPing(std::move(sendPing))
    , m_peerDead(std::move(peerDead))
{ }

void Heartbeat::startAsServer(std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
{
    m_server = true;
    m_interval = interval;
    m_timeout = timeout;
    m_awaitingPong = false;
    m_timer.start(m_interval);
}

void Heartbeat::startAsClient(std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
{
    m_server = false;
    m_interval = interval;
    m_timeout = timeout;
    m_timer.start(m_interval + m_timeout);
}

bool Heartbeat::pongReceived()
{
    if (!m_server || !m_awaitingPong)
        return false;
    m_awaitingPong = false;
    m_timer.start(m_interval); // the next ping is due one interval after the pong
    return true;
}

void Heartbeat::pingReceived()
{
    if (!m_server && m_timer.isActive())
        m_timer.start(m_interval + m_timeout);
}

void Heartbeat::stop()
{
    m_timer.stop();
    m_awaitingPong = false;
}

void Heartbeat::onTimerFired()
{
    if (m_server && !m_awaitingPong) {
        m_awaitingPong = true;
        m_timer.start(m_timeout);
        m_sendPing();
        return;
    }
    m_awaitingPong = false;
    m_peerDead();
}

} // namespace parley::transport
