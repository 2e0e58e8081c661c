#pragma once

#include <QHash>
#include <QString>

#include <memory>

namespace parley::server {

// Counts live connections per client address (clientaddress::limitKey). A connection
// holds a lease from the moment it is accepted until it is destroyed; the count is
// shared, so leases may outlive the quota (connections outlive their listener).
class ConnectionQuota
{
public:
    using Lease = std::shared_ptr<void>;

    explicit ConnectionQuota(qsizetype perKeyLimit); // 0: no limit, only counting

    // A lease, or nullptr when key already holds the limit.
    Lease tryAcquire(const QString &key);
    qsizetype count(const QString &key) const;
    qsizetype keyCount() const; // keys with at least one connection

private:
    struct Counts
    {
        QHash<QString, qsizetype> perKey;
    };
    qsizetype m_perKeyLimit;
    std::shared_ptr<Counts> m_counts = std::make_shared<Counts>();
};

} // namespace parley::server
