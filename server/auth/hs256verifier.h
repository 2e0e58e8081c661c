#pragma once

#include "claimsvalidator.h"
#include "secretkey.h"
#include "tokenverifier.h"

namespace parley::auth {

// Verifies the tokens Parley signs itself: HMAC-SHA256 with the server's key.
class Hs256Verifier : public TokenVerifier
{
public:
    Hs256Verifier(SecretKey key, VerificationPolicy policy);

    QLatin1String algorithm() const override { return QLatin1String("HS256"); }
    TokenResult verify(QByteArrayView token) const override;
    const VerificationPolicy &policy() const { return m_claims.policy(); }

private:
    SecretKey m_key;
    ClaimsValidator m_claims;
};

} // namespace parley::auth
