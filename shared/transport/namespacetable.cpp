#include "namespacetable.h"

namespace parley::transport {

void NamespaceTable::markPending(const QString &nsp)
{
    if (!isPending(nsp))
        m_pending.append(Waiting {nsp, {}});
}

QList<IncomingEvent> NamespaceTable::markConnected(const QString &nsp)
{
    QList<IncomingEvent> buffered;
    if (const auto index = indexOfPending(nsp); index >= 0) {
        buffered = std::move(m_pending[index].buffered);
        m_pending.removeAt(index);
        if (m_pending.isEmpty())
            m_pending = {}; // an idle connection keeps no spare capacity
    }
    if (!m_connected.contains(nsp))
        m_connected.append(nsp);
    return buffered;
}

void NamespaceTable::bufferEvent(IncomingEvent event)
{
    if (const auto index = indexOfPending(event.nsp); index >= 0)
        m_pending[index].buffered.append(std::move(event));
}

bool NamespaceTable::remove(const QString &nsp)
{
    const bool wasConnected = m_connected.removeOne(nsp);
    const auto index = indexOfPending(nsp);
    if (index >= 0)
        m_pending.removeAt(index);
    return wasConnected || index >= 0;
}

void NamespaceTable::clear()
{
    m_connected.clear();
    m_pending.clear();
}

qsizetype NamespaceTable::indexOfPending(const QString &nsp) const
{
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        if (m_pending[i].nsp == nsp)
            return i;
    }
    return -1;
}

} // namespace parley::transport
