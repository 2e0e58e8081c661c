#include "serverconfig.h"

#include <QDir>

namespace parley::server {

QString ServerConfig::resolvedDatabasePath() const
{
    if (!databasePath.isEmpty())
        return databasePath;
    return QDir(dataDir).filePath(QStringLiteral("parley.db"));
}

} // namespace parley::server
