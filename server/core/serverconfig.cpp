#include "serverconfig.h"

#include <QDir>

namespace parley::server {

std::optional<WebSocketTransport> webSocketTransportNamed(QStringView name)
{
    if (name == u"native")
        return WebSocketTransport::Native;
    if (name == u"qt")
        return WebSocketTransport::Qt;
    return std::nullopt;
}

QString webSocketTransportName(WebSocketTransport transport)
{
    return transport == WebSocketTransport::Qt ? QStringLiteral("qt") : QStringLiteral("native");
}

QString ServerConfig::resolvedDatabasePath() const
{
    if (!databasePath.isEmpty())
        return databasePath;
    return QDir(dataDir).filePath(QStringLiteral("parley.db"));
}

} // namespace parley::server
