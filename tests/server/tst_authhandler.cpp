#include "auth/passwordhasher.h"
#include "protocol/catalogue.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;
using namespace std::chrono_literals;

namespace {

const QString Auth = QStringLiteral("/auth");
const QString Register = protocol::event::AuthRegister;
const QString Login = protocol::event::AuthLogin;
const QString Refresh = protocol::event::AuthRefresh;
const QString Logout = protocol::event::AuthLogout;
const QString ChangePassword = protocol::event::AuthChangePassword;

// Most tests send more than ten /auth attempts from 127.0.0.1; only the rate
// test runs with the contract's default of 10 per minute.
ServerConfig generousLimits()
{
    ServerConfig config;
    config.limits.authPerMinute = 10000;
    return config;
}

QJsonObject credentials(const QString &username, const QString &password)
{
    return {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}};
}

QJsonObject tokenPayload(const QString &token)
{
    return {{QStringLiteral("token"), token}};
}

QString field(const std::optional<QJsonObject> &ack, const QString &name)
{
    return ack ? ack->value(name).toString() : QString();
}

QString refusalCode(const TestClient &client)
{
    return client.refusal()
        .toObject()
        .value(QStringLiteral("data"))
        .toObject()
        .value(QStringLiteral("code"))
        .toString();
}

QString closingCode(const TestClient &client)
{
    const auto closing = client.eventsNamed(protocol::event::ConnectionClosing);
    return closing.isEmpty() ? QString()
                             : closing.last().payload.toObject().value(QStringLiteral("code")).toString();
}

// A user whose password is stored the way auth:register stores it (one hash, on
// the test's thread, outside the server's event loop).
protocol::User createUserWithPassword(TestServer &server, const QString &username, const QByteArray &password)
{
    const auto hash = auth::PasswordHasher().hashNow(password);
    if (!hash)
        return {};
    const auto account =
        server.server().store().users().createUser({username, username, QString::fromLatin1(*hash), {}});
    return account ? account->user : protocol::User {};
}

std::optional<QJsonObject> firstArgument(const transport::AckReply &reply)
{
    if (reply.timedOut || reply.args.isEmpty())
        return std::nullopt;
    return reply.args.first().toObject();
}

qsizetype userCount(TestServer &server)
{
    const auto users = server.server().store().users().listUsers();
    return users ? users->size() : -1;
}

} // namespace

class TestAuthHandler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void registerGivesATokenThatConnects();
    void registerStoresAnArgon2idHash();
    void registerAcceptsTheBoundaries();
    void registerRejectsInvalidPayloads_data();
    void registerRejectsInvalidPayloads();
    void usernameTakenIgnoresCase();
    void registrationClosed();
    void loginGoodBadUnknownDisabled();
    void loginRejectsInvalidPayloads_data();
    void loginRejectsInvalidPayloads();
    void refreshGoodGarbageExpiredRevoked();
    void eleventhAttemptIsRateLimitedBeforeAnyHash();
    void logoutClosesEverySessionOfThatUserOnly();
    void logoutFromTheSameSocketIsAckedBeforeTheClose();
    void changePasswordChecksTheOldOneAndClosesSessions();
    void changePasswordRejectsInvalidPayloads();
    void hashingDoesNotStallOtherConnections();

private:
    std::unique_ptr<TestServer> startServer(ServerConfig config = generousLimits());
};

std::unique_ptr<TestServer> TestAuthHandler::startServer(ServerConfig config)
{
    auto server = std::make_unique<TestServer>(TestServer::Storage::Memory, std::move(config));
    if (!server->start())
        return nullptr;
    return server;
}

void TestAuthHandler::registerGivesATokenThatConnects()
{
    auto server = startServer();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());

    const QDateTime before = QDateTime::currentDateTimeUtc();
    const auto ack = client.request(Auth, Register,
        QJsonObject {{QStringLiteral("username"), QStringLiteral("Alice.B-1_")},
            {QStringLiteral("password"), QStringLiteral("correct horse")},
            {QStringLiteral("displayName"), QStringLiteral("Alice B")}});
    QVERIFY2(isSuccess(ack), ack ? QJsonDocument(*ack).toJson().constData() : "no ack");
    const QJsonObject user = ack->value(QStringLiteral("user")).toObject();
    QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("alice.b-1_")); // lower-cased
    QCOMPARE(user.value(QStringLiteral("displayName")).toString(), QStringLiteral("Alice B"));
    QVERIFY(!user.value(QStringLiteral("id")).toString().isEmpty());
    const QDateTime expiresAt = protocol::parseTimestamp(field(ack, QStringLiteral("expiresAt")));
    QVERIFY(expiresAt.isValid());
    QVERIFY(expiresAt >= before.addDays(30).addSecs(-5) && expiresAt <= before.addDays(30).addSecs(60));

    TestClient main(server->url());
    const auto ready = main.connectMain(field(ack, QStringLiteral("token")));
    QVERIFY(ready);
    QCOMPARE(ready->value(QStringLiteral("user")).toObject(), user);

    // Without a displayName, the username is the display name.
    const auto plain =
        client.request(Auth, Register, credentials(QStringLiteral("bob"), QStringLiteral("password1")));
    QVERIFY(isSuccess(plain));
    QCOMPARE(plain->value(QStringLiteral("user")).toObject().value(QStringLiteral("displayName")).toString(),
        QStringLiteral("bob"));
}

void TestAuthHandler::registerStoresAnArgon2idHash()
{
    auto server = startServer();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    QVERIFY(isSuccess(
        client.request(Auth, Register, credentials(QStringLiteral("alice"), QStringLiteral("password1")))));

    const auto account = server->server().store().users().userByUsername(QStringLiteral("alice"));
    QVERIFY(account);
    const QString stored = account->passwordHash;
    const QRegularExpression format(
        QStringLiteral(R"(^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$)"));
    const QRegularExpressionMatch match = format.match(stored);
    QVERIFY2(match.hasMatch(), qPrintable(stored.left(40)));
    QVERIFY(match.captured(1).toInt() >= 19456);
    QVERIFY(match.captured(2).toInt() >= 2);
    QVERIFY(!stored.contains(QStringLiteral("password1")));
    QVERIFY(auth::PasswordHasher::verifyNow("password1", stored.toLatin1()));
}

void TestAuthHandler::registerAcceptsTheBoundaries()
{
    auto server = startServer();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    const auto shortest = client.request(Auth, Register,
        QJsonObject {{QStringLiteral("username"), QStringLiteral("ab")},
            {QStringLiteral("password"), QStringLiteral("12345678")},
            {QStringLiteral("displayName"), QString(64, QLatin1Char('d'))}});
    QVERIFY(isSuccess(shortest));
    // 1,024 bytes of UTF-8 in 512 characters.
    const auto longest = client.request(
        Auth, Register, credentials(QString(32, QLatin1Char('z')), QString(512, QChar(0x00e9))));
    QVERIFY(isSuccess(longest));
    QCOMPARE(userCount(*server), 2);
}

void TestAuthHandler::registerRejectsInvalidPayloads_data()
{
    QTest::addColumn<QJsonValue>("payload");
    const auto with = [](const QString &username, const QJsonValue &password) {
        return QJsonObject {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}};
    };
    const QString password = QStringLiteral("password1");
    QTest::newRow("not an object") << QJsonValue(QStringLiteral("alice"));
    QTest::newRow("empty object") << QJsonValue(QJsonObject {});
    QTest::newRow("no password") << QJsonValue(
        QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")}});
    QTest::newRow("no username") << QJsonValue(QJsonObject {{QStringLiteral("password"), password}});
    QTest::newRow("username a number")
        << QJsonValue(QJsonObject {{QStringLiteral("username"), 42}, {QStringLiteral("password"), password}});
    QTest::newRow("password a number") << QJsonValue(with(QStringLiteral("alice"), 12345678));
    QTest::newRow("username of 1") << QJsonValue(with(QStringLiteral("a"), password));
    QTest::newRow("username of 33") << QJsonValue(with(QString(33, QLatin1Char('a')), password));
    QTest::newRow("username with a space") << QJsonValue(with(QStringLiteral("al ice"), password));
    QTest::newRow("username with @") << QJsonValue(with(QStringLiteral("alice@home"), password));
    QTest::newRow("username non-ASCII") << QJsonValue(with(QStringLiteral("b\u00e9a"), password));
    QTest::newRow("username Kelvin sign") << QJsonValue(with(QStringLiteral("\u212aim"), password));
    QTest::newRow("password of 7 bytes")
        << QJsonValue(with(QStringLiteral("alice"), QStringLiteral("1234567")));
    QTest::newRow("password of 1025 bytes")
        << QJsonValue(with(QStringLiteral("alice"), QString(1025, QLatin1Char('p'))));
    // 513 characters, but 1,026 bytes of UTF-8: the limit is in bytes.
    QTest::newRow("password of 513 two-byte characters")
        << QJsonValue(with(QStringLiteral("alice"), QString(513, QChar(0x00e9))));
    QJsonObject longName = with(QStringLiteral("alice"), password);
    longName.insert(QStringLiteral("displayName"), QString(65, QLatin1Char('d')));
    QTest::newRow("displayName of 65") << QJsonValue(longName);
    QJsonObject numberName = with(QStringLiteral("alice"), password);
    numberName.insert(QStringLiteral("displayName"), 7);
    QTest::newRow("displayName a number") << QJsonValue(numberName);
}

void TestAuthHandler::registerRejectsInvalidPayloads()
{
    QFETCH(QJsonValue, payload);
    auto server = startServer();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    const auto ack = client.request(Auth, Register, payload);
    QCOMPARE(errorCode(ack), QStringLiteral("INVALID_PAYLOAD"));
    QVERIFY(!ack->value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString()
                 .isEmpty());
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore);
    QCOMPARE(userCount(*server), 0);
    // Acks only on /auth: no error event.
    QVERIFY(client.events().isEmpty());
}

void TestAuthHandler::usernameTakenIgnoresCase()
{
    auto server = startServer();
    QVERIFY(server);
    server->createUser(QStringLiteral("alice"));
    TestClient client(server->url());
    QVERIFY(client.connectAuth());

    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    QCOMPARE(errorCode(client.request(
                 Auth, Register, credentials(QStringLiteral("ALICE"), QStringLiteral("password1")))),
        QStringLiteral("USERNAME_TAKEN"));
    QCOMPARE(errorCode(client.request(
                 Auth, Register, credentials(QStringLiteral("alice"), QStringLiteral("password1")))),
        QStringLiteral("USERNAME_TAKEN"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore); // refused before hashing

    QVERIFY(isSuccess(
        client.request(Auth, Register, credentials(QStringLiteral("Bob"), QStringLiteral("password1")))));
    QCOMPARE(errorCode(client.request(
                 Auth, Register, credentials(QStringLiteral("bOB"), QStringLiteral("password2")))),
        QStringLiteral("USERNAME_TAKEN"));
    QCOMPARE(userCount(*server), 2);
}

void TestAuthHandler::registrationClosed()
{
    ServerConfig config = generousLimits();
    config.registrationOpen = false;
    auto server = startServer(config);
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    QCOMPARE(errorCode(client.request(
                 Auth, Register, credentials(QStringLiteral("alice"), QStringLiteral("password1")))),
        QStringLiteral("REGISTRATION_CLOSED"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore);
    QCOMPARE(userCount(*server), 0);

    // Existing accounts still sign in.
    createUserWithPassword(*server, QStringLiteral("bob"), "password1");
    QVERIFY(isSuccess(
        client.request(Auth, Login, credentials(QStringLiteral("bob"), QStringLiteral("password1")))));
}

void TestAuthHandler::loginGoodBadUnknownDisabled()
{
    auto server = startServer();
    QVERIFY(server);
    const protocol::User alice = createUserWithPassword(*server, QStringLiteral("alice"), "password1");
    const protocol::User carol = createUserWithPassword(*server, QStringLiteral("carol"), "password3");
    QVERIFY(server->server().store().users().disableUser(carol.id));
    TestClient client(server->url());
    QVERIFY(client.connectAuth());

    const auto good =
        client.request(Auth, Login, credentials(QStringLiteral("Alice"), QStringLiteral("password1")));
    QVERIFY(isSuccess(good));
    QCOMPARE(good->value(QStringLiteral("user")).toObject(), alice.toJson());
    QVERIFY(protocol::parseTimestamp(field(good, QStringLiteral("expiresAt"))).isValid());
    TestClient main(server->url());
    const auto ready = main.connectMain(field(good, QStringLiteral("token")));
    QVERIFY(ready);
    QCOMPARE(ready->value(QStringLiteral("user")).toObject(), alice.toJson());

    const auto wrong =
        client.request(Auth, Login, credentials(QStringLiteral("alice"), QStringLiteral("password2")));
    QCOMPARE(errorCode(wrong), QStringLiteral("INVALID_CREDENTIALS"));
    QVERIFY(!wrong->contains(QStringLiteral("token")));

    // An unknown user costs a verify too (against a decoy), and gets the same answer.
    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    const auto unknown =
        client.request(Auth, Login, credentials(QStringLiteral("mallory"), QStringLiteral("password1")));
    QCOMPARE(errorCode(unknown), QStringLiteral("INVALID_CREDENTIALS"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore + 1);
    QCOMPARE(unknown->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")),
        wrong->value(QStringLiteral("error")).toObject().value(QStringLiteral("message")));
    // A name no account can have, likewise.
    QCOMPARE(errorCode(client.request(
                 Auth, Login, credentials(QStringLiteral("no such name!"), QStringLiteral("password1")))),
        QStringLiteral("INVALID_CREDENTIALS"));

    QCOMPARE(errorCode(client.request(
                 Auth, Login, credentials(QStringLiteral("carol"), QStringLiteral("password3")))),
        QStringLiteral("INVALID_CREDENTIALS"));
    QVERIFY(client.events().isEmpty());
}

void TestAuthHandler::loginRejectsInvalidPayloads_data()
{
    QTest::addColumn<QJsonValue>("payload");
    QTest::newRow("not an object") << QJsonValue(QJsonArray {});
    QTest::newRow("no password") << QJsonValue(
        QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")}});
    QTest::newRow("no username") << QJsonValue(
        QJsonObject {{QStringLiteral("password"), QStringLiteral("password1")}});
    QTest::newRow("empty username") << QJsonValue(credentials(QString(), QStringLiteral("password1")));
    QTest::newRow("empty password") << QJsonValue(credentials(QStringLiteral("alice"), QString()));
    QTest::newRow("password a number") << QJsonValue(
        QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")}, {QStringLiteral("password"), 1}});
    QTest::newRow("password of 1025 bytes")
        << QJsonValue(credentials(QStringLiteral("alice"), QString(1025, QLatin1Char('p'))));
}

void TestAuthHandler::loginRejectsInvalidPayloads()
{
    QFETCH(QJsonValue, payload);
    auto server = startServer();
    QVERIFY(server);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    QCOMPARE(errorCode(client.request(Auth, Login, payload)), QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore);
}

void TestAuthHandler::refreshGoodGarbageExpiredRevoked()
{
    auto server = startServer();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"), QStringLiteral("Alice"));
    TestClient client(server->url());
    QVERIFY(client.connectAuth());

    const auto good = client.request(Auth, Refresh, tokenPayload(alice.token));
    QVERIFY(isSuccess(good));
    QCOMPARE(good->value(QStringLiteral("user")).toObject(), alice.user.toJson());
    QVERIFY(protocol::parseTimestamp(field(good, QStringLiteral("expiresAt"))).isValid());
    TestClient main(server->url());
    QVERIFY(main.connectMain(field(good, QStringLiteral("token"))));

    QCOMPARE(errorCode(client.request(Auth, Refresh, tokenPayload(QStringLiteral("garbage")))),
        QStringLiteral("AUTH_INVALID"));
    QCOMPARE(errorCode(client.request(Auth, Refresh, tokenPayload(alice.token + QStringLiteral("x")))),
        QStringLiteral("AUTH_INVALID"));
    QCOMPARE(errorCode(client.request(Auth, Refresh, tokenPayload(server->expiredTokenFor(alice.user.id)))),
        QStringLiteral("AUTH_EXPIRED"));
    QCOMPARE(
        errorCode(client.request(Auth, Refresh, tokenPayload(QString()))), QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(client.request(Auth, Refresh, QJsonObject {})), QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(client.request(Auth, Refresh, QJsonObject {{QStringLiteral("token"), 5}})),
        QStringLiteral("INVALID_PAYLOAD"));

    // A revoked version no longer refreshes.
    QVERIFY(server->server().store().users().bumpTokenVersion(alice.user.id));
    QCOMPARE(
        errorCode(client.request(Auth, Refresh, tokenPayload(alice.token))), QStringLiteral("AUTH_INVALID"));
    QVERIFY(client.events().isEmpty());
}

void TestAuthHandler::eleventhAttemptIsRateLimitedBeforeAnyHash()
{
    auto server = startServer(ServerConfig {}); // the default: 10 attempts per minute
    QVERIFY(server);
    QCOMPARE(server->config().limits.authPerMinute, 10);
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    TestClient other(server->url()); // another connection from the same address
    QVERIFY(other.connectAuth());

    // Ten attempts that cost no hash, invalid ones included: every attempt counts.
    for (int attempt = 0; attempt < 8; ++attempt) {
        QCOMPARE(errorCode(client.request(Auth, Refresh, tokenPayload(QStringLiteral("garbage")))),
            QStringLiteral("AUTH_INVALID"));
    }
    QCOMPARE(errorCode(client.request(Auth, Register, QJsonObject {})), QStringLiteral("INVALID_PAYLOAD"));
    QCOMPARE(errorCode(other.request(Auth, Login, QJsonObject {})), QStringLiteral("INVALID_PAYLOAD"));

    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    const auto limited =
        other.request(Auth, Register, credentials(QStringLiteral("alice"), QStringLiteral("password1")));
    QCOMPARE(errorCode(limited), QStringLiteral("RATE_LIMITED"));
    const qint64 retryAfterMs = limited->value(QStringLiteral("error"))
                                    .toObject()
                                    .value(QStringLiteral("retryAfterMs"))
                                    .toInteger(-1);
    QVERIFY2(retryAfterMs > 0 && retryAfterMs <= 60000, qPrintable(QString::number(retryAfterMs)));
    QCOMPARE(errorCode(client.request(
                 Auth, Login, credentials(QStringLiteral("alice"), QStringLiteral("password1")))),
        QStringLiteral("RATE_LIMITED"));
    const auto alice = server->createUser(QStringLiteral("bob"));
    QCOMPARE(
        errorCode(client.request(Auth, Refresh, tokenPayload(alice.token))), QStringLiteral("RATE_LIMITED"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore);
    QVERIFY(!server->server().store().users().userByUsername(QStringLiteral("alice")));
    QVERIFY(client.events().isEmpty());
}

void TestAuthHandler::logoutClosesEverySessionOfThatUserOnly()
{
    auto server = startServer();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    const auto bob = server->createUser(QStringLiteral("bob"));
    TestClient aliceLaptop(server->url());
    TestClient alicePhone(server->url());
    TestClient bobClient(server->url());
    QVERIFY(aliceLaptop.connectMain(alice.token));
    QVERIFY(alicePhone.connectMain(alice.token));
    QVERIFY(bobClient.connectMain(bob.token));

    TestClient authClient(server->url());
    QVERIFY(authClient.connectAuth());
    const auto ack = authClient.request(Auth, Logout, tokenPayload(alice.token));
    QVERIFY(isSuccess(ack));
    QCOMPARE(*ack, (QJsonObject {{QStringLiteral("success"), true}}));

    QVERIFY(aliceLaptop.waitForClose());
    QVERIFY(alicePhone.waitForClose());
    QCOMPARE(closingCode(aliceLaptop), QStringLiteral("AUTH_EXPIRED"));
    QCOMPARE(closingCode(alicePhone), QStringLiteral("AUTH_EXPIRED"));

    // Bob's socket is still served after the closes went out.
    QVERIFY(bobClient.connectAuth());
    QVERIFY(isSuccess(bobClient.request(Auth, Refresh, tokenPayload(bob.token))));
    QVERIFY(!bobClient.isClosed());
    QVERIFY(bobClient.eventsNamed(protocol::event::ConnectionClosing).isEmpty());
    QVERIFY(authClient.events().isEmpty());

    // The old token is dead everywhere.
    TestClient again(server->url());
    QVERIFY(!again.connectMain(alice.token));
    QCOMPARE(refusalCode(again), QStringLiteral("AUTH_INVALID"));
    QCOMPARE(errorCode(authClient.request(Auth, Logout, tokenPayload(alice.token))),
        QStringLiteral("AUTH_INVALID"));
    QCOMPARE(errorCode(authClient.request(Auth, Refresh, tokenPayload(alice.token))),
        QStringLiteral("AUTH_INVALID"));
    QCOMPARE(errorCode(authClient.request(Auth, Logout, tokenPayload(server->expiredTokenFor(bob.user.id)))),
        QStringLiteral("AUTH_EXPIRED"));
    QCOMPARE(errorCode(authClient.request(Auth, Logout, QJsonObject {})), QStringLiteral("INVALID_PAYLOAD"));
    // A token minted for the new version works.
    TestClient fresh(server->url());
    QVERIFY(fresh.connectMain(server->tokenFor(alice.user.id)));
}

void TestAuthHandler::logoutFromTheSameSocketIsAckedBeforeTheClose()
{
    auto server = startServer();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    TestClient client(server->url());
    QVERIFY(client.connectMain(alice.token));
    QVERIFY(client.connectAuth());
    QVERIFY(isSuccess(client.request(Auth, Logout, tokenPayload(alice.token))));
    QVERIFY(client.waitForClose());
    QCOMPARE(closingCode(client), QStringLiteral("AUTH_EXPIRED"));
}

void TestAuthHandler::changePasswordChecksTheOldOneAndClosesSessions()
{
    auto server = startServer();
    QVERIFY(server);
    const protocol::User alice = createUserWithPassword(*server, QStringLiteral("alice"), "password1");
    const QString oldToken = server->tokenFor(alice.id);
    const auto bob = server->createUser(QStringLiteral("bob"));
    TestClient aliceMain(server->url());
    TestClient bobMain(server->url());
    QVERIFY(aliceMain.connectMain(oldToken));
    QVERIFY(bobMain.connectMain(bob.token));
    TestClient authClient(server->url());
    QVERIFY(authClient.connectAuth());

    const auto change = [&](const QString &token, const QString &oldPassword, const QString &newPassword) {
        return authClient.request(Auth, ChangePassword,
            QJsonObject {{QStringLiteral("token"), token}, {QStringLiteral("oldPassword"), oldPassword},
                {QStringLiteral("newPassword"), newPassword}});
    };

    QCOMPARE(errorCode(change(oldToken, QStringLiteral("password2"), QStringLiteral("new password"))),
        QStringLiteral("INVALID_CREDENTIALS"));
    QVERIFY(!aliceMain.isClosed()); // a wrong old password changes nothing
    QCOMPARE(errorCode(change(
                 QStringLiteral("garbage"), QStringLiteral("password1"), QStringLiteral("new password"))),
        QStringLiteral("AUTH_INVALID"));

    const auto changed = change(oldToken, QStringLiteral("password1"), QStringLiteral("new password"));
    QVERIFY(isSuccess(changed));
    QCOMPARE(changed->value(QStringLiteral("user")).toObject(), alice.toJson());
    QVERIFY(protocol::parseTimestamp(field(changed, QStringLiteral("expiresAt"))).isValid());

    QVERIFY(aliceMain.waitForClose());
    QCOMPARE(closingCode(aliceMain), QStringLiteral("AUTH_EXPIRED"));
    QVERIFY(bobMain.connectAuth());
    QVERIFY(isSuccess(bobMain.request(Auth, Refresh, tokenPayload(bob.token))));
    QVERIFY(!bobMain.isClosed());

    TestClient withOld(server->url());
    QVERIFY(!withOld.connectMain(oldToken));
    QCOMPARE(refusalCode(withOld), QStringLiteral("AUTH_INVALID"));
    TestClient withNew(server->url());
    QVERIFY(withNew.connectMain(field(changed, QStringLiteral("token"))));

    QCOMPARE(errorCode(authClient.request(
                 Auth, Login, credentials(QStringLiteral("alice"), QStringLiteral("password1")))),
        QStringLiteral("INVALID_CREDENTIALS"));
    QVERIFY(isSuccess(authClient.request(
        Auth, Login, credentials(QStringLiteral("alice"), QStringLiteral("new password")))));
}

void TestAuthHandler::changePasswordRejectsInvalidPayloads()
{
    auto server = startServer();
    QVERIFY(server);
    const auto alice = server->createUser(QStringLiteral("alice"));
    TestClient client(server->url());
    QVERIFY(client.connectAuth());
    const quint64 hashesBefore = auth::PasswordHasher::jobsStarted();
    const QJsonObject valid {{QStringLiteral("token"), alice.token},
        {QStringLiteral("oldPassword"), QStringLiteral("password1")},
        {QStringLiteral("newPassword"), QStringLiteral("password2")}};
    for (const QString &missing :
        {QStringLiteral("token"), QStringLiteral("oldPassword"), QStringLiteral("newPassword")}) {
        QJsonObject payload = valid;
        payload.remove(missing);
        QCOMPARE(errorCode(client.request(Auth, ChangePassword, payload)), QStringLiteral("INVALID_PAYLOAD"));
    }
    QJsonObject shortNew = valid;
    shortNew.insert(QStringLiteral("newPassword"), QStringLiteral("1234567"));
    QCOMPARE(errorCode(client.request(Auth, ChangePassword, shortNew)), QStringLiteral("INVALID_PAYLOAD"));
    QJsonObject longOld = valid;
    longOld.insert(QStringLiteral("oldPassword"), QString(1025, QLatin1Char('p')));
    QCOMPARE(errorCode(client.request(Auth, ChangePassword, longOld)), QStringLiteral("INVALID_PAYLOAD"));
    QJsonObject expired = valid;
    expired.insert(QStringLiteral("token"), server->expiredTokenFor(alice.user.id));
    QCOMPARE(errorCode(client.request(Auth, ChangePassword, expired)), QStringLiteral("AUTH_EXPIRED"));
    QCOMPARE(auth::PasswordHasher::jobsStarted(), hashesBefore);
    // Nothing was revoked.
    TestClient main(server->url());
    QVERIFY(main.connectMain(alice.token));
}

void TestAuthHandler::hashingDoesNotStallOtherConnections()
{
    auto server = startServer();
    QVERIFY(server);
    const auto bob = server->createUser(QStringLiteral("bob"));
    QStringList answers; // outlives the clients, whose pending callbacks write to it
    TestClient hasher(server->url());
    TestClient other(server->url());
    QVERIFY(hasher.connectAuth());
    QVERIFY(other.connectAuth());

    // Several logins, each a full Argon2id verify (unknown users: the decoy), then
    // a cheap request on another connection. Served on one thread with the hashes
    // inline, the cheap one would wait for them; off-thread it overtakes them.
    constexpr int Logins = 6;
    for (int i = 0; i < Logins; ++i) {
        hasher.connection().emitWithAck(
            Auth, Login,
            QJsonArray {credentials(QStringLiteral("nobody%1").arg(i), QStringLiteral("password1"))},
            [&answers](const transport::AckReply &reply) {
                answers.append(errorCode(firstArgument(reply)) == QStringLiteral("INVALID_CREDENTIALS")
                        ? QStringLiteral("login")
                        : QStringLiteral("login failed otherwise"));
            },
            30s);
    }
    other.connection().emitWithAck(
        Auth, Refresh, QJsonArray {tokenPayload(bob.token)},
        [&answers](const transport::AckReply &reply) {
            answers.append(isSuccess(firstArgument(reply)) ? QStringLiteral("refresh")
                                                           : QStringLiteral("refresh failed"));
        },
        30s);
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), Logins + 1, 30000);
    QCOMPARE(answers.count(QStringLiteral("login")), Logins);
    QVERIFY2(answers.indexOf(QStringLiteral("refresh")) < Logins, qPrintable(answers.join(u',')));
}

QTEST_GUILESS_MAIN(TestAuthHandler)
#include "tst_authhandler.moc"
