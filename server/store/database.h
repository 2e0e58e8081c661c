#pragma once

#include "storeerror.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <memory>

class QThread;

namespace parley::store {

class Database;

// What Database::run returns: the executed statement, to read its rows (and
// lastInsertId) from. Usually it is the connection's cached statement for that
// SQL text; going out of scope resets it (QSqlQuery::finish), so a SELECT read
// only part way keeps no read transaction (a WAL snapshot) open, and the next
// run of the same SQL may use it again. Move-only; read it before the next
// statement that could change what it reports.
class Query
{
public:
    Query(Query &&other) noexcept = default;
    Query &operator=(Query &&other) = delete;
    Query(const Query &) = delete;
    Query &operator=(const Query &) = delete;
    ~Query();

    bool next() { return m_statement->query.next(); }
    QVariant value(int index) const { return m_statement->query.value(index); }
    QVariant lastInsertId() const { return m_statement->query.lastInsertId(); }
    int numRowsAffected() const { return m_statement->query.numRowsAffected(); }
    // For the repositories' row readers, which take a QSqlQuery.
    operator const QSqlQuery &() const { return m_statement->query; }

private:
    friend class Database;
    struct Statement
    {
        QSqlQuery query; // prepared, forward only
        bool inUse = false; // a Query holds it: a nested run of the same SQL prepares its own
    };
    explicit Query(std::shared_ptr<Statement> statement)
        : m_statement(std::move(statement))
    { }

    std::shared_ptr<Statement> m_statement; // null once moved from
};

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

    // Prepares `sql` (once per connection: the statement is cached by its text),
    // binds `values` to its `?` placeholders in order, executes. The only way the
    // repositories touch SQL, so values are always bound. Parsing a statement cost
    // more than running it; SQL text built per call (values inlined) would defeat
    // the cache, hence the bound values.
    StoreResult<Query> run(const QString &sql, const QVariantList &values = {}) const;

    // Beyond this many distinct SQL texts (a dynamic UPDATE's column sets, the
    // migrations' DDL) a statement is prepared for its one run and not kept.
    static constexpr qsizetype MaxCachedStatements = 128;
    qsizetype cachedStatementCount() const { return m_statements.size(); }

    StoreResult<ConnectionSettings> settings() const;
    // The underlying connection, for the migration runner.
    QSqlDatabase connection() const { return m_db; }

private:
    StoreResult<Done> applyPragmas();
    StoreResult<QVariant> readPragma(const QString &statement) const;
    StoreResult<Query> prepare(const QString &sql) const;

    const QString m_connectionName;
    QSqlDatabase m_db;
    QThread *m_openedOn = nullptr;
    bool m_inMemory = false;
    // Prepared statements by SQL text; cleared before the connection closes
    // (removeDatabase() wants no live query left).
    mutable QHash<QString, std::shared_ptr<Query::Statement>> m_statements;
};

} // namespace parley::store
