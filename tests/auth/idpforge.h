#pragma once

#include <QByteArray>

#include <memory>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

// An identity provider made in the test: a fresh RSA 2048 or EC P-256 key, its
// public half as PEM, and tokens signed with it through OpenSSL directly, not
// through the code under test.
namespace idpforge {

struct Key
{
    std::shared_ptr<EVP_PKEY> pair;
    QByteArray publicPem;
    bool isEc = false;
};

inline QByteArray publicPemOf(EVP_PKEY *pair)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pair) != 1)
        return {};
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(size));
}

inline Key rsaKey()
{
    Key key;
    key.pair.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)), EVP_PKEY_free);
    key.publicPem = publicPemOf(key.pair.get());
    return key;
}

inline Key ecKey()
{
    Key key;
    key.pair.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    key.publicPem = publicPemOf(key.pair.get());
    key.isEc = true;
    return key;
}

inline QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// DER ECDSA-Sig-Value to JOSE's r || s, 32 bytes each.
inline QByteArray joseFromDer(const QByteArray &der)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &bytes, long(der.size())), ECDSA_SIG_free);
    if (!sig)
        return {};
    QByteArray raw(64, '\0');
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32);
    return raw;
}

inline QByteArray sign(const Key &key, const QByteArray &headerJson, const QByteArray &payloadJson)
{
    const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t size = 0;
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    if (EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key.pair.get(), nullptr) !=
            1 ||
        EVP_DigestSign(context.get(), nullptr, &size, data, size_t(input.size())) != 1)
        return {};
    QByteArray signature(qsizetype(size), '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &size, data,
            size_t(input.size())) != 1)
        return {};
    signature.resize(qsizetype(size));
    return input + '.' + b64(key.isEc ? joseFromDer(signature) : signature);
}

inline QByteArray header(const Key &key, const QByteArray &kid = {})
{
    QByteArray json = key.isEc ? "{\"alg\":\"ES256\",\"typ\":\"JWT\"" : "{\"alg\":\"RS256\",\"typ\":\"JWT\"";
    if (!kid.isEmpty())
        json += ",\"kid\":\"" + kid + '"';
    return json + '}';
}

// A Clerk-like payload: iss, aud, sub, exp, iat and a name; no ver.
inline QByteArray claims(const QByteArray &iss, const QByteArray &aud, const QByteArray &sub, qint64 exp,
    qint64 iat, const QByteArray &extra = {})
{
    QByteArray json = "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"" + sub +
        "\",\"exp\":" + QByteArray::number(exp) + ",\"iat\":" + QByteArray::number(iat);
    if (!extra.isEmpty())
        json += ',' + extra;
    return json + '}';
}

} // namespace idpforge
