#include "auth/authenticator.h"
#include "tokenforge.h"

#include <QJsonObject>
#include <QTest>

#include <map>

using namespace parley::auth;
using parley::protocol::ErrorCode;

Q_DECLARE_METATYPE(ErrorCode)
Q_DECLARE_METATYPE(parley::auth::TokenSource)

namespace {

// The users the fake store knows: "42" (version 0), "7" (version 3), "9" disabled.
std::optional<UserAuthState> lookUp(const QString &userId)
{
    static const std::map<QString, UserAuthState> users {
        {QStringLiteral("42"), {0, false}},
        {QStringLiteral("7"), {3, false}},
        {QStringLiteral("9"), {0, true}},
    };
    const auto found = users.find(userId);
    return found == users.end() ? std::nullopt : std::optional(found->second);
}

AuthenticatorConfig fixedClockConfig()
{
    AuthenticatorConfig config;
    config.policy.clock = tokenforge::nowDateTime;
    return config;
}

Authenticator makeAuthenticator(AuthenticatorConfig config = fixedClockConfig())
{
    return Authenticator(SecretKey::fromBytes(tokenforge::key()).value(), lookUp, std::move(config));
}

QJsonObject payloadWith(const QByteArray &token)
{
    return {{QStringLiteral("token"), QString::fromLatin1(token)}};
}

QUrl urlWith(const QByteArray &token)
{
    return QUrl(QStringLiteral("ws://127.0.0.1/socket.io/?EIO=4&transport=websocket&token=") +
        QString::fromLatin1(token));
}

} // namespace

class TestAuthenticator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void authenticate_data();
    void authenticate();
    void reportsWhichSourceWon_data();
    void reportsWhichSourceWon();
    void issuedTokenIsAccepted();
    void issuedTokenCarriesConfiguredIssuer();
    void issuedTokenExpiresAfterLifetime();
    void refreshTokenChecksLikeConnect();
};

void TestAuthenticator::authenticate_data()
{
    using namespace tokenforge;
    QTest::addColumn<QJsonValue>("connectAuth");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<ErrorCode>("code");

    const QByteArray good = validToken("42");
    const QByteArray expired = sign(hs256Header(), claims("42", Now - 6));
    const QByteArray forged = sign(hs256Header(), claims("42", Now + 60), otherKey());
    const QUrl noQuery(QStringLiteral("ws://127.0.0.1/socket.io/?EIO=4&transport=websocket"));
    const QJsonValue none;

    QTest::newRow("missing everywhere") << none << QByteArray() << noQuery << false << ErrorCode::AuthMissing;
    QTest::newRow("empty payload object")
        << QJsonValue(QJsonObject()) << QByteArray() << noQuery << false << ErrorCode::AuthMissing;
    QTest::newRow("null token") << QJsonValue(QJsonObject {{QStringLiteral("token"), QJsonValue::Null}})
                                << QByteArray() << noQuery << false << ErrorCode::AuthMissing;
    QTest::newRow("empty token") << QJsonValue(payloadWith({})) << QByteArray() << noQuery << false
                                 << ErrorCode::AuthMissing;
    QTest::newRow("token not a string") << QJsonValue(QJsonObject {{QStringLiteral("token"), 5}})
                                        << QByteArray() << noQuery << false << ErrorCode::AuthInvalid;
    QTest::newRow("basic auth header is not a token")
        << none << QByteArray("Basic dXNlcjpwdw==") << noQuery << false << ErrorCode::AuthMissing;
    QTest::newRow("bearer without token")
        << none << QByteArray("Bearer ") << noQuery << false << ErrorCode::AuthMissing;

    QTest::newRow("payload") << QJsonValue(payloadWith(good)) << QByteArray() << noQuery << true
                             << ErrorCode {};
    QTest::newRow("header") << none << "Bearer " + good << noQuery << true << ErrorCode {};
    QTest::newRow("header scheme in lower case")
        << none << "bearer " + good << noQuery << true << ErrorCode {};
    QTest::newRow("query") << none << QByteArray() << urlWith(good) << true << ErrorCode {};

    // The first source present is the only one used: no falling back to a
    // later, valid token when an earlier one is bad.
    QTest::newRow("payload beats header")
        << QJsonValue(payloadWith(forged)) << "Bearer " + good << noQuery << false << ErrorCode::AuthInvalid;
    QTest::newRow("payload beats query") << QJsonValue(payloadWith(expired)) << QByteArray() << urlWith(good)
                                         << false << ErrorCode::AuthExpired;
    QTest::newRow("header beats query")
        << none << "Bearer " + forged << urlWith(good) << false << ErrorCode::AuthInvalid;

    QTest::newRow("alg none") << QJsonValue(payloadWith(sign(R"({"alg":"none"})", claims("42", Now + 60))))
                              << QByteArray() << noQuery << false << ErrorCode::AuthInvalid;
    QTest::newRow("wrong key") << QJsonValue(payloadWith(forged)) << QByteArray() << noQuery << false
                               << ErrorCode::AuthInvalid;
    QTest::newRow("expired past leeway")
        << QJsonValue(payloadWith(expired)) << QByteArray() << noQuery << false << ErrorCode::AuthExpired;
    QTest::newRow("expired within leeway")
        << QJsonValue(payloadWith(sign(hs256Header(), claims("42", Now - 5)))) << QByteArray() << noQuery
        << true << ErrorCode {};
    QTest::newRow("garbage") << QJsonValue(payloadWith("not-a-token")) << QByteArray() << noQuery << false
                             << ErrorCode::AuthInvalid;
    QTest::newRow("unknown user") << QJsonValue(payloadWith(validToken("1000"))) << QByteArray() << noQuery
                                  << false << ErrorCode::AuthInvalid;
    QTest::newRow("disabled user") << QJsonValue(payloadWith(validToken("9"))) << QByteArray() << noQuery
                                   << false << ErrorCode::AuthInvalid;
    QTest::newRow("current version") << QJsonValue(payloadWith(validToken("7", 3))) << QByteArray() << noQuery
                                     << true << ErrorCode {};
    QTest::newRow("bumped version") << QJsonValue(payloadWith(validToken("7", 2))) << QByteArray() << noQuery
                                    << false << ErrorCode::AuthInvalid;
    QTest::newRow("no version claim")
        << QJsonValue(payloadWith(sign(hs256Header(), R"({"sub":"42","exp":1800003600})"))) << QByteArray()
        << noQuery << false << ErrorCode::AuthInvalid;
}

void TestAuthenticator::authenticate()
{
    QFETCH(QJsonValue, connectAuth);
    QFETCH(QByteArray, authorization);
    QFETCH(QUrl, url);
    QFETCH(bool, accepted);
    QFETCH(ErrorCode, code);

    const Authenticator::Outcome outcome =
        makeAuthenticator().authenticate({connectAuth, authorization, url});
    QCOMPARE(outcome.ok(), accepted);
    if (accepted) {
        QVERIFY(!outcome->userId.isEmpty());
        QCOMPARE(outcome->expiresAt.timeSpec(), Qt::UTC);
    } else {
        QCOMPARE(outcome.error().code, code);
        QVERIFY(!outcome.error().message.isEmpty());
    }
}

void TestAuthenticator::reportsWhichSourceWon_data()
{
    QTest::addColumn<bool>("inPayload");
    QTest::addColumn<bool>("inHeader");
    QTest::addColumn<bool>("inQuery");
    QTest::addColumn<TokenSource>("winner");

    QTest::newRow("all three") << true << true << true << TokenSource::ConnectPayload;
    QTest::newRow("header and query") << false << true << true << TokenSource::AuthorizationHeader;
    QTest::newRow("query only") << false << false << true << TokenSource::QueryParameter;
}

void TestAuthenticator::reportsWhichSourceWon()
{
    QFETCH(bool, inPayload);
    QFETCH(bool, inHeader);
    QFETCH(bool, inQuery);
    QFETCH(TokenSource, winner);

    // Each source carries a different user so the winner is visible in the result too.
    TokenSources sources;
    if (inPayload) {
        sources.connectAuth = payloadWith(tokenforge::validToken("42"));
    }
    if (inHeader) {
        sources.authorizationHeader = "Bearer " + tokenforge::validToken("7", 3);
    }
    sources.requestUrl = inQuery ? urlWith(tokenforge::validToken("7", 3)) : QUrl();

    const Authenticator::Outcome outcome = makeAuthenticator().authenticate(sources);
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->source, winner);
    QCOMPARE(
        outcome->userId, winner == TokenSource::ConnectPayload ? QStringLiteral("42") : QStringLiteral("7"));
}

void TestAuthenticator::issuedTokenIsAccepted()
{
    const Authenticator authenticator = makeAuthenticator();
    const IssuedToken issued = authenticator.issueToken(QStringLiteral("7"), 3);
    const Authenticator::Outcome outcome =
        authenticator.authenticate({payloadWith(issued.token.toLatin1()), {}, {}});
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->userId, QStringLiteral("7"));
    QCOMPARE(outcome->expiresAt, issued.expiresAt);

    // The same user after a log-out elsewhere (version 4) must not get in.
    const IssuedToken stale = authenticator.issueToken(QStringLiteral("7"), 2);
    QCOMPARE(authenticator.authenticateToken(stale.token.toLatin1()).error().code, ErrorCode::AuthInvalid);
}

void TestAuthenticator::issuedTokenCarriesConfiguredIssuer()
{
    AuthenticatorConfig config = fixedClockConfig();
    config.policy.issuer = QStringLiteral("parley");
    config.policy.audience = QStringLiteral("chat");
    const Authenticator authenticator = makeAuthenticator(config);
    QVERIFY(
        authenticator.authenticateToken(authenticator.issueToken(QStringLiteral("42"), 0).token.toLatin1())
            .ok());
    // A token without them, though correctly signed, is refused.
    QCOMPARE(
        authenticator.authenticateToken(tokenforge::validToken("42")).error().code, ErrorCode::AuthInvalid);
}

void TestAuthenticator::issuedTokenExpiresAfterLifetime()
{
    qint64 now = tokenforge::Now;
    AuthenticatorConfig config;
    config.policy.clock = [&now] { return QDateTime::fromSecsSinceEpoch(now, Qt::UTC); };
    const Authenticator authenticator = makeAuthenticator(config);

    const IssuedToken issued = authenticator.issueToken(QStringLiteral("42"), 0);
    QCOMPARE(issued.expiresAt, QDateTime::fromSecsSinceEpoch(tokenforge::Now + 30 * 24 * 3600, Qt::UTC));

    now = issued.expiresAt.toSecsSinceEpoch() + 5; // within leeway
    QVERIFY(authenticator.authenticateToken(issued.token.toLatin1()).ok());
    now += 1;
    QCOMPARE(authenticator.authenticateToken(issued.token.toLatin1()).error().code, ErrorCode::AuthExpired);
}

void TestAuthenticator::refreshTokenChecksLikeConnect()
{
    const Authenticator authenticator = makeAuthenticator();
    QCOMPARE(authenticator.authenticateToken({}).error().code, ErrorCode::AuthMissing);
    QCOMPARE(
        authenticator.authenticateToken(tokenforge::validToken("9")).error().code, ErrorCode::AuthInvalid);
    const Authenticator::Outcome refreshed = authenticator.authenticateToken(tokenforge::validToken("42"));
    QVERIFY(refreshed.ok());
    QCOMPARE(refreshed->source, TokenSource::EventPayload);
}

QTEST_GUILESS_MAIN(TestAuthenticator)
#include "tst_authenticator.moc"
