#include "jwt.h"

#include "sodiuminit.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QMessageAuthenticationCode>

#include <sodium.h>

namespace parley::auth {

namespace {

constexpr auto Base64UrlOptions = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

bool isBase64UrlCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TokenError malformed(const QString &why)
{
    return {TokenFailure::Malformed, why};
}

} // namespace

QByteArray base64UrlEncode(const QByteArray &bytes)
{
    return bytes.toBase64(Base64UrlOptions);
}

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    for (const char c : text) {
        if (!isBase64UrlCharacter(c)) {
            return std::nullopt;
        }
    }
    // One leftover character cannot encode a byte.
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(
        text.toByteArray(), Base64UrlOptions | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return std::nullopt;
    }
    // Unused low bits in the last character must be zero; re-encoding is the
    // simplest proof that the text is the one canonical spelling of the bytes.
    if (base64UrlEncode(decoded.decoded) != text) {
        return std::nullopt;
    }
    return decoded.decoded;
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size()) {
        return false;
    }
    if (a.isEmpty()) {
        return true;
    }
    // libsodium's compare is written so the optimiser cannot turn it back into an
    // early-exit loop: the time does not tell an attacker how many leading bytes
    // of a forged signature were right.
    ensureSodium();
    return sodium_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

protocol::Result<DecodedJwt, TokenError> decodeCompactJwt(QByteArrayView token, qsizetype maxSize)
{
    if (token.size() > maxSize) {
        return TokenError {TokenFailure::TooLarge,
            QStringLiteral("token is %1 bytes, more than the %2 allowed").arg(token.size()).arg(maxSize)};
    }
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
        return malformed(QStringLiteral("a token has exactly three dot-separated parts"));
    }
    const QByteArrayView headerText = token.first(firstDot);
    const QByteArrayView payloadText = token.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signatureText = token.sliced(secondDot + 1);
    if (headerText.isEmpty() || payloadText.isEmpty() || signatureText.isEmpty()) {
        return malformed(QStringLiteral("a token part is empty"));
    }

    const auto headerJson = base64UrlDecode(headerText);
    const auto payloadJson = base64UrlDecode(payloadText);
    const auto signature = base64UrlDecode(signatureText);
    if (!headerJson || !payloadJson || !signature) {
        return malformed(QStringLiteral("a token part is not valid base64url"));
    }

    QJsonParseError parseError;
    const QJsonDocument header = QJsonDocument::fromJson(*headerJson, &parseError);
    if (parseError.error != QJsonParseError::NoError || !header.isObject()) {
        return malformed(QStringLiteral("the token header is not a JSON object"));
    }

    DecodedJwt decoded;
    decoded.header = header.object();
    decoded.payloadJson = *payloadJson;
    decoded.signingInput = token.first(secondDot).toByteArray();
    decoded.signature = *signature;
    return decoded;
}

} // namespace parley::auth
