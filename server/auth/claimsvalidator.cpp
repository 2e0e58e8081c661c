#include "claimsvalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <limits>

namespace parley::auth {

namespace {

// Year 10000: beyond it QDateTime arithmetic and our own sums would overflow.
constexpr double LatestNumericDate = 253402300800.0;

TokenError invalidClaim(const QString &why)
{
    return {TokenFailure::InvalidClaims, why};
}

// NumericDate (RFC 7519 §2) may carry a fraction; whole seconds are enough here.
std::optional<qint64> numericDate(const QJsonValue &value)
{
    if (!value.isDouble()) {
        return std::nullopt;
    }
    const double seconds = value.toDouble();
    if (!std::isfinite(seconds) || seconds < 0 || seconds >= LatestNumericDate) {
        return std::nullopt;
    }
    return qint64(std::floor(seconds));
}

} // namespace

TokenResult ClaimsValidator::validate(const QByteArray &payloadJson) const
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payloadJson, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return TokenError {TokenFailure::Malformed, QStringLiteral("the token payload is not a JSON object")};
    }
    const QJsonObject payload = document.object();
    TokenClaims claims;

    const QJsonValue sub = payload.value(QLatin1String("sub"));
    if (!sub.isString() || sub.toString().isEmpty()) {
        return invalidClaim(QStringLiteral("the token has no subject"));
    }
    claims.subject = sub.toString();

    const auto exp = numericDate(payload.value(QLatin1String("exp")));
    if (!exp) {
        return invalidClaim(QStringLiteral("the token has no valid expiry"));
    }
    claims.expiresAt = *exp;

    if (payload.contains(QLatin1String("iat"))) {
        claims.issuedAt = numericDate(payload.value(QLatin1String("iat")));
        if (!claims.issuedAt) {
            return invalidClaim(QStringLiteral("the token's issue time is not a date"));
        }
    }
    if (payload.contains(QLatin1String("nbf"))) {
        claims.notBefore = numericDate(payload.value(QLatin1String("nbf")));
        if (!claims.notBefore) {
            return invalidClaim(QStringLiteral("the token's not-before time is not a date"));
        }
    }
    if (payload.contains(QLatin1String("pxp"))) {
        claims.hardExpiresAt = numericDate(payload.value(QLatin1String("pxp")));
        if (!claims.hardExpiresAt) {
            return invalidClaim(QStringLiteral("the token's hard expiry is not a date"));
        }
    }
    if (payload.contains(QLatin1String("ver"))) {
        const QJsonValue ver = payload.value(QLatin1String("ver"));
        const double number = ver.toDouble(-1);
        if (!ver.isDouble() || number < 0 || number > std::numeric_limits<int>::max() ||
            number != std::floor(number)) {
            return invalidClaim(QStringLiteral("the token version is not a whole number"));
        }
        claims.version = int(number);
    }

    const QJsonValue iss = payload.value(QLatin1String("iss"));
    if (!iss.isUndefined() && !iss.isString()) {
        return invalidClaim(QStringLiteral("the token issuer is not a string"));
    }
    claims.issuer = iss.toString();

    const QJsonValue aud = payload.value(QLatin1String("aud"));
    if (aud.isString()) {
        claims.audience = {aud.toString()};
    } else if (aud.isArray()) {
        for (const QJsonValue &entry : aud.toArray()) {
            if (!entry.isString()) {
                return invalidClaim(QStringLiteral("the token audience is not a list of strings"));
            }
            claims.audience.append(entry.toString());
        }
    } else if (!aud.isUndefined()) {
        return invalidClaim(QStringLiteral("the token audience is not a string"));
    }

    claims.preferredUsername = payload.value(QLatin1String("preferred_username")).toString();
    claims.name = payload.value(QLatin1String("name")).toString();

    const qint64 now = m_policy.clock().toSecsSinceEpoch();
    const qint64 leeway = m_policy.leeway.count();
    const qint64 lastSecond = std::min(claims.expiresAt, claims.hardExpiresAt.value_or(claims.expiresAt));
    if (now > lastSecond + leeway) {
        return TokenError {TokenFailure::Expired, QStringLiteral("the token has expired")};
    }
    if (claims.notBefore && now + leeway < *claims.notBefore) {
        return TokenError {TokenFailure::NotYetValid, QStringLiteral("the token is not valid yet")};
    }
    if (!m_policy.issuer.isEmpty() && claims.issuer != m_policy.issuer) {
        return TokenError {TokenFailure::WrongIssuer, QStringLiteral("the token comes from another issuer")};
    }
    if (!m_policy.audience.isEmpty() && !claims.audience.contains(m_policy.audience)) {
        return TokenError {
            TokenFailure::WrongAudience, QStringLiteral("the token is meant for another audience")};
    }
    return claims;
}

} // namespace parley::auth
