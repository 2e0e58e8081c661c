#include "reconnectbackoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace parley::client {

ReconnectBackoff::ReconnectBackoff(ms base, ms max)
    : m_base(std::max(base, ms(1)))
    , m_max(std::max(max, m_base))
{ }

ReconnectBackoff::ms ReconnectBackoff::ceilingFor(int attempt) const
{
    // Doubling stops at the cap long before the shift could overflow.
    ms delay = m_base;
    for (int i = 0; i < attempt && delay < m_max; ++i)
        delay *= 2;
    return std::min(delay, m_max);
}

ReconnectBackoff::ms ReconnectBackoff::nextDelay()
{
    const ms ceiling = ceilingFor(m_attempt);
    ++m_attempt;
    const qint64 half = ceiling.count() / 2;
    return ms(ceiling.count() - half + QRandomGenerator::global()->bounded(half + 1));
}

} // namespace parley::client
