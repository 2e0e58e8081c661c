#pragma once

#include "storeerror.h"

#include <QList>
#include <QStringList>

namespace parley::store {

class Database;

// One numbered step of the schema. Its statements run in one transaction and
// must end by setting `PRAGMA user_version` to `version` (PRAGMAs take no
// bound parameters, so each step spells its number out; the runner checks it).
struct Migration
{
    int version = 0;
    QStringList statements;
};

// Parley's schema, oldest first. Append only: a released step never changes.
const QList<Migration> &schemaMigrations();
int latestSchemaVersion();

StoreResult<int> readSchemaVersion(const Database &database);

// Runs every step above the database's user_version, each in its own
// transaction, and returns the version now in force. A database newer than
// `migrations` is refused rather than written to by code that does not know it.
StoreResult<int> migrate(const Database &database, const QList<Migration> &migrations);

} // namespace parley::store
