#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace parley::server::privatefiles {

namespace {

constexpr QFileDevice::Permissions OwnerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions OwnerOnlyDirectory =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

} // namespace

bool makeDirectory(const QString &path)
{
    if (!QDir().mkpath(path))
        return false;
    return QFile::setPermissions(path, OwnerOnlyDirectory);
}

bool makeFile(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        // The mode is given at creation: the file is never readable by others, not even
        // for the moment between creating it and a chmod.
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, OwnerOnlyFile))
            return file.exists(); // made by someone else in between: fixed below
        file.close();
        return true;
    }
    return file.setPermissions(OwnerOnlyFile);
}

bool makeDatabaseFiles(const QString &databasePath)
{
    if (databasePath.isEmpty() || databasePath == QLatin1String(":memory:"))
        return true;
    if (!makeFile(databasePath))
        return false;
    for (const QLatin1String suffix : {QLatin1String("-wal"), QLatin1String("-shm")}) {
        const QString companion = databasePath + suffix;
        if (QFileInfo::exists(companion) && !QFile::setPermissions(companion, OwnerOnlyFile))
            return false;
    }
    return true;
}

} // namespace parley::server::privatefiles
