#include "store/migrations.h"
#include "storefixture.h"

#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QTest>
#include <QThread>

using namespace parley::store;
using parley::store::test::StoreFixture;

Q_DECLARE_METATYPE(parley::store::Migration)

// Opening, pragmas, migrations and closing: the lifecycle of ChatStore and its
// Database, on ":memory:" and on a file.
class TestChatStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        QFETCH_GLOBAL(bool, onFile);
        test::failOnUnexpectedWarnings();
        QVERIFY(m_fixture.open(onFile));
    }
    void cleanup() { m_fixture.reset(); }

    void freshDatabaseIsAtLatestVersion()
    {
        const auto version = m_fixture.store().schemaVersion();
        PARLEY_VERIFY_OK(version);
        QCOMPARE(*version, ChatStore::latestSchemaVersion());
        QCOMPARE(qsizetype(*version), schemaMigrations().size());
        for (const char *table : {"users", "channels", "memberships", "messages"})
            QCOMPARE(
                m_fixture.scalar(
                    QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"),
                    {QString::fromLatin1(table)}),
                1);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
                                                 " AND name = 'messages_by_channel_seq'")),
            1);
    }

    void pragmasAreInForce()
    {
        const auto settings = m_fixture.store().connectionSettings();
        PARLEY_VERIFY_OK(settings);
        QVERIFY(settings->foreignKeys);
        if (m_fixture.onFile()) {
            QCOMPARE(settings->journalMode, QStringLiteral("wal"));
            QCOMPARE(settings->synchronous, 2); // FULL
            QCOMPARE(settings->busyTimeoutMs, Database::BusyTimeoutMs);
            // WAL really is the journal: the write-ahead file sits beside the database.
            QVERIFY(QFile::exists(m_fixture.path() + QStringLiteral("-wal")));
        } else {
            QCOMPARE(settings->journalMode, QStringLiteral("memory"));
        }
    }

    void foreignKeysAreEnforced()
    {
        // An SQL failure nobody expected is logged, and still returned.
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("FOREIGN KEY constraint failed")));
        const auto inserted = m_fixture.store().database().run(
            QStringLiteral("INSERT INTO memberships (channel_id, user_id, joined_at) VALUES (404, 404, 0)"));
        PARLEY_VERIFY_ERROR(inserted, StoreError::Kind::Internal);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM memberships")), 0);
    }

    void reopeningKeepsData()
    {
        PARLEY_FILE_ROW_ONLY();
        const QString alice = m_fixture.createUser(QStringLiteral("alice"));
        const QString general = m_fixture.createChannel(QStringLiteral("general"), alice);
        PARLEY_VERIFY_OK(m_fixture.store().messages().appendMessage(general, alice, QStringLiteral("hi")));

        QVERIFY(m_fixture.reopen());

        const auto version = m_fixture.store().schemaVersion();
        PARLEY_VERIFY_OK(version);
        QCOMPARE(*version, ChatStore::latestSchemaVersion());
        const auto user = m_fixture.store().users().userByUsername(QStringLiteral("alice"));
        PARLEY_VERIFY_OK(user);
        QCOMPARE(user->user.id, alice);
        const auto history = m_fixture.store().messages().history(general, {}, {}, 10);
        PARLEY_VERIFY_OK(history);
        QCOMPARE(history->messages.size(), 1);
        QCOMPARE(history->messages.first().content, QStringLiteral("hi"));
    }

    void closeRemovesTheConnection()
    {
        const QString name = m_fixture.store().database().connectionName();
        QVERIFY(QSqlDatabase::contains(name));
        m_fixture.store().close();
        QVERIFY(!m_fixture.store().isOpen());
        QVERIFY(!QSqlDatabase::contains(name));

        const auto user = m_fixture.store().users().userById(QStringLiteral("1"));
        PARLEY_VERIFY_ERROR(user, StoreError::Kind::NotOpen);
        const auto appended = m_fixture.store().messages().appendMessage(
            QStringLiteral("1"), QStringLiteral("1"), QStringLiteral("x"));
        PARLEY_VERIFY_ERROR(appended, StoreError::Kind::NotOpen);
    }

    void storesHaveSeparateConnections()
    {
        ChatStore other;
        PARLEY_VERIFY_OK(other.open(QStringLiteral(":memory:")));
        QVERIFY(other.database().connectionName() != m_fixture.store().database().connectionName());

        QVERIFY(!m_fixture.createUser(QStringLiteral("alice")).isEmpty());
        const auto inOther = other.users().userByUsername(QStringLiteral("alice"));
        PARLEY_VERIFY_ERROR(inOther, StoreError::Kind::NotFound);
        // Closing one leaves the other working.
        other.close();
        PARLEY_VERIFY_OK(m_fixture.store().users().userByUsername(QStringLiteral("alice")));
    }

    void openingTwiceIsRefused()
    {
        const auto again = m_fixture.store().open(m_fixture.path());
        PARLEY_VERIFY_ERROR(again, StoreError::Kind::InvalidArgument);
        QVERIFY(m_fixture.store().isOpen());
    }

    void openFailuresAreReturned_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("fileContent"); // written to `path` first when not empty
        QTest::addColumn<StoreError::Kind>("expectedKind");
        QTest::addColumn<QString>("expectedWarning"); // a regular expression; empty: none
        QTest::newRow("empty path") << QString() << QByteArray() << StoreError::Kind::InvalidArgument
                                    << QString();
        QTest::newRow("missing directory") << QStringLiteral("no/such/dir/parley.db") << QByteArray()
                                           << StoreError::Kind::Internal << QStringLiteral("cannot open");
        QTest::newRow("not a database")
            << QStringLiteral("garbage.db") << QByteArray("this is not an SQLite file\n").repeated(200)
            << StoreError::Kind::Internal << QStringLiteral("not a database");
    }
    void openFailuresAreReturned()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, fileContent);
        QFETCH(StoreError::Kind, expectedKind);
        QFETCH(QString, expectedWarning);
        if (!expectedWarning.isEmpty())
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(expectedWarning));
        QTemporaryDir dir;
        const QString fullPath = path.isEmpty() ? path : dir.filePath(path);
        if (!fileContent.isEmpty()) {
            QFile file(fullPath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(fileContent);
        }
        ChatStore store;
        const auto opened = store.open(fullPath);
        PARLEY_VERIFY_ERROR(opened, expectedKind);
        QVERIFY(!opened.error().message.isEmpty());
        QVERIFY(!store.isOpen());
        // A failed open leaves no connection behind and the store can try again.
        PARLEY_VERIFY_OK(store.open(QStringLiteral(":memory:")));
    }

    void newerSchemaIsRefused()
    {
        PARLEY_FILE_ROW_ONLY();
        PARLEY_VERIFY_OK(m_fixture.store().database().run(QStringLiteral("PRAGMA user_version = 99")));
        m_fixture.store().close();

        ChatStore store;
        const auto opened = store.open(m_fixture.path());
        PARLEY_VERIFY_ERROR(opened, StoreError::Kind::Internal);
        QVERIFY2(
            opened.error().message.contains(QStringLiteral("newer")), qPrintable(opened.error().message));
        QVERIFY(!store.isOpen());
    }

    void version1DatabaseIsMigratedForward()
    {
        PARLEY_FILE_ROW_ONLY();
        m_fixture.reset();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.db"));
        {
            Database old;
            PARLEY_VERIFY_OK(old.open(path));
            const auto version = migrate(old, {schemaMigrations().first()});
            PARLEY_VERIFY_OK(version);
            QCOMPARE(*version, 1);
            PARLEY_VERIFY_OK(old.run(QStringLiteral("INSERT INTO users (username, username_key, display_name,"
                                                    " created_at) VALUES ('old', 'old', 'Old Timer', 0)")));
        }
        ChatStore store;
        PARLEY_VERIFY_OK(store.open(path));
        const auto version = store.schemaVersion();
        PARLEY_VERIFY_OK(version);
        QCOMPARE(*version, ChatStore::latestSchemaVersion());
        const auto user = store.users().userByUsername(QStringLiteral("OLD"));
        PARLEY_VERIFY_OK(user);
        QCOMPARE(user->user.displayName, QStringLiteral("Old Timer"));
        QCOMPARE(user->tokenVersion, 1);
        QVERIFY(!user->external.has_value());
    }

    void failingMigrationRollsBack_data()
    {
        QTest::addColumn<Migration>("broken");
        QTest::addColumn<bool>("sqlFails"); // and is logged
        QTest::newRow("bad statement")
            << Migration {2,
                   {QStringLiteral("CREATE TABLE half_done (x INTEGER)"), QStringLiteral("THIS IS NOT SQL"),
                       QStringLiteral("PRAGMA user_version = 2")}}
            << true;
        QTest::newRow("forgets user_version")
            << Migration {2, {QStringLiteral("CREATE TABLE half_done (x INTEGER)")}} << false;
        QTest::newRow("skips a number") << Migration {3,
                                               {QStringLiteral("CREATE TABLE half_done (x INTEGER)"),
                                                   QStringLiteral("PRAGMA user_version = 3")}}
                                        << false;
    }
    void failingMigrationRollsBack()
    {
        QFETCH(Migration, broken);
        QFETCH(bool, sqlFails);
        if (sqlFails)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("THIS IS NOT SQL")));
        Database database;
        PARLEY_VERIFY_OK(database.open(
            m_fixture.onFile() ? m_fixture.path() + QStringLiteral(".raw") : QStringLiteral(":memory:")));
        const auto migrated = migrate(database, {schemaMigrations().first(), broken});
        PARLEY_VERIFY_ERROR(migrated, StoreError::Kind::Internal);

        const auto version = readSchemaVersion(database);
        PARLEY_VERIFY_OK(version);
        QCOMPARE(*version, 1); // the good step stays, the broken one left nothing
        auto halfDone =
            database.run(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"));
        PARLEY_VERIFY_OK(halfDone);
        QVERIFY(halfDone->next());
        QCOMPARE(halfDone->value(0).toInt(), 0);
    }

    void storeWorksOnItsOwnThread()
    {
        // What a worker thread will do: create, open, use and close on that thread.
        bool opened = false;
        qint64 seq = 0;
        QThread *worker = QThread::create([&] {
            ChatStore store;
            opened =
                store.open(m_fixture.path() + (m_fixture.onFile() ? QStringLiteral(".worker") : QString()))
                    .ok();
            const auto user = store.users().createUser({QStringLiteral("worker"), {}, {}, {}});
            if (!user)
                return;
            const auto channel =
                store.channels().createChannel({QStringLiteral("jobs"), {}, false, user->user.id});
            if (!channel)
                return;
            const auto message =
                store.messages().appendMessage(channel->id, user->user.id, QStringLiteral("done"));
            if (message)
                seq = message->message.seq;
        });
        worker->start();
        QVERIFY(worker->wait(10000));
        delete worker;
        QVERIFY(opened);
        QCOMPARE(seq, 1);
    }

private:
    StoreFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestChatStore)
#include "tst_chatstore.moc"
