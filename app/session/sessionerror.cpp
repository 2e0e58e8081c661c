#include "sessionerror.h"

#include <QJsonObject>

namespace parley::client {

using protocol::ErrorCode;

QString describeError(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidPayload:
        return QStringLiteral("The server did not accept the request.");
    case ErrorCode::NotFound:
        return QStringLiteral("That channel does not exist or is not visible to you.");
    case ErrorCode::Forbidden:
        return QStringLiteral("You are not a member of that channel.");
    case ErrorCode::Conflict:
        return QStringLiteral("That name is already taken.");
    case ErrorCode::RateLimited:
        return QStringLiteral("You are sending too fast; waiting a moment.");
    case ErrorCode::Internal:
        return QStringLiteral("The server ran into a problem. Please try again later.");
    case ErrorCode::AuthMissing:
        return QStringLiteral("You are not signed in. Please sign in.");
    case ErrorCode::AuthExpired:
        return QStringLiteral("Your sign-in has expired. Please sign in again.");
    case ErrorCode::AuthInvalid:
        return QStringLiteral("Your sign-in is no longer valid. Please sign in again.");
    case ErrorCode::InvalidCredentials:
        return QStringLiteral("Wrong username or password.");
    case ErrorCode::UsernameTaken:
        return QStringLiteral("That username is already taken.");
    case ErrorCode::RegistrationClosed:
        return QStringLiteral("This server does not accept new accounts.");
    case ErrorCode::ServerShutdown:
        return QStringLiteral("The server is shutting down.");
    case ErrorCode::SlowConsumer:
        return QStringLiteral("The connection was too slow and the server cut it off.");
    case ErrorCode::ProtocolError:
        return QStringLiteral("The server and this app did not understand each other.");
    case ErrorCode::IdleTimeout:
        return QStringLiteral("The connection was closed because it did not sign in in time.");
    case ErrorCode::LimitReached:
        return QStringLiteral("You have reached a limit of this server (for example, channels per user).");
    }
    return QStringLiteral("Something went wrong.");
}

SessionError sessionErrorFromJson(const QJsonObject &error)
{
    SessionError result;
    result.code = protocol::errorCodeFromName(error.value(QStringLiteral("code")).toString())
                      .value_or(ErrorCode::Internal);
    result.message = error.value(QStringLiteral("message")).toString();
    if (result.message.isEmpty())
        result.message = describeError(result.code);
    return result;
}

} // namespace parley::client
