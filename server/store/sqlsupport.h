#pragma once

#include "storeerror.h"

#include <QDateTime>
#include <QString>
#include <QVariantList>

#include <optional>

class QSqlError;

namespace parley::store {
class Database;
}

// Conversions shared by the repositories: ids between wire strings and SQLite
// rowids, timestamps, case-insensitive keys, and SQL failures into StoreErrors.
namespace parley::store::sql {

// A wire id as a rowid: only canonical positive decimals ("7", not "07", "+7",
// " 7"), so that one row has exactly one spelling of its id.
std::optional<qint64> parseId(const QString &id);
QString idToString(qint64 rowid);

// Timestamps are stored as UTC milliseconds since the epoch: the contract's
// precision, and they sort as numbers.
qint64 nowMsecs();
QDateTime fromMsecs(qint64 msecs);

// The key that makes names unique "without regard to case". Full Unicode case
// folding in C++, because SQLite's NOCASE only folds ASCII.
QString caseKey(const QString &name);

// A text value to bind. Qt binds a null QString as SQL NULL, which the NOT NULL
// text columns refuse; the store means "" by it.
QVariant text(const QString &value);

// Runs `query` (a SELECT) and tells whether it returned a row.
StoreResult<bool> hasRow(const Database &database, const QString &query, const QVariantList &values);

StoreError notFound(const QString &message);
StoreError conflict(const QString &message);
StoreError invalidArgument(const QString &message);
// Logs an unexpected SQL failure (qCWarning) and returns it as an Internal error.
StoreError internalError(const QString &context, const QSqlError &error);

} // namespace parley::store::sql
