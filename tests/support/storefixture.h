#pragma once

#include "store/chatstore.h"
#include "storeseeding.h"

#include <QByteArray>
#include <QMetaEnum>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// The store tests' fixture: every test runs twice, on ":memory:" and on a file in a
// fresh QTemporaryDir (the global data rows added by addBackendRows()).
namespace parley::store::test {

template<typename T>
QByteArray failureText(const StoreResult<T> &result)
{
    if (result.ok())
        return {};
    const char *kind = QMetaEnum::fromType<StoreError::Kind>().valueToKey(int(result.error().kind));
    return QByteArray(kind) + ": " + result.error().message.toUtf8();
}

// Call from init(). The store logs a warning only for an unexpected SQL failure,
// so any warning a test does not announce with QTest::ignoreMessage is a bug;
// Qt's own warnings count too (e.g. removeDatabase() on a connection in use).
inline void failOnUnexpectedWarnings()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".")));
}

// Call from initTestCase_data().
inline void addBackendRows()
{
    QTest::addColumn<bool>("onFile");
    QTest::newRow("memory") << false;
    QTest::newRow("file") << true;
}

// One store per test function, opened on the backend of the current global row.
class StoreFixture
{
public:
    // Call from init().
    bool open(bool onFile)
    {
        m_onFile = onFile;
        m_dir = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<ChatStore>();
        return m_store->open(path()).ok();
    }
    // Call from cleanup().
    void reset()
    {
        m_store.reset();
        m_dir.reset();
    }
    // Close and open the same database again (file only: memory does not persist).
    bool reopen()
    {
        m_store = std::make_unique<ChatStore>();
        return m_store->open(path()).ok();
    }

    bool onFile() const { return m_onFile; }
    QString path() const
    {
        return m_onFile ? m_dir->filePath(QStringLiteral("parley.db")) : QStringLiteral(":memory:");
    }
    ChatStore &store() { return *m_store; }

    // A count or other single number read straight from the tables, to check
    // what was stored rather than what a method says it stored. -1 on failure.
    qint64 scalar(const QString &sql, const QVariantList &values = {})
    {
        auto query = m_store->database().run(sql, values);
        if (!query || !query->next())
            return -1;
        return query->value(0).toLongLong();
    }

    QString createUser(const QString &username)
    {
        const auto user = parley::test::seedUser(*m_store, username, username + QStringLiteral(" Display"));
        return user ? user->id : QString();
    }

    QString createChannel(const QString &name, const QString &creatorId, bool isPrivate = false)
    {
        const auto channel = parley::test::seedChannel(*m_store, name, creatorId, isPrivate);
        return channel ? channel->id : QString();
    }

private:
    bool m_onFile = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ChatStore> m_store;
};

} // namespace parley::store::test

// For a check that only a file can make (reopening, a second connection, the WAL): the
// "memory" row returns at once, and the "file" row of the same test runs it. Not a
// skip: nothing is left unchecked, the memory back end just has no such behaviour.
#define PARLEY_FILE_ROW_ONLY()                                                                               \
    do {                                                                                                     \
        QFETCH_GLOBAL(bool, onFile);                                                                         \
        if (!onFile)                                                                                         \
            return;                                                                                          \
    } while (false)

// Passes when `result` holds a value; otherwise fails with the StoreError's kind
// and message. `result` is evaluated once: it is often the call under test.
#define PARLEY_VERIFY_OK(result)                                                                             \
    do {                                                                                                     \
        const auto &parleyResult_ = (result);                                                                \
        QVERIFY2(parleyResult_.ok(), parley::store::test::failureText(parleyResult_).constData());           \
    } while (false)

// Passes when `result` failed with `expectedKind`.
#define PARLEY_VERIFY_ERROR(result, expectedKind)                                                            \
    do {                                                                                                     \
        const auto &parleyResult_ = (result);                                                                \
        QVERIFY2(!parleyResult_.ok(), "expected a failure, got a value");                                    \
        QCOMPARE(parleyResult_.error().kind, expectedKind);                                                  \
    } while (false)
