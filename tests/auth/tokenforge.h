#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMessageAuthenticationCode>

// Builds tokens the way an attacker or a foreign library would: from raw header
// and payload JSON, with any HMAC. Independent of TokenSigner on purpose, so the
// tests do not check the code against itself.
namespace tokenforge {

// 2027-01-15T08:00:00Z: the instant every test stands at.
inline constexpr qint64 Now = 1800000000;
inline QDateTime nowDateTime()
{
    return QDateTime::fromSecsSinceEpoch(Now, Qt::UTC);
}

inline QByteArray key()
{
    return QByteArrayLiteral("parley-test-key-0123456789abcdef");
}

inline QByteArray otherKey()
{
    return QByteArrayLiteral("another-key-of-32-bytes-00000000");
}

inline QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

inline QByteArray hs256Header()
{
    return QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})");
}

inline QByteArray sign(const QByteArray &headerJson, const QByteArray &payloadJson,
    const QByteArray &signingKey = key(), QCryptographicHash::Algorithm hmac = QCryptographicHash::Sha256)
{
    const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, signingKey, hmac));
}

// {"sub":..,"iat":..,"exp":..,"ver":..} plus `extra` members ("\"nbf\":1" ...).
inline QByteArray claims(const QByteArray &sub, qint64 exp, int ver = 0, const QByteArray &extra = {})
{
    QByteArray json = "{\"sub\":\"" + sub + "\",\"iat\":" + QByteArray::number(Now - 60) +
        ",\"exp\":" + QByteArray::number(exp) + ",\"ver\":" + QByteArray::number(ver);
    if (!extra.isEmpty()) {
        json += ',' + extra;
    }
    return json + '}';
}

inline QByteArray validToken(const QByteArray &sub = "42", int ver = 0)
{
    return sign(hs256Header(), claims(sub, Now + 3600, ver));
}

} // namespace tokenforge
