#include "database.h"

#include "sqlsupport.h"
#include "storelogging.h"

#include <QSqlError>
#include <QThread>
#include <QUuid>

namespace parley::store {

namespace {
const QString InMemoryPath = QStringLiteral(":memory:");
const QString Driver = QStringLiteral("QSQLITE");
} // namespace

Database::Database()
    : m_connectionName(QStringLiteral("parley.store.") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

Database::~Database()
{
    close();
}

StoreResult<Done> Database::open(const QString &path)
{
    if (isOpen())
        return sql::invalidArgument(QStringLiteral("the store is already open"));
    if (path.isEmpty())
        return sql::invalidArgument(QStringLiteral("no database path given"));
    if (!QSqlDatabase::isDriverAvailable(Driver))
        return StoreError {StoreError::Kind::Internal,
            QStringLiteral("the QSQLITE driver is not available (install libqt6sql6-sqlite)")};

    m_db = QSqlDatabase::addDatabase(Driver, m_connectionName);
    m_db.setDatabaseName(path);
    m_inMemory = path == InMemoryPath;
    m_openedOn = QThread::currentThread();
    if (!m_db.open()) {
        const StoreError error = sql::internalError(QStringLiteral("cannot open ") + path, m_db.lastError());
        close();
        return error;
    }
    if (auto applied = applyPragmas(); !applied) {
        close();
        return applied.error();
    }
    qCDebug(lcStore) << "opened" << path << "as" << m_connectionName;
    return Done {};
}

Query::~Query()
{
    if (!m_statement)
        return;
    // Resets the SQLite statement: ends its read snapshot, keeps it prepared.
    m_statement->query.finish();
    m_statement->inUse = false;
}

void Database::close()
{
    if (!m_db.isValid())
        return;
    for (const auto &statement : std::as_const(m_statements))
        statement->query.finish();
    m_statements.clear();
    m_db.close();
    // removeDatabase() needs every handle gone: queries are locals of the
    // repository methods, and this is the last QSqlDatabase copy.
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_openedOn = nullptr;
    m_inMemory = false;
}

bool Database::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

StoreResult<Query> Database::prepare(const QString &sql) const
{
    const auto cached = m_statements.constFind(sql);
    if (cached != m_statements.cend() && !(*cached)->inUse) {
        (*cached)->inUse = true;
        return Query(*cached);
    }

    auto statement = std::make_shared<Query::Statement>();
    statement->query = QSqlQuery(m_db);
    statement->query.setForwardOnly(true);
    if (!statement->query.prepare(sql)) {
        return sql::internalError(
            QStringLiteral("cannot prepare \"") + sql + u'"', statement->query.lastError());
    }
    statement->inUse = true;
    // A statement already in use (a nested run of the same SQL) or one past the
    // cache's size is prepared for this run only.
    if (cached == m_statements.cend() && m_statements.size() < MaxCachedStatements)
        m_statements.insert(sql, statement);
    return Query(std::move(statement));
}

StoreResult<Query> Database::run(const QString &sql, const QVariantList &values) const
{
    if (!isOpen())
        return StoreError {StoreError::Kind::NotOpen, QStringLiteral("the store is not open")};
    Q_ASSERT_X(QThread::currentThread() == m_openedOn, "parley::store::Database::run",
        "a Qt Sql connection must be used on the thread that opened it");

    auto prepared = prepare(sql);
    if (!prepared)
        return prepared.error();
    QSqlQuery &query = prepared->m_statement->query;
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec())
        return sql::internalError(QStringLiteral("cannot execute \"") + sql + u'"', query.lastError());
    return prepared;
}

StoreResult<Done> Database::applyPragmas()
{
    // foreign_keys is per connection and off by default in SQLite.
    if (auto result = run(QStringLiteral("PRAGMA foreign_keys = ON")); !result)
        return result.error();
    if (m_inMemory)
        return Done {};

    // Another connection (a backup, an admin tool) may hold the lock briefly:
    // wait instead of failing at once.
    // PRAGMAs take no bound parameters; the literal is Database::BusyTimeoutMs.
    if (auto result = run(QStringLiteral("PRAGMA busy_timeout = 5000")); !result)
        return result.error();
    // WAL lets readers run while a message is appended; journal_mode answers
    // with the mode now in force, which is not "wal" on a file system without
    // shared memory support. Refuse to run in a mode nobody tested.
    const auto mode = readPragma(QStringLiteral("PRAGMA journal_mode = WAL"));
    if (!mode)
        return mode.error();
    if (mode->toString().compare(QStringLiteral("wal"), Qt::CaseInsensitive) != 0)
        return StoreError {StoreError::Kind::Internal,
            QStringLiteral("SQLite refused WAL mode, journal_mode is ") + mode->toString()};
    // "Acked means durable": with WAL, NORMAL may lose the last commits on power
    // loss; FULL syncs the WAL on every commit.
    if (auto result = run(QStringLiteral("PRAGMA synchronous = FULL")); !result)
        return result.error();
    return Done {};
}

StoreResult<QVariant> Database::readPragma(const QString &statement) const
{
    auto query = run(statement);
    if (!query)
        return query.error();
    if (!query->next())
        return StoreError {StoreError::Kind::Internal, statement + QStringLiteral(" returned no row")};
    return query->value(0);
}

StoreResult<ConnectionSettings> Database::settings() const
{
    ConnectionSettings settings;
    const auto journal = readPragma(QStringLiteral("PRAGMA journal_mode"));
    const auto synchronous = readPragma(QStringLiteral("PRAGMA synchronous"));
    const auto foreignKeys = readPragma(QStringLiteral("PRAGMA foreign_keys"));
    const auto busyTimeout = readPragma(QStringLiteral("PRAGMA busy_timeout"));
    for (const auto *result : {&journal, &synchronous, &foreignKeys, &busyTimeout}) {
        if (!*result)
            return result->error();
    }
    settings.journalMode = journal->toString().toLower();
    settings.synchronous = synchronous->toInt();
    settings.foreignKeys = foreignKeys->toInt() != 0;
    settings.busyTimeoutMs = busyTimeout->toInt();
    return settings;
}

} // namespace parley::store
