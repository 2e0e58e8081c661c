#pragma once

// Helpers shared by clientcache.cpp (channels, messages) and clientcache_outbox.cpp.

#include "clientcache.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace parley::client::cachedetail {

inline CacheError sqlError(const QString &what, const QSqlError &error)
{
    return CacheError {QStringLiteral("%1: %2").arg(what, error.text())};
}

// Prepares and runs sql with the values bound in order.
inline CacheResult<QSqlQuery> run(
    const QString &connection, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery query(QSqlDatabase::database(connection, false));
    if (!query.prepare(sql))
        return sqlError(QStringLiteral("cannot prepare"), query.lastError());
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return sqlError(QStringLiteral("query failed"), query.lastError());
    return query;
}

} // namespace parley::client::cachedetail
