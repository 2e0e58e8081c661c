#include "../auth/idpforge.h"
#include "protocol/types.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

// Forged and broken identity-provider tokens sent over the wire to running
// servers, one trusting an RS256 provider and one an ES256 provider: each must
// be refused with the contract's code, at CONNECT on `/` and by auth:refresh on
// `/auth`, and none may create an account.
class TestForgedTokens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void forgedTokensAreRefused_data();
    void forgedTokensAreRefused();
    void refreshKeepsTheProviderExpiry();
    void audienceIsRequiredUnlessWaived();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);
    ServerConfig configFor(const idpforge::Key &key, const QString &pemName);

    QTemporaryDir m_dir;
    idpforge::Key m_rsa;
    idpforge::Key m_ec;
    idpforge::Key m_otherRsa;
    std::shared_ptr<EVP_PKEY> m_rsa1024;
    std::shared_ptr<EVP_PKEY> m_p384;
};

namespace {

const QByteArray Issuer = "https://idp.example.org";
const QByteArray Audience = "parley";
const QByteArray KeyId = "key-1";

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

QByteArray claims(const QByteArray &sub = "user_ada", const QByteArray &extra = {})
{
    return idpforge::claims(Issuer, Audience, sub, now() + 600, now() - 10, extra);
}

QByteArray signWith(const idpforge::Key &key, const QByteArray &payload, const QByteArray &kid = KeyId)
{
    return idpforge::sign(key, idpforge::header(key, kid), payload);
}

// A P-384 signature in JOSE form (r || s, 48 bytes each) under an ES256 header.
QByteArray signP384(EVP_PKEY *key, const QByteArray &payload)
{
    const QByteArray input =
        idpforge::b64("{\"alg\":\"ES256\",\"kid\":\"key-1\"}") + '.' + idpforge::b64(payload);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t size = 0;
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr);
    EVP_DigestSign(context.get(), nullptr, &size, data, size_t(input.size()));
    QByteArray der(qsizetype(size), '\0');
    EVP_DigestSign(
        context.get(), reinterpret_cast<unsigned char *>(der.data()), &size, data, size_t(input.size()));
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &bytes, long(size)), ECDSA_SIG_free);
    QByteArray raw(96, '\0');
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 48, 48);
    return input + '.' + idpforge::b64(raw);
}

// The same bytes spelled another way: the last character of the signature with
// one of its unused low bits set. Lenient decoders read it as the same signature.
QByteArray nonCanonical(const QByteArray &token)
{
    static const QByteArray alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QByteArray forged = token;
    const qsizetype index = alphabet.indexOf(forged.back());
    forged.back() = alphabet.at(index | 1);
    return forged;
}

QString codeOf(const QJsonValue &refusal)
{
    return refusal.toObject()
        .value(QStringLiteral("data"))
        .toObject()
        .value(QStringLiteral("code"))
        .toString();
}

qsizetype userCount(TestServer &server)
{
    const auto users = server.server().store().users().listUsers();
    return users ? users->size() : -1;
}

} // namespace

void TestForgedTokens::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_rsa = idpforge::rsaKey();
    m_ec = idpforge::ecKey();
    m_otherRsa = idpforge::rsaKey();
    m_rsa1024.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(1024)), EVP_PKEY_free);
    m_p384.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), EVP_PKEY_free);
    QVERIFY(!m_rsa.publicPem.isEmpty() && !m_ec.publicPem.isEmpty());
    QVERIFY(m_rsa1024 && m_p384);
}

QString TestForgedTokens::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

ServerConfig TestForgedTokens::configFor(const idpforge::Key &key, const QString &pemName)
{
    ServerConfig config;
    config.jwtPublicKeyFile = writeFile(pemName, key.publicPem);
    config.jwtIssuer = QString::fromLatin1(Issuer);
    config.jwtAudience = QString::fromLatin1(Audience);
    config.jwtKeyId = QString::fromLatin1(KeyId);
    config.limits.authPerMinute = 1000; // every forged token is also tried on /auth
    return config;
}

void TestForgedTokens::forgedTokensAreRefused_data()
{
    QTest::addColumn<bool>("ec");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("code");

    const QString invalid = QStringLiteral("AUTH_INVALID");
    for (const bool ec : {false, true}) {
        const idpforge::Key &key = ec ? m_ec : m_rsa;
        const auto row = [&](const char *name, const QByteArray &token, const QString &code) {
            QTest::addRow("%s %s", ec ? "ES256" : "RS256", name) << ec << token << code;
        };
        const QByteArray good = signWith(key, claims());

        row("alg none",
            idpforge::b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + '.' + idpforge::b64(claims()) + '.',
            invalid);
        row("alg none with a signature",
            idpforge::b64("{\"alg\":\"none\"}") + '.' + idpforge::b64(claims()) + '.' + idpforge::b64("sig"),
            invalid);
        const QByteArray hsInput =
            idpforge::b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + '.' + idpforge::b64(claims());
        row("HS256 keyed with the public key",
            hsInput + '.' +
                idpforge::b64(
                    QMessageAuthenticationCode::hash(hsInput, key.publicPem, QCryptographicHash::Sha256)),
            invalid);
        row("wrong kid", signWith(key, claims(), "key-2"), invalid);
        row("wrong iss",
            idpforge::sign(key, idpforge::header(key, KeyId),
                idpforge::claims("https://evil.example.org", Audience, "user_ada", now() + 600, now())),
            invalid);
        row("missing aud",
            signWith(key,
                "{\"iss\":\"" + Issuer +
                    "\",\"sub\":\"user_ada\",\"exp\":" + QByteArray::number(now() + 600) + '}'),
            invalid);
        row("wrong aud",
            signWith(key, idpforge::claims(Issuer, "another-app", "user_ada", now() + 600, now())), invalid);
        row("expired",
            signWith(key, idpforge::claims(Issuer, Audience, "user_ada", now() - 60, now() - 3600)),
            QStringLiteral("AUTH_EXPIRED"));
        row("nbf in the future",
            signWith(key, claims("user_ada", "\"nbf\":" + QByteArray::number(now() + 600))), invalid);
        QList<QByteArray> tampered = good.split('.');
        tampered[1] = idpforge::b64(claims("user_mallory"));
        row("payload changed after signing", tampered.join('.'), invalid);
        row("signature cut short", good.chopped(8), invalid);
        row("signed by another key",
            idpforge::sign(ec ? idpforge::ecKey() : m_otherRsa, idpforge::header(key, KeyId), claims()),
            invalid);
        row("ES256 header, P-384 key", signP384(m_p384.get(), claims()), invalid);
        idpforge::Key small {m_rsa1024, {}, false};
        row("RS256 from an RSA 1024 key", signWith(small, claims()), invalid);
        row("crit header",
            idpforge::sign(key,
                QByteArray("{\"alg\":\"") + (ec ? "ES256" : "RS256") +
                    "\",\"kid\":\"key-1\",\"crit\":[\"http://example.org/must-know\"]," +
                    "\"http://example.org/must-know\":true}",
                claims()),
            invalid);
        row("64 KiB token",
            signWith(key, claims("user_ada", "\"pad\":\"" + QByteArray(64 * 1024, 'x') + '"')), invalid);
        row("non-canonical base64url signature", nonCanonical(good), invalid);
        row("padded base64url", good + "==", invalid);
        row("standard base64 alphabet",
            good.split('.')[0] + '.' + good.split('.')[1] + '.' +
                QByteArray::fromBase64(good.split('.')[2], QByteArray::Base64UrlEncoding).toBase64(),
            invalid);
        row("four segments", good + ".e30", invalid);
        row("the other algorithm's name",
            idpforge::sign(key,
                ec ? "{\"alg\":\"RS256\",\"kid\":\"key-1\"}" : "{\"alg\":\"ES256\",\"kid\":\"key-1\"}",
                claims()),
            invalid);
    }
}

void TestForgedTokens::forgedTokensAreRefused()
{
    QFETCH(bool, ec);
    QFETCH(QByteArray, token);
    QFETCH(QString, code);

    TestServer server(TestServer::Storage::Memory,
        configFor(ec ? m_ec : m_rsa, ec ? QStringLiteral("es256.pem") : QStringLiteral("rs256.pem")));
    QVERIFY(server.start());
    QCOMPARE(userCount(server), 0);

    TestClient client(server.url());
    QVERIFY(!client.connectMain(QString::fromLatin1(token)));
    QCOMPARE(codeOf(client.refusal()), code);

    TestClient refresher(server.url());
    QVERIFY(refresher.connectAuth());
    const auto refreshed = refresher.request(QStringLiteral("/auth"), QStringLiteral("auth:refresh"),
        QJsonObject {{QStringLiteral("token"), QString::fromLatin1(token)}});
    QVERIFY(refreshed);
    QCOMPARE(errorCode(refreshed), code);

    QCOMPARE(userCount(server), 0);

    // The server is still sound: the provider's real token signs in, once.
    TestClient genuine(server.url());
    QVERIFY(genuine.connectMain(QString::fromLatin1(signWith(ec ? m_ec : m_rsa, claims()))));
    QCOMPARE(userCount(server), 1);
}

void TestForgedTokens::refreshKeepsTheProviderExpiry()
{
    TestServer server(TestServer::Storage::Memory, configFor(m_ec, QStringLiteral("es256.pem")));
    QVERIFY(server.start());
    TestClient client(server.url());
    QVERIFY(client.connectAuth());
    const auto refresh = [&](const QString &token) {
        return client.request(QStringLiteral("/auth"), QStringLiteral("auth:refresh"),
            QJsonObject {{QStringLiteral("token"), token}});
    };

    // A provider token that lives two minutes.
    const qint64 providerExp = now() + 120;
    const QString expected = protocol::formatTimestamp(QDateTime::fromSecsSinceEpoch(providerExp, Qt::UTC));
    const auto traded = refresh(QString::fromLatin1(
        signWith(m_ec, idpforge::claims(Issuer, Audience, "user_ada", providerExp, now() - 10))));
    QVERIFY(isSuccess(traded));
    QCOMPARE(traded->value(QStringLiteral("expiresAt")).toString(), expected);

    // Refreshing the Parley token keeps the limit, and so does refreshing that one.
    QString token = traded->value(QStringLiteral("token")).toString();
    for (int round = 0; round < 2; ++round) {
        const auto again = refresh(token);
        QVERIFY(isSuccess(again));
        QCOMPARE(again->value(QStringLiteral("expiresAt")).toString(), expected);
        token = again->value(QStringLiteral("token")).toString();
    }
    TestClient connected(server.url());
    QVERIFY(connected.connectMain(token));
}

void TestForgedTokens::audienceIsRequiredUnlessWaived()
{
    ServerConfig config = configFor(m_rsa, QStringLiteral("rs256.pem"));
    config.jwtAudience.clear();
    config.port = 0;
    {
        ChatServer refused(config);
        const auto started = refused.start();
        QVERIFY(!started);
        QVERIFY2(started.error().message.contains(QStringLiteral("--jwt-audience")),
            qPrintable(started.error().message));
    }

    // Waived explicitly: a token the issuer made for another app signs in.
    config.jwtAudienceAny = true;
    TestServer server(TestServer::Storage::Memory, config);
    QVERIFY(server.start());
    TestClient client(server.url());
    QVERIFY(client.connectMain(QString::fromLatin1(
        signWith(m_rsa, idpforge::claims(Issuer, "another-app", "user_ada", now() + 600, now())))));
}

QTEST_GUILESS_MAIN(TestForgedTokens)
#include "tst_forgedtokens.moc"
