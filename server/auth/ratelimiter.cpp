#include "ratelimiter.h"

#include <algorithm>

namespace parley::auth {

RateLimiter::RateLimiter(Rate rate, MonotonicClock clock, qsizetype maxKeys)
    : m_interval(std::max<qint64>(
          1, qint64(std::chrono::microseconds(rate.period).count()) / std::max(1, rate.count)))
    , m_tolerance(m_interval * (std::max(1, rate.burst) - 1))
    , m_clock(std::move(clock))
    , m_maxKeys(std::max<qsizetype>(1, maxKeys))
    , m_lastSweep(nowMicros())
{ }

RateLimiter::Decision RateLimiter::tryAcquire(const QString &key)
{
    const qint64 now = nowMicros();
    // A sweep costs one pass over the table, so do it at most once per refill
    // time, or when the table is full.
    if (now - m_lastSweep >= m_interval + m_tolerance || m_nextFree.size() >= m_maxKeys) {
        evictRefilled(now);
    }

    auto entry = m_nextFree.find(key);
    if (entry == m_nextFree.end()) {
        if (m_nextFree.size() >= m_maxKeys) {
            evictFullestBucket();
        }
        // A new key has a full bucket: this request takes its first token.
        m_nextFree.insert(key, now + m_interval);
        return {true, 0};
    }

    // The bucket is full at nextFree; a request is allowed while it is no more
    // than `tolerance` (burst - 1 tokens) away from full.
    const qint64 nextFree = std::max(*entry, now);
    if (nextFree - now > m_tolerance) {
        const qint64 waitMicros = nextFree - m_tolerance - now;
        return {false, (waitMicros + 999) / 1000};
    }
    *entry = nextFree + m_interval;
    return {true, 0};
}

void RateLimiter::evictRefilled(qint64 now)
{
    m_lastSweep = now;
    m_nextFree.removeIf([now](QHash<QString, qint64>::iterator entry) { return entry.value() <= now; });
}

void RateLimiter::evictFullestBucket()
{
    // Every key is active and the table is full (a flood of addresses). Dropping
    // the bucket closest to full gives one client a fresh burst: the smallest
    // leniency available, and better than refusing a key that was never seen.
    auto fullest = std::min_element(m_nextFree.begin(), m_nextFree.end());
    if (fullest != m_nextFree.end()) {
        m_nextFree.erase(fullest);
    }
}

} // namespace parley::auth
