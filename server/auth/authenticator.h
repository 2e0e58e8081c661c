#pragma once

#include "clock.h"
#include "hs256verifier.h"
#include "protocol/catalogue.h"
#include "protocol/result.h"
#include "tokensigner.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonValue>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace parley::auth {

// What the server knows about a user that decides whether their tokens still count.
struct UserAuthState
{
    int tokenVersion = 0; // bumped by a password change or log-out: older tokens die
    bool disabled = false;
};
// Injected so this target does not depend on the store; nullopt = no such user.
using UserLookup = std::function<std::optional<UserAuthState>(const QString &userId)>;

// Where a connection may have put its token (docs/protocol.md §3), checked in
// this order; the first one present is the only one used.
struct TokenSources
{
    QJsonValue connectAuth; // the CONNECT packet's auth payload, e.g. {"token": "..."}
    QByteArray authorizationHeader; // the upgrade request's "Authorization" value
    QUrl requestUrl; // the upgrade request's URL, for ?token=
};

enum class TokenSource
{
    ConnectPayload,
    AuthorizationHeader,
    QueryParameter,
    EventPayload, // handed over in an event (auth:refresh): authenticateToken()
};

struct AuthenticatedUser
{
    QString userId;
    QDateTime expiresAt; // UTC; the server disconnects the socket then
    TokenSource source = TokenSource::ConnectPayload;
    // Set when the token came from an identity provider, or is a Parley token
    // traded for one: no token issued from it may live past this (UTC).
    std::optional<QDateTime> hardExpiresAt;
};

struct AuthFailure
{
    protocol::ErrorCode code; // AuthMissing, AuthExpired or AuthInvalid
    QString message; // human readable; safe to send to the client
};

struct IssuedToken
{
    QString token;
    QDateTime expiresAt; // UTC
};

// Finds or provisions the Parley user behind an external identity (claims.issuer,
// claims.subject): their Parley id, or why there is none. Injected, as UserLookup.
struct ExternalUserError
{
    QString message; // for the server log only
};
using ExternalUserResolver =
    std::function<protocol::Result<QString, ExternalUserError>(const TokenClaims &claims)>;

struct AuthenticatorConfig
{
    std::chrono::seconds tokenLifetime = std::chrono::days(30);
    VerificationPolicy policy; // leeway, iss/aud, size cap and the clock
    // An identity provider's tokens (RS256/ES256), checked beside Parley's own
    // HS256 ones; null: only Parley's tokens count. Needs resolveExternalUser.
    std::shared_ptr<const TokenVerifier> externalVerifier;
    ExternalUserResolver resolveExternalUser;
};

// The one place the server checks who is connecting, before any handler runs:
// pick the token, verify it, and make sure its user still exists, is enabled and
// has not revoked it. Also mints the tokens /auth hands out, so issuing and
// checking cannot drift apart.
class Authenticator
{
public:
    Authenticator(SecretKey key, UserLookup users, AuthenticatorConfig config = {});

    using Outcome = protocol::Result<AuthenticatedUser, AuthFailure>;

    Outcome authenticate(const TokenSources &sources) const;
    // A token handed over directly (auth:refresh).
    Outcome authenticateToken(const QByteArray &token) const;

    // hardExpiresAt: the AuthenticatedUser's of the token this one replaces (auth:refresh);
    // the new token expires no later and carries the limit on (claim pxp).
    IssuedToken issueToken(
        const QString &userId, int tokenVersion, std::optional<QDateTime> hardExpiresAt = std::nullopt) const;

private:
    using Picked = protocol::Result<std::pair<QByteArray, TokenSource>, AuthFailure>;
    static Picked pickToken(const TokenSources &sources);
    Outcome check(const QByteArray &token, TokenSource source) const;
    bool isExternal(const QByteArray &token) const;
    Outcome checkExternal(const QByteArray &token, TokenSource source) const;

    Hs256Verifier m_verifier;
    std::shared_ptr<const TokenVerifier> m_external;
    ExternalUserResolver m_resolveExternal;
    TokenSigner m_signer;
    UserLookup m_users;
    std::chrono::seconds m_lifetime;
    WallClock m_clock;
    QString m_issuer;
    QString m_audience;
};

} // namespace parley::auth
