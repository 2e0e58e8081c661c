#include "connectionquota.h"

namespace parley::server {

ConnectionQuota::ConnectionQuota(qsizetype perKeyLimit)
    : m_perKeyLimit(perKeyLimit)
{ }

ConnectionQuota::Lease ConnectionQuota::tryAcquire(const QString &key)
{
    qsizetype &count = m_counts->perKey[key];
    if (m_perKeyLimit > 0 && count >= m_perKeyLimit) {
        if (count == 0)
            m_counts->perKey.remove(key);
        return nullptr;
    }
    ++count;
    // The deleter gives the share back; an empty key leaves the table, so addresses
    // that came once leave nothing behind.
    std::weak_ptr<Counts> counts = m_counts;
    return Lease(new char, [counts, key](void *token) {
        delete static_cast<char *>(token);
        if (const auto shared = counts.lock()) {
            auto it = shared->perKey.find(key);
            if (it != shared->perKey.end() && --it.value() <= 0)
                shared->perKey.erase(it);
        }
    });
}

qsizetype ConnectionQuota::count(const QString &key) const
{
    return m_counts->perKey.value(key);
}

qsizetype ConnectionQuota::keyCount() const
{
    return m_counts->perKey.size();
}

} // namespace parley::server
