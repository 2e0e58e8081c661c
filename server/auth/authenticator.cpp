#include "authenticator.h"

#include "authlog.h"

#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>

namespace parley::auth {

namespace {

QLatin1String sourceName(TokenSource source)
{
    switch (source) {
    case TokenSource::ConnectPayload:
        return QLatin1String("CONNECT payload");
    case TokenSource::AuthorizationHeader:
        return QLatin1String("Authorization header");
    case TokenSource::QueryParameter:
        return QLatin1String("token query parameter");
    case TokenSource::EventPayload:
        return QLatin1String("event payload");
    }
    return QLatin1String("?");
}

AuthFailure invalid(const QString &message)
{
    return {protocol::ErrorCode::AuthInvalid, message};
}

// "Bearer <token>": the scheme is case-insensitive (RFC 7235 §2.1). Another
// scheme is not ours to read, so it counts as no token here.
std::optional<QByteArray> bearerToken(const QByteArray &header)
{
    const QByteArray value = header.trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space < 0 || value.first(space).compare("bearer", Qt::CaseInsensitive) != 0) {
        return std::nullopt;
    }
    const QByteArray token = value.sliced(space + 1).trimmed();
    return token.isEmpty() ? std::nullopt : std::optional(token);
}

} // namespace

Authenticator::Authenticator(SecretKey key, UserLookup users, AuthenticatorConfig config)
    : m_verifier(key, config.policy)
    , m_external(std::move(config.externalVerifier))
    , m_resolveExternal(std::move(config.resolveExternalUser))
    , m_signer(std::move(key))
    , m_users(std::move(users))
    , m_lifetime(config.tokenLifetime)
    , m_clock(std::move(config.policy.clock))
    , m_issuer(std::move(config.policy.issuer))
    , m_audience(std::move(config.policy.audience))
{ }

Authenticator::Picked Authenticator::pickToken(const TokenSources &sources)
{
    // An empty or null token means "none here", as socket.io-client sends
    // `auth: {}` or `{token: null}` when it has nothing stored.
    const QJsonValue payloadToken = sources.connectAuth.toObject().value(QLatin1String("token"));
    if (payloadToken.isString() && !payloadToken.toString().isEmpty()) {
        return std::pair(payloadToken.toString().toUtf8(), TokenSource::ConnectPayload);
    }
    if (!payloadToken.isUndefined() && !payloadToken.isNull() && !payloadToken.isString()) {
        return invalid(QStringLiteral("the token in the CONNECT payload is not a string"));
    }

    if (const auto token = bearerToken(sources.authorizationHeader)) {
        return std::pair(*token, TokenSource::AuthorizationHeader);
    }

    const QString queryToken =
        QUrlQuery(sources.requestUrl).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    if (!queryToken.isEmpty()) {
        return std::pair(queryToken.toUtf8(), TokenSource::QueryParameter);
    }
    return AuthFailure {protocol::ErrorCode::AuthMissing, QStringLiteral("no token was sent")};
}

Authenticator::Outcome Authenticator::authenticate(const TokenSources &sources) const
{
    const Picked picked = pickToken(sources);
    if (!picked) {
        qCInfo(lcAuth) << "connection refused:" << picked.error().message;
        return picked.error();
    }
    return check(picked->first, picked->second);
}

Authenticator::Outcome Authenticator::authenticateToken(const QByteArray &token) const
{
    if (token.isEmpty()) {
        return AuthFailure {protocol::ErrorCode::AuthMissing, QStringLiteral("no token was sent")};
    }
    return check(token, TokenSource::EventPayload);
}

Authenticator::Outcome Authenticator::check(const QByteArray &token, TokenSource source) const
{
    if (isExternal(token))
        return checkExternal(token, source);
    // Logs name the source and the reason, never the token: even a prefix of a
    // valid token is of no use to whoever reads the log, so there is none.
    const TokenResult verified = m_verifier.verify(token);
    if (!verified) {
        qCInfo(lcAuth) << "token from the" << sourceName(source) << "refused:" << verified.error().message;
        return AuthFailure {verified.error().code(), verified.error().message};
    }
    const TokenClaims &claims = *verified;
    if (!claims.version) {
        qCInfo(lcAuth) << "token for user" << claims.subject << "refused: no version claim";
        return invalid(QStringLiteral("the token has no version"));
    }

    const std::optional<UserAuthState> user = m_users(claims.subject);
    if (!user) {
        qCInfo(lcAuth) << "token refused: user" << claims.subject << "does not exist";
        return invalid(QStringLiteral("the token's user does not exist"));
    }
    if (user->disabled) {
        qCInfo(lcAuth) << "token refused: user" << claims.subject << "is disabled";
        return invalid(QStringLiteral("the account is disabled"));
    }
    if (*claims.version != user->tokenVersion) {
        qCInfo(lcAuth) << "token refused: user" << claims.subject << "has revoked version" << *claims.version;
        return invalid(QStringLiteral("the token has been revoked"));
    }

    qCDebug(lcAuth) << "user" << claims.subject << "authenticated by the" << sourceName(source);
    AuthenticatedUser authenticated {
        claims.subject, QDateTime::fromSecsSinceEpoch(claims.expiresAt, Qt::UTC), source, std::nullopt};
    if (claims.hardExpiresAt) {
        authenticated.hardExpiresAt = QDateTime::fromSecsSinceEpoch(*claims.hardExpiresAt, Qt::UTC);
        authenticated.expiresAt = std::min(authenticated.expiresAt, *authenticated.hardExpiresAt);
    }
    return authenticated;
}

bool Authenticator::isExternal(const QByteArray &token) const
{
    // The header's alg only routes the token to a verifier, whose own configured
    // algorithm is the one that counts: an HS256 token always goes to Parley's
    // verifier and its secret, never near the public key.
    if (!m_external || !m_resolveExternal)
        return false;
    const auto decoded = decodeCompactJwt(token, m_verifier.policy().maxTokenSize);
    return decoded && decoded->header.value(QLatin1String("alg")).toString() == m_external->algorithm();
}

Authenticator::Outcome Authenticator::checkExternal(const QByteArray &token, TokenSource source) const
{
    const TokenResult verified = m_external->verify(token);
    if (!verified) {
        qCInfo(lcAuth) << "identity provider token from the" << sourceName(source)
                       << "refused:" << verified.error().message;
        return AuthFailure {verified.error().code(), verified.error().message};
    }
    const TokenClaims &claims = *verified;
    // The user is keyed by (iss, sub): without an issuer there is no key.
    if (claims.issuer.isEmpty()) {
        qCInfo(lcAuth) << "identity provider token refused: no issuer";
        return invalid(QStringLiteral("the token has no issuer"));
    }
    const auto userId = m_resolveExternal(claims);
    if (!userId) {
        qCWarning(lcAuth) << "identity provider user" << claims.subject
                          << "not provisioned:" << userId.error().message;
        return invalid(QStringLiteral("no account could be found or made for this identity"));
    }
    // No version check: the identity provider knows nothing of Parley's token
    // versions. A disabled account is still refused.
    const std::optional<UserAuthState> user = m_users(*userId);
    if (!user) {
        qCWarning(lcAuth) << "identity provider user" << *userId << "vanished after provisioning";
        return invalid(QStringLiteral("the token's user does not exist"));
    }
    if (user->disabled) {
        qCInfo(lcAuth) << "token refused: user" << *userId << "is disabled";
        return invalid(QStringLiteral("the account is disabled"));
    }
    qCDebug(lcAuth) << "user" << *userId << "authenticated by an identity provider token from the"
                    << sourceName(source);
    // The provider's exp bounds every Parley token traded for this one: a leaked
    // short-lived provider token must not become a month of access.
    const QDateTime expiresAt = QDateTime::fromSecsSinceEpoch(claims.expiresAt, Qt::UTC);
    return AuthenticatedUser {*userId, expiresAt, source, expiresAt};
}

IssuedToken Authenticator::issueToken(
    const QString &userId, int tokenVersion, std::optional<QDateTime> hardExpiresAt) const
{
    const qint64 now = m_clock().toSecsSinceEpoch();
    TokenClaims claims;
    claims.subject = userId;
    claims.issuedAt = now;
    claims.expiresAt = now + m_lifetime.count();
    if (hardExpiresAt) {
        claims.hardExpiresAt = hardExpiresAt->toSecsSinceEpoch();
        claims.expiresAt = std::min(claims.expiresAt, *claims.hardExpiresAt);
    }
    claims.version = tokenVersion;
    // Our own verifier demands iss/aud when configured, so our tokens carry them.
    claims.issuer = m_issuer;
    if (!m_audience.isEmpty()) {
        claims.audience = {m_audience};
    }
    return {
        QString::fromLatin1(m_signer.sign(claims)), QDateTime::fromSecsSinceEpoch(claims.expiresAt, Qt::UTC)};
}

} // namespace parley::auth
