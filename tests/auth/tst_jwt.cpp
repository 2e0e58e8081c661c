#include "auth/hs256verifier.h"
#include "auth/jwt.h"
#include "auth/tokensigner.h"
#include "tokenforge.h"

#include <QTest>

using namespace parley::auth;
using parley::protocol::ErrorCode;

namespace {

constexpr int Accepted = -1; // "expected failure" column value for a good token

SecretKey testKey(const QByteArray &bytes = tokenforge::key())
{
    return SecretKey::fromBytes(bytes).value();
}

VerificationPolicy fixedPolicy()
{
    VerificationPolicy policy;
    policy.clock = tokenforge::nowDateTime;
    return policy;
}

// Flips the lowest bit of the last base64url character: for a 32-byte
// signature that bit is padding, so a lax decoder yields the same bytes.
QByteArray withNonCanonicalEnding(QByteArray token)
{
    static const QByteArray alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const qsizetype index = alphabet.indexOf(token.back());
    token.back() = alphabet.at(index ^ 1);
    return token;
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hmacMatchesRfc4231();
    void encodingMatchesJwtIoExample();
    void signerMatchesGoldenToken();
    void signThenVerifyRoundTrips();
    void verify_data();
    void verify();
    void issuerAndAudience_data();
    void issuerAndAudience();
    void base64UrlIsStrict_data();
    void base64UrlIsStrict();
    void keyShorterThan32BytesIsRefused();
};

void TestJwt::hmacMatchesRfc4231()
{
    // RFC 4231 §4.3, test case 2.
    QCOMPARE(hmacSha256("Jefe", "what do ya want for nothing?").toHex(),
        QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

void TestJwt::encodingMatchesJwtIoExample()
{
    // The example on jwt.io (its key is shorter than we allow, so this pins the
    // HMAC and base64url layers only).
    const QByteArray input = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                             "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ";
    QCOMPARE(base64UrlEncode(hmacSha256("your-256-bit-secret", input)),
        QByteArray("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"));
}

void TestJwt::signerMatchesGoldenToken()
{
    // Computed independently (Python hmac + base64) from the same claims.
    TokenClaims claims;
    claims.subject = QStringLiteral("42");
    claims.issuedAt = 1800000000;
    claims.expiresAt = 1800003600;
    claims.version = 3;
    QCOMPARE(TokenSigner(testKey()).sign(claims),
        QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJleHAiOjE4MDAwMDM2MDAsImlhdCI6MTgwMDAwMDAwMCwic3ViIjoiNDIiLCJ2ZXIiOjN9."
                   "5OgA__Sn2-DnAjcg6Dtar_K8DavH3ERGeqsdHQdyMK4"));
}

void TestJwt::signThenVerifyRoundTrips()
{
    TokenClaims claims;
    claims.subject = QStringLiteral("user-7");
    claims.issuedAt = tokenforge::Now;
    claims.expiresAt = tokenforge::Now + 60;
    claims.notBefore = tokenforge::Now - 1;
    claims.version = 12;
    claims.issuer = QStringLiteral("parley");
    claims.audience = {QStringLiteral("a"), QStringLiteral("b")};

    const TokenResult result =
        Hs256Verifier(testKey(), fixedPolicy()).verify(TokenSigner(testKey()).sign(claims));
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->subject, claims.subject);
    QCOMPARE(result->issuedAt, claims.issuedAt);
    QCOMPARE(result->expiresAt, claims.expiresAt);
    QCOMPARE(result->notBefore, claims.notBefore);
    QCOMPARE(result->version, claims.version);
    QCOMPARE(result->issuer, claims.issuer);
    QCOMPARE(result->audience, claims.audience);
}

void TestJwt::verify_data()
{
    using namespace tokenforge;
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("failure"); // TokenFailure, or Accepted

    const auto malformed = int(TokenFailure::Malformed);
    const auto badAlgorithm = int(TokenFailure::UnsupportedAlgorithm);
    const auto badSignature = int(TokenFailure::BadSignature);
    const auto badClaims = int(TokenFailure::InvalidClaims);
    const QByteArray good = validToken();
    const QByteArray payload = claims("42", Now + 3600);

    QTest::newRow("valid") << good << Accepted;
    QTest::newRow("empty") << QByteArray() << malformed;
    QTest::newRow("alg none, no signature")
        << sign(R"({"alg":"none"})", payload).split('.').mid(0, 2).join('.') + '.' << malformed;
    QTest::newRow("alg none, signed anyway")
        << sign(R"({"alg":"none","typ":"JWT"})", payload) << badAlgorithm;
    QTest::newRow("alg HS512") << sign(R"({"alg":"HS512","typ":"JWT"})", payload, key(),
                                      QCryptographicHash::Sha512)
                               << badAlgorithm;
    // Key confusion: an RS256 header with an HMAC made from the key.
    QTest::newRow("alg RS256") << sign(R"({"alg":"RS256","typ":"JWT"})", payload) << badAlgorithm;
    QTest::newRow("alg hs256 lowercase") << sign(R"({"alg":"hs256"})", payload) << badAlgorithm;
    QTest::newRow("alg missing") << sign(R"({"typ":"JWT"})", payload) << badAlgorithm;
    QTest::newRow("alg not a string") << sign(R"({"alg":["HS256"]})", payload) << badAlgorithm;
    QTest::newRow("crit header") << sign(R"({"alg":"HS256","crit":["exp"]})", payload) << badAlgorithm;
    QTest::newRow("wrong key") << sign(hs256Header(), payload, otherKey()) << badSignature;
    const QList<QByteArray> parts = good.split('.');
    QTest::newRow("payload swapped") << parts[0] + '.' + b64(claims("1", Now + 3600)) + '.' + parts[2]
                                     << badSignature;
    // 40 characters: still canonical base64url, but 30 bytes instead of 32.
    QTest::newRow("signature truncated") << good.chopped(3) << badSignature;
    QTest::newRow("signature not canonical") << withNonCanonicalEnding(good) << malformed;
    QTest::newRow("expired past leeway")
        << sign(hs256Header(), claims("42", Now - 6)) << int(TokenFailure::Expired);
    QTest::newRow("expired within leeway") << sign(hs256Header(), claims("42", Now - 5)) << Accepted;
    QTest::newRow("nbf ahead past leeway")
        << sign(hs256Header(), claims("42", Now + 3600, 0, "\"nbf\":" + QByteArray::number(Now + 6)))
        << int(TokenFailure::NotYetValid);
    QTest::newRow("nbf ahead within leeway")
        << sign(hs256Header(), claims("42", Now + 3600, 0, "\"nbf\":" + QByteArray::number(Now + 5)))
        << Accepted;
    QTest::newRow("bad base64 header") << "eyJhbGciOiJIUzI1NiJ9*." + parts[1] + '.' + parts[2] << malformed;
    QTest::newRow("padded base64") << parts[0] + "=." + parts[1] + '.' + parts[2] << malformed;
    QTest::newRow("bad JSON header") << sign(R"({"alg":"HS256")", payload) << malformed;
    QTest::newRow("bad JSON payload") << sign(hs256Header(), R"({"sub":"42",)") << malformed;
    QTest::newRow("payload not an object") << sign(hs256Header(), "[1,2]") << malformed;
    QTest::newRow("two segments") << parts[0] + '.' + parts[1] << malformed;
    QTest::newRow("four segments") << good + '.' + parts[2] << malformed;
    QTest::newRow("empty payload segment") << parts[0] + ".." + parts[2] << malformed;
    QTest::newRow("no sub") << sign(hs256Header(), R"({"exp":1800003600})") << badClaims;
    QTest::newRow("no exp") << sign(hs256Header(), R"({"sub":"42"})") << badClaims;
    QTest::newRow("exp a string") << sign(hs256Header(), R"({"sub":"42","exp":"1800003600"})") << badClaims;
    QTest::newRow("ver fractional") << sign(hs256Header(), claims("42", Now + 3600, 0, R"("ver":1.5)"))
                                    << badClaims;
    const QByteArray padding = "\"pad\":\"" + QByteArray(16 * 1024, 'x') + '"';
    QTest::newRow("16 KiB token") << sign(hs256Header(), claims("42", Now + 3600, 0, padding))
                                  << int(TokenFailure::TooLarge);
    const QByteArray smallPadding = "\"pad\":\"" + QByteArray(5 * 1024, 'x') + '"';
    QTest::newRow("7 KiB token") << sign(hs256Header(), claims("42", Now + 3600, 0, smallPadding))
                                 << Accepted;
}

void TestJwt::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(int, failure);

    const TokenResult result = Hs256Verifier(testKey(), fixedPolicy()).verify(token);
    if (failure == Accepted) {
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(result->subject, QStringLiteral("42"));
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().failure), failure);
    QVERIFY(!result.error().message.isEmpty());
    const ErrorCode expectedCode =
        TokenFailure(failure) == TokenFailure::Expired ? ErrorCode::AuthExpired : ErrorCode::AuthInvalid;
    QCOMPARE(result.error().code(), expectedCode);
}

void TestJwt::issuerAndAudience_data()
{
    using namespace tokenforge;
    QTest::addColumn<QByteArray>("extraClaims");
    QTest::addColumn<int>("failure");

    QTest::newRow("both match") << QByteArray(R"("iss":"parley","aud":"chat")") << Accepted;
    QTest::newRow("aud in a list") << QByteArray(R"("iss":"parley","aud":["x","chat"])") << Accepted;
    QTest::newRow("no iss") << QByteArray(R"("aud":"chat")") << int(TokenFailure::WrongIssuer);
    QTest::newRow("other iss") << QByteArray(R"("iss":"evil","aud":"chat")")
                               << int(TokenFailure::WrongIssuer);
    QTest::newRow("no aud") << QByteArray(R"("iss":"parley")") << int(TokenFailure::WrongAudience);
    QTest::newRow("other aud") << QByteArray(R"("iss":"parley","aud":["x"])")
                               << int(TokenFailure::WrongAudience);
    QTest::newRow("aud not strings") << QByteArray(R"("iss":"parley","aud":[1])")
                                     << int(TokenFailure::InvalidClaims);
}

void TestJwt::issuerAndAudience()
{
    QFETCH(QByteArray, extraClaims);
    QFETCH(int, failure);

    VerificationPolicy policy = fixedPolicy();
    policy.issuer = QStringLiteral("parley");
    policy.audience = QStringLiteral("chat");
    const QByteArray token = tokenforge::sign(
        tokenforge::hs256Header(), tokenforge::claims("42", tokenforge::Now + 60, 0, extraClaims));
    const TokenResult result = Hs256Verifier(testKey(), policy).verify(token);
    if (failure == Accepted) {
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    } else {
        QVERIFY(!result.ok());
        QCOMPARE(int(result.error().failure), failure);
    }
}

void TestJwt::base64UrlIsStrict_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("empty") << QByteArray() << true << QByteArray();
    QTest::newRow("one byte") << QByteArray("QQ") << true << QByteArray("A");
    QTest::newRow("url alphabet") << QByteArray("-_8") << true << QByteArray("\xfb\xff", 2);
    QTest::newRow("padding") << QByteArray("QQ==") << false << QByteArray();
    QTest::newRow("standard alphabet") << QByteArray("+/8") << false << QByteArray();
    QTest::newRow("dangling char") << QByteArray("QUJDR") << false << QByteArray();
    QTest::newRow("unused bits set") << QByteArray("QR") << false << QByteArray();
    QTest::newRow("whitespace") << QByteArray("QQ ") << false << QByteArray();
}

void TestJwt::base64UrlIsStrict()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, accepted);
    QFETCH(QByteArray, bytes);

    const std::optional<QByteArray> decoded = base64UrlDecode(text);
    QCOMPARE(decoded.has_value(), accepted);
    if (accepted) {
        QCOMPARE(*decoded, bytes);
    }
}

void TestJwt::keyShorterThan32BytesIsRefused()
{
    QVERIFY(!SecretKey::fromBytes(QByteArray(31, 'k')).ok());
    QVERIFY(SecretKey::fromBytes(QByteArray(32, 'k')).ok());
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
