#pragma once

#include "storeerror.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

class QThread;

namespace parley::store {

// The pragmas in force on the connection, read back from SQLite (not what was asked for).
struct ConnectionSettings
{
    QString journalMode; // "wal" on a file, "memory" for :memory:
    int synchronous = -1; // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    bool foreignKeys = false;
    int busyTimeoutMs = 0;
};

// One SQLite connection under a connection name of its own, so several stores
// (tests, a future worker thread) never share or clobber one. Qt Sql ties a
// connection to the thread that opened it: open, use and close it on one thread.
class Database
{
public:
    static constexpr int BusyTimeoutMs = 5000;

    Database();
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // A file path or ":memory:". On a file: WAL, synchronous=FULL, busy timeout.
    // Always foreign keys. Does not migrate (ChatStore does).
    StoreResult<Done> open(const QString &path);
    void close();
    bool isOpen() const;
    bool isInMemory() const { return m_inMemory; }
    QString connectionName() const { return m_connectionName; }

    // Prepares `sql`, binds `values` to its `?` placeholders in order, executes.
    // The only way the repositories touch SQL, so values are always bound.
    StoreResult<QSqlQuery> run(const QString &sql, const QVariantList &values = {}) const;

    StoreResult<ConnectionSettings> settings() const;
    // The underlying connection, for the migration runner.
    QSqlDatabase connection() const { return m_db; }

private:
    StoreResult<Done> applyPragmas();
    StoreResult<QVariant> readPragma(const QString &statement) const;

    const QString m_connectionName;
    QSqlDatabase m_db;
    QThread *m_openedOn = nullptr;
    bool m_inMemory = false;
};

} // namespace parley::store
