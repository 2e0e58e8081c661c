// Parley's own tokens (HS256). Four ways in, chosen by the first byte:
//  0  the input as a compact token, verified as the server verifies every token;
//  1  a header and a payload from the input, signed with the server's key, so the
//     fuzzer reaches the claims checks behind a valid signature;
//  2  the input as a signature-checked payload, straight into ClaimsValidator;
//  3  the input as base64url: what decodes must be the one canonical spelling.
#include "claimsvalidator.h"
#include "hs256verifier.h"
#include "jwt.h"
#include "secretkey.h"

#include <QDateTime>

#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>

using namespace parley::auth;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

const QByteArray KeyBytes = QByteArray("fuzzing-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789ABCDEF");

VerificationPolicy policy()
{
    VerificationPolicy policy;
    policy.issuer = QStringLiteral("parley");
    policy.audience = QStringLiteral("parley-chat");
    // A fixed instant: the same input must take the same path on every run.
    policy.clock = [] { return QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC); };
    return policy;
}

const Hs256Verifier &verifier()
{
    static const Hs256Verifier instance(*SecretKey::fromBytes(KeyBytes), policy());
    return instance;
}

void checkClaims(const TokenResult &result)
{
    if (!result)
        return;
    require(!result->subject.isEmpty());
    require(result->expiresAt > 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider input(data, size);
    switch (input.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: {
        const std::string token = input.ConsumeRemainingBytesAsString();
        checkClaims(verifier().verify(QByteArrayView(token.data(), qsizetype(token.size()))));
        break;
    }
    case 1: {
        const QByteArray header = QByteArray::fromStdString(input.ConsumeRandomLengthString(512));
        const QByteArray payload = QByteArray::fromStdString(input.ConsumeRemainingBytesAsString());
        const QByteArray signingInput = base64UrlEncode(header) + '.' + base64UrlEncode(payload);
        const QByteArray token = signingInput + '.' + base64UrlEncode(hmacSha256(KeyBytes, signingInput));
        checkClaims(verifier().verify(token));
        break;
    }
    case 2: {
        const ClaimsValidator validator(policy());
        checkClaims(validator.validate(QByteArray::fromStdString(input.ConsumeRemainingBytesAsString())));
        break;
    }
    default: {
        const std::string text = input.ConsumeRemainingBytesAsString();
        const QByteArrayView view(text.data(), qsizetype(text.size()));
        if (const auto decoded = base64UrlDecode(view))
            require(base64UrlEncode(*decoded) == view);
        const auto decodedJwt = decodeCompactJwt(view, 8 * 1024);
        if (decodedJwt)
            require(view.startsWith(decodedJwt->signingInput));
        break;
    }
    }
    return 0;
}
