#include "acktable.h"

#include "protocol/socketio.h"

namespace parley::transport {

AckTable::AckTable(ExpiredHandler onExpired)
    // Precise: few run at once, only while acks are pending.
    : m_timer([this] { onTimerFired(); }, Qt::PreciseTimer)
    , m_onExpired(std::move(onExpired))
{ }

qint64 AckTable::add(const QString &nsp, Callback callback, std::chrono::milliseconds timeout)
{
    // Skipping ids still in use only matters after a wrap, 2^31 acks later.
    while (m_pending.count(m_nextId))
        m_nextId = m_nextId == protocol::MaxAckId ? 0 : m_nextId + 1;
    const qint64 id = m_nextId;
    m_nextId = m_nextId == protocol::MaxAckId ? 0 : m_nextId + 1;

    const auto deadline = Clock::now() + timeout;
    m_pending.emplace(id, Pending {nsp, std::move(callback), deadline});
    if (!m_timer.isActive() || deadline < m_armedFor)
        armTimer();
    return id;
}

AckTable::Callback AckTable::take(const QString &nsp, qint64 id)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->second.nsp != nsp)
        return {};
    Callback callback = std::move(it->second.callback);
    m_pending.erase(it);
    if (m_pending.empty())
        m_timer.stop();
    // Otherwise the timer may now be early; it re-arms itself when it fires.
    return callback;
}

QList<AckTable::Callback> AckTable::takeNamespace(const QString &nsp)
{
    QList<Callback> taken;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second.nsp == nsp) {
            taken.append(std::move(it->second.callback));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    if (m_pending.empty())
        m_timer.stop();
    return taken;
}

QList<AckTable::Callback> AckTable::takeAll()
{
    QList<Callback> taken;
    taken.reserve(qsizetype(m_pending.size()));
    for (auto &entry : m_pending)
        taken.append(std::move(entry.second.callback));
    m_pending.clear();
    m_timer.stop();
    return taken;
}

void AckTable::armTimer()
{
    if (m_pending.empty()) {
        m_timer.stop();
        return;
    }
    auto earliest = m_pending.begin()->second.deadline;
    for (const auto &entry : m_pending)
        earliest = std::min(earliest, entry.second.deadline);
    m_armedFor = earliest;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(earliest - Clock::now());
    m_timer.start(std::max(wait, std::chrono::milliseconds::zero()));
}

void AckTable::onTimerFired()
{
    const auto now = Clock::now();
    QList<Callback> expired;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second.deadline <= now) {
            expired.append(std::move(it->second.callback));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    armTimer();
    if (!expired.isEmpty())
        m_onExpired(std::move(expired));
}

} // namespace parley::transport
