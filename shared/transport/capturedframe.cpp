#include "capturedframe.h"

#include <array>

namespace parley::transport {

using protocol::EnginePacketType;
using protocol::SocketPacketType;

namespace {

// Indexed by the wire digit.
constexpr std::array<QLatin1String, 7> EngineNames {QLatin1String("open"), QLatin1String("close"),
    QLatin1String("ping"), QLatin1String("pong"), QLatin1String("message"), QLatin1String("upgrade"),
    QLatin1String("noop")};
constexpr std::array<QLatin1String, 7> SocketNames {QLatin1String("CONNECT"), QLatin1String("DISCONNECT"),
    QLatin1String("EVENT"), QLatin1String("ACK"), QLatin1String("CONNECT_ERROR"),
    QLatin1String("BINARY_EVENT"), QLatin1String("BINARY_ACK")};

template<typename Enum, size_t N>
std::optional<Enum> lookUp(const std::array<QLatin1String, N> &names, QStringView name)
{
    for (size_t i = 0; i < N; ++i) {
        if (name == names[i])
            return Enum(i);
    }
    return std::nullopt;
}

} // namespace

QString engineTypeName(EnginePacketType type)
{
    return EngineNames.at(size_t(type));
}

std::optional<EnginePacketType> engineTypeFromName(QStringView name)
{
    return lookUp<EnginePacketType>(EngineNames, name);
}

QString socketTypeName(SocketPacketType type)
{
    return SocketNames.at(size_t(type));
}

std::optional<SocketPacketType> socketTypeFromName(QStringView name)
{
    return lookUp<SocketPacketType>(SocketNames, name);
}

} // namespace parley::transport
