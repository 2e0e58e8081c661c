// An identity provider's tokens (RS256, ES256), checked by PublicKeyVerifier
// against keys made at start-up. Chosen by the first byte:
//  0, 1  the input as a compact token for the RS256 / the ES256 verifier;
//  2, 3  a header and a payload from the input, really signed with the matching
//        private key, so the claims checks behind a valid signature are reached;
//  4     a well-formed ES256 token whose signature bytes are the input (the
//        r || s to DER conversion);
//  5     the input as a PEM public key.
#include "jwt.h"
#include "publickeyverifier.h"

#include <QDateTime>

#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace parley::auth;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

VerificationPolicy policy()
{
    VerificationPolicy policy;
    policy.issuer = QStringLiteral("https://idp.example");
    policy.audience = QStringLiteral("parley");
    policy.clock = [] { return QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC); };
    return policy;
}

QByteArray publicPem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char *bytes = nullptr;
    const long size = BIO_get_mem_data(bio, &bytes);
    QByteArray pem(bytes, qsizetype(size));
    BIO_free(bio);
    return pem;
}

QByteArray digestSign(EVP_PKEY *key, const QByteArray &message)
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t size = 0;
    EVP_DigestSignInit_ex(context, nullptr, "SHA256", nullptr, nullptr, key, nullptr);
    const auto *in = reinterpret_cast<const unsigned char *>(message.constData());
    EVP_DigestSign(context, nullptr, &size, in, size_t(message.size()));
    QByteArray signature(qsizetype(size), Qt::Uninitialized);
    EVP_DigestSign(
        context, reinterpret_cast<unsigned char *>(signature.data()), &size, in, size_t(message.size()));
    EVP_MD_CTX_free(context);
    signature.resize(qsizetype(size));
    return signature;
}

// JOSE wants r || s, 32 bytes each, where OpenSSL writes DER.
QByteArray derToJose(const QByteArray &der)
{
    const auto *in = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *signature = d2i_ECDSA_SIG(nullptr, &in, long(der.size()));
    QByteArray jose(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(signature), reinterpret_cast<unsigned char *>(jose.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(signature), reinterpret_cast<unsigned char *>(jose.data()) + 32, 32);
    ECDSA_SIG_free(signature);
    return jose;
}

struct Keys
{
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    std::unique_ptr<PublicKeyVerifier> rs256 =
        std::move(PublicKeyVerifier::fromPem(publicPem(rsa), QStringLiteral("key-1"), policy()).value());
    std::unique_ptr<PublicKeyVerifier> es256 =
        std::move(PublicKeyVerifier::fromPem(publicPem(ec), QStringLiteral("key-1"), policy()).value());
};

const Keys &keys()
{
    static const Keys instance;
    return instance;
}

void checkClaims(const TokenResult &result)
{
    if (result)
        require(!result->subject.isEmpty() && result->expiresAt > 0);
}

QByteArray signedToken(FuzzedDataProvider &input, EVP_PKEY *key, bool jose)
{
    const QByteArray header = QByteArray::fromStdString(input.ConsumeRandomLengthString(512));
    const QByteArray payload = QByteArray::fromStdString(input.ConsumeRemainingBytesAsString());
    const QByteArray signingInput = base64UrlEncode(header) + '.' + base64UrlEncode(payload);
    const QByteArray signature = digestSign(key, signingInput);
    return signingInput + '.' + base64UrlEncode(jose ? derToJose(signature) : signature);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const Keys &k = keys();
    FuzzedDataProvider input(data, size);
    switch (input.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
    case 1: {
        const std::string token = input.ConsumeRemainingBytesAsString();
        const auto &verifier = token.size() % 2 ? k.rs256 : k.es256;
        checkClaims(verifier->verify(QByteArrayView(token.data(), qsizetype(token.size()))));
        break;
    }
    case 2:
        checkClaims(k.rs256->verify(signedToken(input, k.rsa, false)));
        break;
    case 3:
        checkClaims(k.es256->verify(signedToken(input, k.ec, true)));
        break;
    case 4: {
        const QByteArray signingInput = base64UrlEncode(R"({"alg":"ES256","kid":"key-1"})") + '.' +
            base64UrlEncode(R"({"sub":"u1","iss":"https://idp.example","aud":"parley","exp":1900000000})");
        const QByteArray signature = QByteArray::fromStdString(input.ConsumeRemainingBytesAsString());
        // Only a signature the private key made may pass; random bytes never do.
        require(!k.es256->verify(signingInput + '.' + base64UrlEncode(signature)));
        break;
    }
    default: {
        const QByteArray pem = QByteArray::fromStdString(input.ConsumeRemainingBytesAsString());
        const auto created = PublicKeyVerifier::fromPem(pem, QString(), policy());
        if (created)
            require((*created)->algorithm() == QLatin1String("RS256") ||
                (*created)->algorithm() == QLatin1String("ES256"));
        break;
    }
    }
    return 0;
}
