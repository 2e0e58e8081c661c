#include "clock.h"

#include <chrono>

namespace parley::auth {

WallClock systemWallClock()
{
    return [] { return QDateTime::currentDateTimeUtc(); };
}

MonotonicClock steadyClock()
{
    return [] {
        const auto sinceStart = std::chrono::steady_clock::now().time_since_epoch();
        return qint64(std::chrono::duration_cast<std::chrono::milliseconds>(sinceStart).count());
    };
}

} // namespace parley::auth
