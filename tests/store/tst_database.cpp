#include "storefixture.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace parley::store;
using parley::store::test::StoreFixture;

// Database::run keeps each statement prepared by its SQL text: what that cache
// must never change (rows, nesting, errors) and what it must not keep (a read
// snapshot after the Query is gone, a live query when the connection closes).
class TestDatabase : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        QFETCH_GLOBAL(bool, onFile);
        test::failOnUnexpectedWarnings(); // removeDatabase() warns about a query still alive
        QVERIFY(m_fixture.open(onFile));
        QVERIFY(!m_fixture.createUser(QStringLiteral("ann")).isEmpty());
        QVERIFY(!m_fixture.createUser(QStringLiteral("bob")).isEmpty());
        QVERIFY(!m_fixture.createUser(QStringLiteral("cid")).isEmpty());
    }
    void cleanup() { m_fixture.reset(); }

    void sameSqlIsPreparedOnce()
    {
        const Database &database = m_fixture.store().database();
        const QString sql = QStringLiteral("SELECT username FROM users WHERE username_key = ?");
        QVERIFY(database.run(sql, {QStringLiteral("ann")}));
        const qsizetype cached = database.cachedStatementCount();
        for (const QString &name : {QStringLiteral("bob"), QStringLiteral("cid"), QStringLiteral("ann")}) {
            auto query = database.run(sql, {name});
            PARLEY_VERIFY_OK(query);
            QVERIFY(query->next());
            QCOMPARE(query->value(0).toString(), name); // this run's value, not the last one's
            QVERIFY(!query->next());
        }
        QCOMPARE(database.cachedStatementCount(), cached);
    }

    void nestedRunOfTheSameSqlReadsItsOwnRows()
    {
        const Database &database = m_fixture.store().database();
        const QString sql = QStringLiteral("SELECT username FROM users WHERE id >= ? ORDER BY id");
        auto outer = database.run(sql, {1});
        PARLEY_VERIFY_OK(outer);
        QVERIFY(outer->next());
        QCOMPARE(outer->value(0).toString(), QStringLiteral("ann"));
        {
            // The cached statement is busy with `outer`: this one must not reset it.
            auto inner = database.run(sql, {3});
            PARLEY_VERIFY_OK(inner);
            QVERIFY(inner->next());
            QCOMPARE(inner->value(0).toString(), QStringLiteral("cid"));
            QVERIFY(!inner->next());
        }
        QVERIFY(outer->next());
        QCOMPARE(outer->value(0).toString(), QStringLiteral("bob"));
        QVERIFY(outer->next());
        QCOMPARE(outer->value(0).toString(), QStringLiteral("cid"));
        QVERIFY(!outer->next());
    }

    void failedRunLeavesTheStatementUsable()
    {
        const Database &database = m_fixture.store().database();
        const QString insert = QStringLiteral("INSERT INTO users (username, username_key, display_name,"
                                              " created_at) VALUES (?, ?, ?, 0)");
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("UNIQUE constraint failed")));
        PARLEY_VERIFY_ERROR(
            database.run(insert, {QStringLiteral("Ann"), QStringLiteral("ann"), QStringLiteral("Twin")}),
            StoreError::Kind::Internal);
        auto inserted =
            database.run(insert, {QStringLiteral("dee"), QStringLiteral("dee"), QStringLiteral("Dee")});
        PARLEY_VERIFY_OK(inserted);
        QVERIFY(inserted->lastInsertId().toLongLong() > 3);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 4);
    }

    void partlyReadQueryKeepsNoSnapshotOnceGone()
    {
        PARLEY_FILE_ROW_ONLY();
        const Database &database = m_fixture.store().database();
        const QString sql = QStringLiteral("SELECT username FROM users ORDER BY id");
        // A second connection writes and checkpoints: a TRUNCATE checkpoint
        // reports busy while any reader still holds an older snapshot.
        const QString name = QUuid::createUuid().toString(QUuid::WithoutBraces);
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            other.setDatabaseName(m_fixture.path());
            QVERIFY(other.open());
            QSqlQuery write(other);
            const auto checkpointBusy = [&other] {
                QSqlQuery checkpoint(other);
                if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) || !checkpoint.next())
                    return -1;
                return checkpoint.value(0).toInt();
            };
            {
                auto partly = database.run(sql);
                PARLEY_VERIFY_OK(partly);
                QVERIFY(partly->next()); // one row of three: the statement stays open
                QVERIFY(write.exec(QStringLiteral("UPDATE users SET display_name = 'Ann' WHERE id = 1")));
                QCOMPARE(checkpointBusy(), 1); // the snapshot is held: the test can see it
            }
            QVERIFY(write.exec(QStringLiteral("UPDATE users SET display_name = 'Bob' WHERE id = 2")));
            QCOMPARE(checkpointBusy(), 0);
            // The statement is still cached, and reads what the other connection wrote.
            auto again = database.run(QStringLiteral("SELECT display_name FROM users WHERE id = ?"), {2});
            PARLEY_VERIFY_OK(again);
            QVERIFY(again->next());
            QCOMPARE(again->value(0).toString(), QStringLiteral("Bob"));
        }
        QSqlDatabase::removeDatabase(name);
    }

    void closeDropsTheCache()
    {
        const Database &database = m_fixture.store().database();
        QVERIFY(database.cachedStatementCount() > 0);
        const QString connection = database.connectionName();
        m_fixture.store().close(); // failOnWarning: no "connection is still in use"
        QCOMPARE(database.cachedStatementCount(), 0);
        QVERIFY(!QSqlDatabase::contains(connection));
        PARLEY_VERIFY_ERROR(database.run(QStringLiteral("SELECT 1")), StoreError::Kind::NotOpen);
    }

    void cacheStopsGrowingAtItsLimit()
    {
        const Database &database = m_fixture.store().database();
        const qsizetype extra = 5;
        for (qsizetype i = 0; i < Database::MaxCachedStatements + extra; ++i) {
            auto query = database.run(QStringLiteral("SELECT %1 + ?").arg(i), {1});
            PARLEY_VERIFY_OK(query);
            QVERIFY(query->next());
            QCOMPARE(query->value(0).toLongLong(), i + 1);
        }
        QCOMPARE(database.cachedStatementCount(), Database::MaxCachedStatements);
    }

private:
    StoreFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
