#include "catalogue.h"

#include <iterator>

namespace parley::protocol {

namespace {

struct ErrorCodeSpelling
{
    ErrorCode code;
    QLatin1String name;
};

// Append only, like the enum: a wire spelling never changes meaning.
constexpr ErrorCodeSpelling ErrorCodeSpellings[] = {
    {ErrorCode::InvalidPayload, QLatin1String("INVALID_PAYLOAD")},
    {ErrorCode::NotFound, QLatin1String("NOT_FOUND")},
    {ErrorCode::Forbidden, QLatin1String("FORBIDDEN")},
    {ErrorCode::Conflict, QLatin1String("CONFLICT")},
    {ErrorCode::RateLimited, QLatin1String("RATE_LIMITED")},
    {ErrorCode::Internal, QLatin1String("INTERNAL")},
    {ErrorCode::AuthMissing, QLatin1String("AUTH_MISSING")},
    {ErrorCode::AuthExpired, QLatin1String("AUTH_EXPIRED")},
    {ErrorCode::AuthInvalid, QLatin1String("AUTH_INVALID")},
    {ErrorCode::InvalidCredentials, QLatin1String("INVALID_CREDENTIALS")},
    {ErrorCode::UsernameTaken, QLatin1String("USERNAME_TAKEN")},
    {ErrorCode::RegistrationClosed, QLatin1String("REGISTRATION_CLOSED")},
    {ErrorCode::ServerShutdown, QLatin1String("SERVER_SHUTDOWN")},
    {ErrorCode::SlowConsumer, QLatin1String("SLOW_CONSUMER")},
    {ErrorCode::ProtocolError, QLatin1String("PROTOCOL_ERROR")},
    {ErrorCode::IdleTimeout, QLatin1String("IDLE_TIMEOUT")},
    {ErrorCode::LimitReached, QLatin1String("LIMIT_REACHED")},
};

constexpr bool spellingsFollowTheEnum()
{
    for (size_t i = 0; i < std::size(ErrorCodeSpellings); ++i) {
        if (ErrorCodeSpellings[i].code != static_cast<ErrorCode>(i))
            return false;
    }
    return std::size(ErrorCodeSpellings) == static_cast<size_t>(ErrorCode::LimitReached) + 1;
}
static_assert(spellingsFollowTheEnum(), "every ErrorCode needs its wire spelling, in enum order");

} // namespace

QString errorCodeName(ErrorCode code)
{
    const auto index = static_cast<size_t>(code);
    // Out of range only through a cast of a foreign integer.
    if (index >= std::size(ErrorCodeSpellings))
        return QStringLiteral("INTERNAL");
    return ErrorCodeSpellings[index].name;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const ErrorCodeSpelling &spelling : ErrorCodeSpellings) {
        if (name == spelling.name)
            return spelling.code;
    }
    return std::nullopt;
}

} // namespace parley::protocol
