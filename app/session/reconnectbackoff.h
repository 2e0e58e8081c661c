#pragma once

#include <chrono>

namespace parley::client {

// Exponential back-off with jitter for reconnect attempts: base, 2*base, 4*base, ...
// capped at max, each delay drawn at random from its upper half so that many
// clients cut off together do not come back together. reset() after a success.
class ReconnectBackoff
{
public:
    using ms = std::chrono::milliseconds;
    explicit ReconnectBackoff(ms base = ms(1000), ms max = ms(30000));

    ms nextDelay(); // the delay before the next attempt; counts the attempt
    void reset() { m_attempt = 0; }
    int attempts() const { return m_attempt; }
    // The delay of the attempt before jitter (for tests and the countdown).
    ms ceilingFor(int attempt) const;

private:
    ms m_base;
    ms m_max;
    int m_attempt = 0;
};

} // namespace parley::client
