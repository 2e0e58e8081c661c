#include "transaction.h"

#include "database.h"
#include "storelogging.h"

namespace parley::store {

StoreResult<Transaction> Transaction::begin(const Database &database)
{
    if (auto begun = database.run(QStringLiteral("BEGIN IMMEDIATE")); !begun)
        return begun.error();
    return Transaction(&database);
}

Transaction::Transaction(Transaction &&other) noexcept
    : m_database(std::exchange(other.m_database, nullptr))
{ }

Transaction::~Transaction()
{
    if (!m_database)
        return;
    // The caller already returns the error that brought us here; a failed
    // rollback is only worth a log line (SQLite rolls back on close anyway).
    if (auto rolledBack = m_database->run(QStringLiteral("ROLLBACK")); !rolledBack)
        qCWarning(lcStore) << "rollback failed:" << rolledBack.error().message;
}

StoreResult<Done> Transaction::commit()
{
    Q_ASSERT(m_database);
    auto committed = m_database->run(QStringLiteral("COMMIT"));
    if (!committed)
        return committed.error(); // the destructor rolls back what is left
    m_database = nullptr;
    return Done {};
}

} // namespace parley::store
