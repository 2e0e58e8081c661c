#pragma once

#include "clock.h"

#include <QHash>
#include <QString>

#include <chrono>

namespace parley::auth {

// A token bucket per key (a connection id, a client address): `burst` requests at
// once, then one more every period/count. Stored as GCRA, the bucket's
// equivalent that keeps one timestamp per key instead of a count and a time.
// Keys whose bucket has refilled carry no information and are dropped, and the
// table never holds more than maxKeys entries, so a flood of addresses cannot
// grow it without bound.
class RateLimiter
{
public:
    struct Rate
    {
        int count; // requests ...
        std::chrono::milliseconds period; // ... per this period, sustained
        int burst; // requests allowed at once from a full bucket
    };
    // The contract's defaults (docs/protocol.md §7).
    static constexpr Rate EventsPerConnection {20, std::chrono::seconds(1), 40};
    static constexpr Rate AuthAttemptsPerAddress {10, std::chrono::minutes(1), 10};

    struct Decision
    {
        bool allowed;
        qint64 retryAfterMs; // 0 when allowed; else when one request will be allowed
    };

    explicit RateLimiter(Rate rate, MonotonicClock clock = steadyClock(), qsizetype maxKeys = 100000);

    // Takes one token from the key's bucket if it has one.
    Decision tryAcquire(const QString &key);
    // The key is gone (connection closed): its bucket need not wait for eviction.
    void forget(const QString &key) { m_nextFree.remove(key); }

    qsizetype trackedKeys() const { return m_nextFree.size(); }

private:
    qint64 nowMicros() const { return m_clock() * 1000; }
    void evictRefilled(qint64 now);
    void evictFullestBucket();

    qint64 m_interval; // µs between tokens
    qint64 m_tolerance; // µs of credit a full bucket holds beyond one token
    MonotonicClock m_clock;
    qsizetype m_maxKeys;
    // key -> the instant (µs) the bucket is full again (GCRA's theoretical arrival time)
    QHash<QString, qint64> m_nextFree;
    qint64 m_lastSweep;
};

} // namespace parley::auth
