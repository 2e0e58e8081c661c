#include "sqlsupport.h"

#include "database.h"
#include "storelogging.h"

#include <QSqlError>

namespace parley::store::sql {

std::optional<qint64> parseId(const QString &id)
{
    if (id.isEmpty() || id.size() > 18 || id.front() == u'0')
        return std::nullopt;
    qint64 value = 0;
    for (const QChar c : id) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

QString idToString(qint64 rowid)
{
    return QString::number(rowid);
}

qint64 nowMsecs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMsecs(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
}

QString caseKey(const QString &name)
{
    return name.toCaseFolded();
}

QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

StoreResult<bool> hasRow(const Database &database, const QString &query, const QVariantList &values)
{
    auto result = database.run(query, values);
    if (!result)
        return result.error();
    return result->next();
}

StoreError notFound(const QString &message)
{
    return {StoreError::Kind::NotFound, message};
}

StoreError conflict(const QString &message)
{
    return {StoreError::Kind::Conflict, message};
}

StoreError invalidArgument(const QString &message)
{
    return {StoreError::Kind::InvalidArgument, message};
}

StoreError internalError(const QString &context, const QSqlError &error)
{
    const QString message = context + QStringLiteral(": ") + error.text();
    qCWarning(lcStore).noquote() << message << "(native code" << error.nativeErrorCode() << ')';
    return {StoreError::Kind::Internal, message};
}

} // namespace parley::store::sql
