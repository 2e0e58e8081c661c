#include "publickeyverifier.h"

#include <QFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace parley::auth {

namespace {

// Below this an RSA key is breakable; no identity provider issues one.
constexpr int MinimumRsaBits = 2048;
// ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4), not DER.
constexpr qsizetype Es256PartSize = 32;

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct MdContextDeleter
{
    void operator()(EVP_MD_CTX *context) const { EVP_MD_CTX_free(context); }
};
struct EcdsaSigDeleter
{
    void operator()(ECDSA_SIG *signature) const { ECDSA_SIG_free(signature); }
};

// JOSE's fixed-size r || s as the DER sequence OpenSSL verifies; empty when the
// size is wrong.
QByteArray es256SignatureAsDer(const QByteArray &raw)
{
    if (raw.size() != 2 * Es256PartSize)
        return {};
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.constData());
    BIGNUM *r = BN_bin2bn(bytes, int(Es256PartSize), nullptr);
    BIGNUM *s = BN_bin2bn(bytes + Es256PartSize, int(Es256PartSize), nullptr);
    std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> signature(ECDSA_SIG_new());
    if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    const int size = i2d_ECDSA_SIG(signature.get(), nullptr);
    if (size <= 0)
        return {};
    QByteArray der(size, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(signature.get(), &out) != size)
        return {};
    return der;
}

} // namespace

void PublicKeyVerifier::KeyDeleter::operator()(EVP_PKEY *key) const
{
    EVP_PKEY_free(key);
}

PublicKeyVerifier::PublicKeyVerifier(
    std::unique_ptr<EVP_PKEY, KeyDeleter> key, Kind kind, QString keyId, VerificationPolicy policy)
    : m_key(std::move(key))
    , m_kind(kind)
    , m_keyId(std::move(keyId))
    , m_claims(std::move(policy))
{ }

PublicKeyVerifier::~PublicKeyVerifier() = default;

PublicKeyVerifier::Created PublicKeyVerifier::fromPem(
    const QByteArray &pem, const QString &keyId, VerificationPolicy policy)
{
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return QStringLiteral("out of memory reading the public key");
    std::unique_ptr<EVP_PKEY, KeyDeleter> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        return QStringLiteral("not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");

    if (EVP_PKEY_is_a(key.get(), "RSA")) {
        if (EVP_PKEY_get_bits(key.get()) < MinimumRsaBits)
            return QStringLiteral("the RSA key has fewer than %1 bits").arg(MinimumRsaBits);
        return std::unique_ptr<PublicKeyVerifier>(
            new PublicKeyVerifier(std::move(key), Kind::Rs256, keyId, std::move(policy)));
    }
    if (EVP_PKEY_is_a(key.get(), "EC")) {
        char group[64] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(
                key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
            QByteArrayView(group, qsizetype(length)) != "prime256v1")
            return QStringLiteral("the EC key is not on the P-256 curve (ES256)");
        return std::unique_ptr<PublicKeyVerifier>(
            new PublicKeyVerifier(std::move(key), Kind::Es256, keyId, std::move(policy)));
    }
    return QStringLiteral("the key is neither RSA (RS256) nor EC P-256 (ES256)");
}

PublicKeyVerifier::Created PublicKeyVerifier::fromPemFile(
    const QString &path, const QString &keyId, VerificationPolicy policy)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    // A PEM public key is well under a few KiB; refuse to slurp anything else.
    const QByteArray pem = file.read(64 * 1024);
    auto created = fromPem(pem, keyId, std::move(policy));
    if (!created)
        return QStringLiteral("%1: %2").arg(path, created.error());
    return created;
}

QLatin1String PublicKeyVerifier::algorithm() const
{
    return m_kind == Kind::Rs256 ? QLatin1String("RS256") : QLatin1String("ES256");
}

bool PublicKeyVerifier::signatureHolds(const QByteArray &signingInput, const QByteArray &signature) const
{
    const QByteArray der = m_kind == Kind::Es256 ? es256SignatureAsDer(signature) : signature;
    if (der.isEmpty())
        return false;
    std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(EVP_MD_CTX_new());
    // RS256 is PKCS #1 v1.5, OpenSSL's default padding for an RSA key.
    if (!context ||
        EVP_DigestVerifyInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, m_key.get(), nullptr) !=
            1)
        return false;
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char *>(der.constData()),
               size_t(der.size()), reinterpret_cast<const unsigned char *>(signingInput.constData()),
               size_t(signingInput.size())) == 1;
}

TokenResult PublicKeyVerifier::verify(QByteArrayView token) const
{
    auto decoded = decodeCompactJwt(token, m_claims.policy().maxTokenSize);
    if (!decoded)
        return decoded.error();

    // The configured key fixes the algorithm; the header may only agree with it.
    const QJsonValue alg = decoded->header.value(QLatin1String("alg"));
    if (!alg.isString() || alg.toString() != algorithm())
        return TokenError {TokenFailure::UnsupportedAlgorithm,
            QStringLiteral("only %1 tokens are accepted from the identity provider").arg(algorithm())};
    if (decoded->header.contains(QLatin1String("crit")))
        return TokenError {TokenFailure::UnsupportedAlgorithm,
            QStringLiteral("the token requires extensions this server does not know")};
    const QJsonValue kid = decoded->header.value(QLatin1String("kid"));
    if (!m_keyId.isEmpty() && !kid.isUndefined() && kid.toString() != m_keyId)
        return TokenError {
            TokenFailure::BadSignature, QStringLiteral("the token names a key this server does not have")};

    if (!signatureHolds(decoded->signingInput, decoded->signature))
        return TokenError {TokenFailure::BadSignature, QStringLiteral("the token signature does not match")};
    return m_claims.validate(decoded->payloadJson);
}

} // namespace parley::auth
