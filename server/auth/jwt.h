#pragma once

#include "protocol/catalogue.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// The JSON Web Token pieces every algorithm shares: the claims Parley uses, the
// typed failure, and a strict decoder of the compact form. Signing and checking a
// signature belong to the per-algorithm classes (Hs256Verifier, TokenSigner).
namespace parley::auth {

// Times are NumericDate: seconds since the epoch, UTC.
struct TokenClaims
{
    QString subject; // sub: the Parley user id
    std::optional<qint64> issuedAt; // iat
    qint64 expiresAt = 0; // exp: required, Parley issues no eternal tokens
    std::optional<qint64> notBefore; // nbf
    std::optional<int> version; // ver: the user's token version when it was issued
    // pxp: a Parley token traded for an identity provider's token never outlives
    // that token; every refresh of it carries the same limit on.
    std::optional<qint64> hardExpiresAt;
    QString issuer; // iss, empty when absent
    QStringList audience; // aud, a string or an array on the wire
    // An identity provider's profile claims, empty when absent or not strings;
    // they name a user Parley provisions for an external identity.
    QString preferredUsername; // preferred_username
    QString name; // name
};

enum class TokenFailure
{
    TooLarge, // refused before any parsing
    Malformed, // segment count, base64url, JSON shape
    UnsupportedAlgorithm, // header alg other than the configured one, or crit
    BadSignature,
    Expired, // past exp + leeway
    NotYetValid, // before nbf - leeway
    WrongIssuer,
    WrongAudience,
    InvalidClaims, // a required claim missing or of the wrong type
};

struct TokenError
{
    TokenFailure failure;
    QString message; // for logs and the client; never contains the token

    // The contract's code: AUTH_EXPIRED for an expired token, AUTH_INVALID otherwise.
    protocol::ErrorCode code() const
    {
        return failure == TokenFailure::Expired ? protocol::ErrorCode::AuthExpired
                                                : protocol::ErrorCode::AuthInvalid;
    }
};

using TokenResult = protocol::Result<TokenClaims, TokenError>;

// A compact JWT split and decoded, signature not yet checked.
struct DecodedJwt
{
    QJsonObject header;
    QByteArray payloadJson; // parsed only after the signature holds
    QByteArray signingInput; // "<header>.<payload>" exactly as received
    QByteArray signature; // raw bytes
};

// Strict: exactly three segments, each non-empty canonical unpadded base64url,
// the header a JSON object. Tokens longer than maxSize are refused before any
// work is done on them.
protocol::Result<DecodedJwt, TokenError> decodeCompactJwt(QByteArrayView token, qsizetype maxSize);

QByteArray base64UrlEncode(const QByteArray &bytes); // unpadded, RFC 7515 §2
// Only the canonical unpadded form is accepted, so one token has one spelling.
std::optional<QByteArray> base64UrlDecode(QByteArrayView text);

QByteArray hmacSha256(const QByteArray &key, const QByteArray &message);
// Time independent of where the inputs differ (not of their lengths, which are public).
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace parley::auth
