#pragma once

#include "clock.h"
#include "jwt.h"

#include <chrono>

namespace parley::auth {

// What a token must satisfy besides its signature. The same for every algorithm,
// so a future RS256/ES256 verifier reuses it unchanged.
struct VerificationPolicy
{
    // Clock skew between whoever issued the token and us (contract: 5 s).
    std::chrono::seconds leeway {5};
    QString issuer; // when set, iss must equal it
    QString audience; // when set, aud must be it or contain it
    // A Parley token is ~200 bytes; anything past this is refused unread.
    qsizetype maxTokenSize = 8 * 1024;
    WallClock clock = systemWallClock();
};

class ClaimsValidator
{
public:
    explicit ClaimsValidator(VerificationPolicy policy)
        : m_policy(std::move(policy))
    { }

    // payloadJson is the decoded, signature-checked payload. Requires sub and exp;
    // checks exp/nbf with leeway, iss/aud when configured, and the types of
    // iat and ver when present.
    TokenResult validate(const QByteArray &payloadJson) const;

    const VerificationPolicy &policy() const { return m_policy; }

private:
    VerificationPolicy m_policy;
};

} // namespace parley::auth
