#include "tokensigner.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace parley::auth {

QByteArray TokenSigner::sign(const TokenClaims &claims) const
{
    const QJsonObject header {
        {QLatin1String("alg"), QLatin1String("HS256")}, {QLatin1String("typ"), QLatin1String("JWT")}};

    QJsonObject payload {{QLatin1String("sub"), claims.subject}, {QLatin1String("exp"), claims.expiresAt}};
    if (claims.issuedAt) {
        payload.insert(QLatin1String("iat"), *claims.issuedAt);
    }
    if (claims.notBefore) {
        payload.insert(QLatin1String("nbf"), *claims.notBefore);
    }
    if (claims.version) {
        payload.insert(QLatin1String("ver"), *claims.version);
    }
    if (claims.hardExpiresAt) {
        payload.insert(QLatin1String("pxp"), *claims.hardExpiresAt);
    }
    if (!claims.issuer.isEmpty()) {
        payload.insert(QLatin1String("iss"), claims.issuer);
    }
    if (claims.audience.size() == 1) {
        payload.insert(QLatin1String("aud"), claims.audience.constFirst());
    } else if (!claims.audience.isEmpty()) {
        payload.insert(QLatin1String("aud"), QJsonArray::fromStringList(claims.audience));
    }

    const QByteArray signingInput = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) +
        '.' + base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    return signingInput + '.' + base64UrlEncode(hmacSha256(m_key.bytes(), signingInput));
}

} // namespace parley::auth
