#include "payloadfields.h"

#include "protocol/types.h"

namespace parley::server::payload {

Parsed<QString> channelIdOf(const QJsonObject &payload)
{
    const QJsonValue value = payload.value(QLatin1String("channelId"));
    if (isAbsent(value))
        return PayloadError {QStringLiteral("channelId is missing: say which channel")};
    if (const auto id = protocol::idFromJson(value))
        return *id;
    return PayloadError {
        QStringLiteral("channelId must be a channel id: a string such as \"7\" or a whole number")};
}

} // namespace parley::server::payload
