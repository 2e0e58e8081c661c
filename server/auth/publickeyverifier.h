#pragma once

#include "claimsvalidator.h"
#include "tokenverifier.h"

#include <QString>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace parley::auth {

// Verifies tokens an external identity provider signs, against its public key
// and without a network call (the way Clerk's networkless verification works).
// The key decides the algorithm: an RSA key accepts only RS256, an EC P-256 key
// only ES256. HS256 is never accepted here, so a token "signed" with the public
// key's PEM bytes as an HMAC secret (algorithm confusion) cannot pass.
class PublicKeyVerifier : public TokenVerifier
{
public:
    using Created = protocol::Result<std::unique_ptr<PublicKeyVerifier>, QString>;

    // keyId: when not empty, a token whose header carries another "kid" is refused
    // (one without a kid is still checked against this key).
    static Created fromPem(const QByteArray &pem, const QString &keyId, VerificationPolicy policy);
    static Created fromPemFile(const QString &path, const QString &keyId, VerificationPolicy policy);
    ~PublicKeyVerifier() override;

    QLatin1String algorithm() const override;
    TokenResult verify(QByteArrayView token) const override;

private:
    enum class Kind
    {
        Rs256,
        Es256,
    };
    struct KeyDeleter
    {
        void operator()(EVP_PKEY *key) const;
    };

    PublicKeyVerifier(
        std::unique_ptr<EVP_PKEY, KeyDeleter> key, Kind kind, QString keyId, VerificationPolicy policy);
    bool signatureHolds(const QByteArray &signingInput, const QByteArray &signature) const;

    std::unique_ptr<EVP_PKEY, KeyDeleter> m_key;
    Kind m_kind;
    QString m_keyId;
    ClaimsValidator m_claims;
};

} // namespace parley::auth
