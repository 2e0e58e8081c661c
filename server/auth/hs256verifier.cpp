#include "hs256verifier.h"

namespace parley::auth {

Hs256Verifier::Hs256Verifier(SecretKey key, VerificationPolicy policy)
    : m_key(std::move(key))
    , m_claims(std::move(policy))
{ }

TokenResult Hs256Verifier::verify(QByteArrayView token) const
{
    auto decoded = decodeCompactJwt(token, m_claims.policy().maxTokenSize);
    if (!decoded) {
        return decoded.error();
    }

    const QJsonValue alg = decoded->header.value(QLatin1String("alg"));
    if (!alg.isString() || alg.toString() != algorithm()) {
        return TokenError {TokenFailure::UnsupportedAlgorithm,
            QStringLiteral("only %1 tokens are accepted").arg(algorithm())};
    }
    // RFC 7515 §4.1.11: a critical extension we do not implement must be refused.
    if (decoded->header.contains(QLatin1String("crit"))) {
        return TokenError {TokenFailure::UnsupportedAlgorithm,
            QStringLiteral("the token requires extensions this server does not know")};
    }

    const QByteArray expected = hmacSha256(m_key.bytes(), decoded->signingInput);
    if (!constantTimeEquals(expected, decoded->signature)) {
        return TokenError {TokenFailure::BadSignature, QStringLiteral("the token signature does not match")};
    }
    return m_claims.validate(decoded->payloadJson);
}

} // namespace parley::auth
