#pragma once

#include <QLatin1String>
#include <QString>

#include <optional>

// The one event catalogue: every event name and error code of the Parley
// contract (docs/protocol.md), written once and used by server, client and tests.
// Append only: a name on the wire never changes meaning.
namespace parley::protocol {

namespace ns {
inline constexpr QLatin1String Main("/");
inline constexpr QLatin1String Auth("/auth");
} // namespace ns

namespace event {
// connection lifecycle (server -> client)
inline constexpr QLatin1String ConnectionReady("connection:ready");
inline constexpr QLatin1String ConnectionClosing("connection:closing");
inline constexpr QLatin1String AuthExpired("auth:expired");
// messages
inline constexpr QLatin1String MessageSend("message:send");
inline constexpr QLatin1String MessageNew("message:new");
inline constexpr QLatin1String MessageError("message:error");
inline constexpr QLatin1String MessageHistory("message:history");
// channels
inline constexpr QLatin1String ChannelList("channel:list");
inline constexpr QLatin1String ChannelCreate("channel:create");
inline constexpr QLatin1String ChannelJoin("channel:join");
inline constexpr QLatin1String ChannelLeave("channel:leave");
inline constexpr QLatin1String ChannelInvite("channel:invite");
inline constexpr QLatin1String ChannelMembers("channel:members");
inline constexpr QLatin1String ChannelError("channel:error");
inline constexpr QLatin1String ChannelJoined("channel:joined");
inline constexpr QLatin1String ChannelLeft("channel:left");
inline constexpr QLatin1String ChannelMemberJoined("channel:member_joined");
inline constexpr QLatin1String ChannelMemberLeft("channel:member_left");
// the /auth namespace
inline constexpr QLatin1String AuthRegister("auth:register");
inline constexpr QLatin1String AuthLogin("auth:login");
inline constexpr QLatin1String AuthRefresh("auth:refresh");
inline constexpr QLatin1String AuthLogout("auth:logout");
inline constexpr QLatin1String AuthChangePassword("auth:changePassword");
} // namespace event

// Error codes as the wire spells them ("data.code", "error.code", "connection:closing".code).
enum class ErrorCode
{
    InvalidPayload,
    NotFound,
    Forbidden,
    Conflict,
    RateLimited,
    Internal,
    AuthMissing,
    AuthExpired,
    AuthInvalid,
    InvalidCredentials,
    UsernameTaken,
    RegistrationClosed,
    ServerShutdown,
    SlowConsumer,
    ProtocolError,
    IdleTimeout, // connection:closing: the connection never became Ready on `/`
    LimitReached, // a per-user cap (channels per user) would be exceeded
};

QString errorCodeName(ErrorCode code); // "INVALID_PAYLOAD", ...
std::optional<ErrorCode> errorCodeFromName(QStringView name);

} // namespace parley::protocol
