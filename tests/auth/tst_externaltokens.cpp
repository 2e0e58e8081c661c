#include "auth/authenticator.h"
#include "auth/publickeyverifier.h"
#include "idpforge.h"
#include "tokenforge.h"

#include <QTest>

using namespace parley::auth;
using parley::protocol::ErrorCode;

Q_DECLARE_METATYPE(ErrorCode)

namespace {

const QByteArray Issuer = "https://clerk.example.org";
const QByteArray Audience = "parley";
const QString KeyId = QStringLiteral("key-1");

// Parley's own users and the ones the resolver below maps identities to.
std::optional<UserAuthState> lookUp(const QString &userId)
{
    if (userId == QLatin1String("ext-banned"))
        return UserAuthState {0, true};
    if (userId == QLatin1String("42") || userId.startsWith(QLatin1String("ext-")))
        return UserAuthState {0, false};
    return std::nullopt;
}

VerificationPolicy externalPolicy()
{
    VerificationPolicy policy;
    policy.issuer = QString::fromLatin1(Issuer);
    policy.audience = QString::fromLatin1(Audience);
    policy.clock = tokenforge::nowDateTime;
    return policy;
}

QByteArray goodClaims(const QByteArray &sub = "alice")
{
    return idpforge::claims(
        Issuer, Audience, sub, tokenforge::Now + 600, tokenforge::Now - 10, "\"name\":\"Alice Liddell\"");
}

} // namespace

class TestExternalTokens : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void authenticates_data();
    void authenticates();
    void parleyTokensStillWork();
    void resolverSeesTheIdentity();
    void providerExpiryBoundsTradedTokens();
    void verifierRefusesHs256AndNone();
    void acceptsOnlyRsaAndP256Keys_data();
    void acceptsOnlyRsaAndP256Keys();

private:
    Authenticator makeAuthenticator(const idpforge::Key &key);

    idpforge::Key m_rsa;
    idpforge::Key m_ec;
    idpforge::Key m_otherRsa;
    idpforge::Key m_otherEc;
    QList<TokenClaims> m_resolved;
};

void TestExternalTokens::initTestCase()
{
    m_rsa = idpforge::rsaKey();
    m_ec = idpforge::ecKey();
    m_otherRsa = idpforge::rsaKey();
    m_otherEc = idpforge::ecKey();
    QVERIFY(!m_rsa.publicPem.isEmpty());
    QVERIFY(!m_ec.publicPem.isEmpty());
}

Authenticator TestExternalTokens::makeAuthenticator(const idpforge::Key &key)
{
    auto verifier = PublicKeyVerifier::fromPem(key.publicPem, KeyId, externalPolicy());
    if (!verifier)
        qFatal("the test key is refused: %s", qPrintable(verifier.error()));
    AuthenticatorConfig config;
    config.policy.clock = tokenforge::nowDateTime;
    config.externalVerifier = std::move(*verifier);
    config.resolveExternalUser =
        [this](const TokenClaims &claims) -> parley::protocol::Result<QString, ExternalUserError> {
        m_resolved.append(claims);
        return QStringLiteral("ext-") + claims.subject;
    };
    return Authenticator(SecretKey::fromBytes(tokenforge::key()).value(), lookUp, std::move(config));
}

void TestExternalTokens::authenticates_data()
{
    QTest::addColumn<bool>("ec");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("userId"); // empty: refused with `code`
    QTest::addColumn<ErrorCode>("code");

    for (const bool ec : {false, true}) {
        const idpforge::Key &key = ec ? m_ec : m_rsa;
        const idpforge::Key &other = ec ? m_otherEc : m_otherRsa;
        const char *alg = ec ? "ES256" : "RS256";
        const auto row = [&](const char *name, const QByteArray &token, const QString &userId,
                             ErrorCode code = ErrorCode::AuthInvalid) {
            QTest::addRow("%s %s", alg, name) << ec << token << userId << code;
        };
        const QString alice = QStringLiteral("ext-alice");

        row("good", idpforge::sign(key, idpforge::header(key), goodClaims()), alice);
        row("good with the configured kid",
            idpforge::sign(key, idpforge::header(key, KeyId.toLatin1()), goodClaims()), alice);
        row("aud in a list",
            idpforge::sign(key, idpforge::header(key),
                goodClaims().replace("\"aud\":\"parley\"", "\"aud\":[\"other\",\"parley\"]")),
            alice);
        row("wrong iss",
            idpforge::sign(key, idpforge::header(key),
                idpforge::claims(
                    "https://evil.example.org", Audience, "alice", tokenforge::Now + 600, tokenforge::Now)),
            {});
        row("no iss",
            idpforge::sign(key, idpforge::header(key),
                "{\"aud\":\"parley\",\"sub\":\"alice\",\"exp\":" + QByteArray::number(tokenforge::Now + 600) +
                    "}"),
            {});
        row("wrong aud",
            idpforge::sign(key, idpforge::header(key),
                idpforge::claims(Issuer, "another-app", "alice", tokenforge::Now + 600, tokenforge::Now)),
            {});
        row("HS256 signed with the public key's PEM bytes",
            tokenforge::sign(tokenforge::hs256Header(), goodClaims(), key.publicPem), {});
        row("alg none", tokenforge::b64("{\"alg\":\"none\"}") + '.' + tokenforge::b64(goodClaims()) + '.',
            {});
        row("the other algorithm's name",
            idpforge::sign(key, ec ? "{\"alg\":\"RS256\"}" : "{\"alg\":\"ES256\"}", goodClaims()), {});
        row("kid unknown", idpforge::sign(key, idpforge::header(key, "key-2"), goodClaims()), {});
        row("expired",
            idpforge::sign(key, idpforge::header(key),
                idpforge::claims(Issuer, Audience, "alice", tokenforge::Now - 60, tokenforge::Now - 3600)),
            {}, ErrorCode::AuthExpired);
        row("signed by another key", idpforge::sign(other, idpforge::header(key), goodClaims()), {});
        // alice's signature on a payload that says mallory.
        QList<QByteArray> tampered = idpforge::sign(key, idpforge::header(key), goodClaims()).split('.');
        tampered[1] = tokenforge::b64(goodClaims("mallory"));
        row("payload changed after signing", tampered.join('.'), {});
        QByteArray truncated = idpforge::sign(key, idpforge::header(key), goodClaims());
        truncated.chop(4);
        row("signature cut short", truncated, {});
        row("disabled user", idpforge::sign(key, idpforge::header(key), goodClaims("banned")), {});
    }
}

void TestExternalTokens::authenticates()
{
    QFETCH(bool, ec);
    QFETCH(QByteArray, token);
    QFETCH(QString, userId);
    QFETCH(ErrorCode, code);

    const Authenticator authenticator = makeAuthenticator(ec ? m_ec : m_rsa);
    const auto outcome = authenticator.authenticateToken(token);
    if (userId.isEmpty()) {
        QVERIFY(!outcome);
        QCOMPARE(outcome.error().code, code);
    } else {
        QVERIFY2(outcome, outcome ? "" : qPrintable(outcome.error().message));
        QCOMPARE(outcome->userId, userId);
        QCOMPARE(outcome->expiresAt, QDateTime::fromSecsSinceEpoch(tokenforge::Now + 600, Qt::UTC));
    }
}

void TestExternalTokens::parleyTokensStillWork()
{
    m_resolved.clear();
    const Authenticator authenticator = makeAuthenticator(m_rsa);
    const auto own = authenticator.authenticateToken(tokenforge::validToken("42", 0));
    QVERIFY(own);
    QCOMPARE(own->userId, QStringLiteral("42"));
    // Version checks still apply to Parley's tokens.
    QVERIFY(!authenticator.authenticateToken(tokenforge::validToken("42", 1)));
    QVERIFY(m_resolved.isEmpty());
}

void TestExternalTokens::resolverSeesTheIdentity()
{
    m_resolved.clear();
    const Authenticator authenticator = makeAuthenticator(m_ec);
    QVERIFY(authenticator.authenticateToken(idpforge::sign(m_ec, idpforge::header(m_ec),
        idpforge::claims(Issuer, Audience, "user_2abc", tokenforge::Now + 600, tokenforge::Now,
            "\"preferred_username\":\"ada\",\"name\":\"Ada Lovelace\""))));
    QCOMPARE(m_resolved.size(), 1);
    QCOMPARE(m_resolved[0].issuer, QString::fromLatin1(Issuer));
    QCOMPARE(m_resolved[0].subject, QStringLiteral("user_2abc"));
    QCOMPARE(m_resolved[0].preferredUsername, QStringLiteral("ada"));
    QCOMPARE(m_resolved[0].name, QStringLiteral("Ada Lovelace"));
    QVERIFY(!m_resolved[0].version);
}

void TestExternalTokens::providerExpiryBoundsTradedTokens()
{
    qint64 now = tokenforge::Now;
    const WallClock clock = [&now] { return QDateTime::fromSecsSinceEpoch(now, Qt::UTC); };
    VerificationPolicy policy = externalPolicy();
    policy.clock = clock;
    auto verifier = PublicKeyVerifier::fromPem(m_ec.publicPem, KeyId, policy);
    QVERIFY(verifier);
    AuthenticatorConfig config;
    config.policy.clock = clock;
    config.externalVerifier = std::move(*verifier);
    config.resolveExternalUser =
        [](const TokenClaims &claims) -> parley::protocol::Result<QString, ExternalUserError> {
        return QStringLiteral("ext-") + claims.subject;
    };
    const Authenticator authenticator(
        SecretKey::fromBytes(tokenforge::key()).value(), lookUp, std::move(config));

    // A provider token that lives one minute.
    const qint64 providerExp = tokenforge::Now + 60;
    const QDateTime limit = QDateTime::fromSecsSinceEpoch(providerExp, Qt::UTC);
    const auto provider = authenticator.authenticateToken(idpforge::sign(
        m_ec, idpforge::header(m_ec), idpforge::claims(Issuer, Audience, "alice", providerExp, now)));
    QVERIFY(provider);
    QCOMPARE(provider->hardExpiresAt, std::optional(limit));

    // auth:refresh with it: a Parley token that ends with the provider's, not in 30 days.
    const IssuedToken traded = authenticator.issueToken(provider->userId, 0, provider->hardExpiresAt);
    QCOMPARE(traded.expiresAt, limit);

    // Refreshing the Parley token later keeps the limit, however often it is done.
    now += 30;
    const auto parleyToken = authenticator.authenticateToken(traded.token.toLatin1());
    QVERIFY(parleyToken);
    QCOMPARE(parleyToken->hardExpiresAt, std::optional(limit));
    const IssuedToken again = authenticator.issueToken(parleyToken->userId, 0, parleyToken->hardExpiresAt);
    QCOMPARE(again.expiresAt, limit);

    // Past the limit (and its leeway) nothing traded from the provider token works.
    now = providerExp + 6;
    QCOMPARE(authenticator.authenticateToken(again.token.toLatin1()).error().code, ErrorCode::AuthExpired);
    QCOMPARE(authenticator.authenticateToken(traded.token.toLatin1()).error().code, ErrorCode::AuthExpired);

    // A token of ours whose exp outlives its pxp still ends at pxp.
    now = tokenforge::Now;
    const QByteArray stretched = tokenforge::sign(tokenforge::hs256Header(),
        tokenforge::claims("42", tokenforge::Now + 3600, 0, "\"pxp\":" + QByteArray::number(providerExp)));
    QVERIFY(authenticator.authenticateToken(stretched));
    now = providerExp + 6;
    QCOMPARE(authenticator.authenticateToken(stretched).error().code, ErrorCode::AuthExpired);

    // A password login's token carries no limit.
    now = tokenforge::Now;
    const auto own =
        authenticator.authenticateToken(authenticator.issueToken(QStringLiteral("42"), 0).token.toLatin1());
    QVERIFY(own);
    QVERIFY(!own->hardExpiresAt);
}

void TestExternalTokens::verifierRefusesHs256AndNone()
{
    for (const idpforge::Key *key : {&m_rsa, &m_ec}) {
        const auto verifier = PublicKeyVerifier::fromPem(key->publicPem, {}, externalPolicy());
        QVERIFY(verifier);
        const auto hs =
            (*verifier)->verify(tokenforge::sign(tokenforge::hs256Header(), goodClaims(), key->publicPem));
        QVERIFY(!hs);
        QCOMPARE(hs.error().failure, TokenFailure::UnsupportedAlgorithm);
        const auto none = (*verifier)->verify(
            tokenforge::b64("{\"alg\":\"none\"}") + '.' + tokenforge::b64(goodClaims()) + ".c2ln");
        QVERIFY(!none);
        QCOMPARE(none.error().failure, TokenFailure::UnsupportedAlgorithm);
        // No configured kid: any kid is fine while the signature holds.
        QVERIFY((*verifier)->verify(idpforge::sign(*key, idpforge::header(*key, "whatever"), goodClaims())));
    }
}

void TestExternalTokens::acceptsOnlyRsaAndP256Keys_data()
{
    QTest::addColumn<QByteArray>("pem");
    QTest::addColumn<QString>("algorithm"); // empty: refused

    QTest::newRow("RSA 2048") << m_rsa.publicPem << QStringLiteral("RS256");
    QTest::newRow("EC P-256") << m_ec.publicPem << QStringLiteral("ES256");
    std::shared_ptr<EVP_PKEY> small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(1024)), EVP_PKEY_free);
    QTest::newRow("RSA 1024") << idpforge::publicPemOf(small.get()) << QString();
    std::shared_ptr<EVP_PKEY> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), EVP_PKEY_free);
    QTest::newRow("EC P-384") << idpforge::publicPemOf(p384.get()) << QString();
    std::shared_ptr<EVP_PKEY> ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
    QTest::newRow("Ed25519") << idpforge::publicPemOf(ed.get()) << QString();
    QTest::newRow("not PEM") << QByteArray("hello") << QString();
    QTest::newRow("empty") << QByteArray() << QString();
}

void TestExternalTokens::acceptsOnlyRsaAndP256Keys()
{
    QFETCH(QByteArray, pem);
    QFETCH(QString, algorithm);
    const auto verifier = PublicKeyVerifier::fromPem(pem, {}, externalPolicy());
    if (algorithm.isEmpty()) {
        QVERIFY(!verifier);
        QVERIFY(!verifier.error().isEmpty());
    } else {
        QVERIFY2(verifier, verifier ? "" : qPrintable(verifier.error()));
        QCOMPARE((*verifier)->algorithm(), algorithm);
    }
}

QTEST_GUILESS_MAIN(TestExternalTokens)
#include "tst_externaltokens.moc"
