// Against the real Secret Service. Run inside
//   dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; ctest -L
//   keychain'
// (CI runs every test that way).
#include "session/keychaintokenstore.h"

#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace parley::client;

namespace {

parley::protocol::Result<QString, TokenStoreError> readBack(KeychainTokenStore &store, const QString &key)
{
    std::optional<parley::protocol::Result<QString, TokenStoreError>> answer;
    store.readToken(key, [&](const auto &result) { answer = result; });
    (void)QTest::qWaitFor([&] { return answer.has_value(); }, 10000);
    return answer.value_or(TokenStoreError {TokenStoreError::Kind::Other, QStringLiteral("no answer")});
}

std::optional<TokenStoreError> finish(
    const std::function<void(TokenStore::DoneCallback)> &call, bool *answered)
{
    std::optional<TokenStoreError> error;
    *answered = false;
    call([&](const std::optional<TokenStoreError> &e) {
        error = e;
        *answered = true;
    });
    (void)QTest::qWaitFor([&] { return *answered; }, 10000);
    return error;
}

} // namespace

class TestKeychainTokenStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripAndLogOut()
    {
        KeychainTokenStore store;
        const QString key =
            QStringLiteral("test-%1@127.0.0.1:7275").arg(QUuid::createUuid().toString(QUuid::Id128));
        const QString token = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl");
        bool answered = false;
        auto error = finish([&](auto done) { store.writeToken(key, token, done); }, &answered);
        QVERIFY(answered);
        if (error && error->kind == TokenStoreError::Kind::NoSecretService)
            QFAIL(qPrintable(
                QStringLiteral("no keyring: run inside dbus-run-session with gnome-keyring unlocked: ") +
                error->message));
        QVERIFY2(!error, qPrintable(error ? error->message : QString()));

        const auto read = readBack(store, key);
        QVERIFY2(read, qPrintable(read ? QString() : read.error().message));
        QCOMPARE(*read, token);

        error = finish([&](auto done) { store.deleteToken(key, done); }, &answered);
        QVERIFY(answered);
        QVERIFY(!error);
        const auto gone = readBack(store, key);
        QVERIFY(!gone);
        QCOMPARE(gone.error().kind, TokenStoreError::Kind::NotFound);
        // Deleting again is no error: the wanted state (no token) holds.
        error = finish([&](auto done) { store.deleteToken(key, done); }, &answered);
        QVERIFY(answered);
        QVERIFY(!error);
    }

    // The same store with no Secret Service reachable (in a child process, since
    // this one's D-Bus connection is already made): a clear NoSecretService error,
    // and no plain-text copy anywhere under HOME.
    void withoutSecretServiceNothingIsStored()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PARLEY_KEYCHAIN_CHILD"), QStringLiteral("1"));
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
            QStringLiteral("unix:path=") + home.filePath(QStringLiteral("no-bus")));
        env.remove(QStringLiteral("DISPLAY"));
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("childWithoutSecretService")});
        QVERIFY(child.waitForFinished(30000));
        const QByteArray output = child.readAll();
        QVERIFY2(child.exitCode() == 0, output.constData());
        QVERIFY2(output.contains("PASS   : TestKeychainTokenStore::childWithoutSecretService()"),
            output.constData());
        QDirIterator files(home.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile file(files.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("plain-text-must-not-appear"), qPrintable(file.fileName()));
        }
    }

    void childWithoutSecretService()
    {
        // The case of the child process that withoutSecretServiceNothingIsStored starts (and
        // whose PASS line it checks); in the parent there is nothing here to run. Not a QSKIP:
        // that would show the whole keyring test as skipped.
        if (!qEnvironmentVariableIsSet("PARLEY_KEYCHAIN_CHILD"))
            return;
        KeychainTokenStore store;
        bool answered = false;
        const auto error = finish(
            [&](auto done) {
                store.writeToken(
                    QStringLiteral("child@127.0.0.1:1"), QStringLiteral("plain-text-must-not-appear"), done);
            },
            &answered);
        QVERIFY(answered);
        QVERIFY(error.has_value());
        QCOMPARE(error->kind, TokenStoreError::Kind::NoSecretService);
        QVERIFY(error->message.contains(QStringLiteral("keyring")));
        const auto read = readBack(store, QStringLiteral("child@127.0.0.1:1"));
        QVERIFY(!read);
        QCOMPARE(read.error().kind, TokenStoreError::Kind::NoSecretService);
    }
};

QTEST_GUILESS_MAIN(TestKeychainTokenStore)
#include "tst_keychaintokenstore.moc"
