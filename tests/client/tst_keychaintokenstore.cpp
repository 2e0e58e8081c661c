// Against the real Secret Service. Run inside
//   dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; ctest -L
//   keychain'
// (CI runs every test that way).
#include "session/keychaintokenstore.h"

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
};

QTEST_GUILESS_MAIN(TestKeychainTokenStore)
#include "tst_keychaintokenstore.moc"
