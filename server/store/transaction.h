#pragma once

#include "storeerror.h"

namespace parley::store {

class Database;

// A write transaction that rolls back unless commit() succeeds, so an early
// `return error;` can never leave half a change behind.
//
// BEGIN IMMEDIATE takes the write lock up front: the read-then-write steps
// inside (next seq, duplicate check) cannot interleave with another writer,
// and a busy database shows up at begin(), where busy_timeout waits for it.
class Transaction
{
public:
    static StoreResult<Transaction> begin(const Database &database);

    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&) = delete;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();

    StoreResult<Done> commit();

private:
    explicit Transaction(const Database *database)
        : m_database(database)
    { }

    const Database *m_database; // null once committed, rolled back or moved from
};

} // namespace parley::store
