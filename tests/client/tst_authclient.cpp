#include "serverharness.h"
#include "session/authclient.h"

#include <QTest>

using namespace parley::client;
using parley::protocol::ErrorCode;
using parley::server::test::TestServer;

namespace {

std::optional<AuthResult> wait(std::optional<AuthResult> &slot)
{
    (void)QTest::qWaitFor([&] { return slot.has_value(); }, 20000);
    return slot;
}

} // namespace

class TestAuthClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void registerThenLogInThenRefresh()
    {
        TestServer server;
        QVERIFY(server.start());
        AuthClient auth(ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.port()))));

        std::optional<AuthResult> registered;
        auth.registerAccount(QStringLiteral("carol"), QStringLiteral("correct horse"),
            QStringLiteral("Carol"), [&](const AuthResult &result) { registered = result; });
        QVERIFY(wait(registered));
        QVERIFY2(*registered, qPrintable(*registered ? QString() : registered->error().message));
        QCOMPARE((*registered)->user.username, QStringLiteral("carol"));
        QCOMPARE((*registered)->user.displayName, QStringLiteral("Carol"));
        QVERIFY((*registered)->expiresAt > QDateTime::currentDateTimeUtc().addDays(29));
        QCOMPARE(tokenExpiresAt((*registered)->token)->toSecsSinceEpoch(),
            (*registered)->expiresAt.toSecsSinceEpoch());

        std::optional<AuthResult> loggedIn;
        auth.login(QStringLiteral("carol"), QStringLiteral("correct horse"),
            [&](const AuthResult &result) { loggedIn = result; });
        QVERIFY(wait(loggedIn));
        QVERIFY(*loggedIn);
        QCOMPARE((*loggedIn)->user.id, (*registered)->user.id);

        std::optional<AuthResult> wrong;
        auth.login(QStringLiteral("carol"), QStringLiteral("wrong password"),
            [&](const AuthResult &result) { wrong = result; });
        QVERIFY(wait(wrong));
        QVERIFY(!*wrong);
        QCOMPARE(wrong->error().code, ErrorCode::InvalidCredentials);
        QVERIFY(!wrong->error().noAnswer);
        QVERIFY(!wrong->error().message.contains(QStringLiteral("wrong password")));

        std::optional<AuthResult> refreshed;
        auth.refresh((*loggedIn)->token, [&](const AuthResult &result) { refreshed = result; });
        QVERIFY(wait(refreshed));
        QVERIFY(*refreshed);
        QCOMPARE((*refreshed)->user.id, (*registered)->user.id);
    }

    void unreachableServerSaysSo()
    {
        quint16 port = 0;
        {
            TestServer server;
            QVERIFY(server.start());
            port = server.port();
        } // closed again: nothing listens there now
        AuthClient auth(ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port))));
        std::optional<AuthResult> result;
        auth.login(
            QStringLiteral("carol"), QStringLiteral("whatever1"), [&](const AuthResult &r) { result = r; });
        QVERIFY(wait(result));
        QVERIFY(!*result);
        QVERIFY(result->error().noAnswer);
    }

    void serverAddressForms()
    {
        QCOMPARE(ServerAddress(QStringLiteral("chat.example.org")).socketIoUrl(),
            QUrl(QStringLiteral("ws://chat.example.org:7275/socket.io/?EIO=4&transport=websocket")));
        QCOMPARE(ServerAddress(QStringLiteral("https://Chat.Example.org/")).socketIoUrl(),
            QUrl(QStringLiteral("wss://chat.example.org:443/socket.io/?EIO=4&transport=websocket")));
        QCOMPARE(accountKey(ServerAddress(QStringLiteral("http://127.0.0.1:9000")), QStringLiteral("Alice")),
            QStringLiteral("alice@127.0.0.1:9000"));
        QVERIFY(!tokenExpiresAt(QStringLiteral("not.a-token")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestAuthClient)
#include "tst_authclient.moc"
