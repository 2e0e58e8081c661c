#pragma once

#include "jwt.h"

#include <QByteArrayView>
#include <QLatin1String>

namespace parley::auth {

// Checks one kind of token: one algorithm, one key, one policy, all fixed by
// configuration. The header's alg only has to match; it never chooses how the
// token is checked, which is what makes "alg": "none" and key-confusion
// attacks impossible: Hs256Verifier for Parley's own tokens, PublicKeyVerifier
// (RS256/ES256) for an identity provider's.
class TokenVerifier
{
public:
    virtual ~TokenVerifier() = default;

    // The JWS "alg" this verifier accepts, e.g. "HS256".
    virtual QLatin1String algorithm() const = 0;
    // The claims of a token whose signature and claims hold, or why not.
    virtual TokenResult verify(QByteArrayView token) const = 0;
};

} // namespace parley::auth
