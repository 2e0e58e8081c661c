#pragma once

#include "jwt.h"
#include "secretkey.h"

namespace parley::auth {

// Issues HS256 tokens: {"alg":"HS256","typ":"JWT"} and the claims given, in
// compact form. Only sets the claims it is handed: the times are the caller's
// (the Authenticator, which owns the clock and the lifetime).
class TokenSigner
{
public:
    explicit TokenSigner(SecretKey key)
        : m_key(std::move(key))
    { }

    QByteArray sign(const TokenClaims &claims) const;

private:
    SecretKey m_key;
};

} // namespace parley::auth
