#pragma once

#include <QDateTime>

#include <functional>

namespace parley::auth {

// Clocks are injected so tests can stand at any instant instead of sleeping.
// Wall time is for token claims (exp, nbf, iat: seconds since the epoch).
using WallClock = std::function<QDateTime()>;
// Monotonic milliseconds are for rate limits, which must not jump with the
// system clock. The origin is arbitrary; only differences matter.
using MonotonicClock = std::function<qint64()>;

WallClock systemWallClock();
MonotonicClock steadyClock();

} // namespace parley::auth
