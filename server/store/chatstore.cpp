#include "chatstore.h"

#include "migrations.h"
#include "storelogging.h"

namespace parley::store {

StoreResult<Done> ChatStore::open(const QString &path)
{
    if (auto opened = m_database.open(path); !opened)
        return opened.error();
    const auto migrated = migrate(m_database, schemaMigrations());
    if (!migrated) {
        m_database.close();
        return migrated.error();
    }
    qCDebug(lcStore) << "store ready at schema version" << *migrated;
    return Done {};
}

void ChatStore::close()
{
    m_database.close();
}

StoreResult<int> ChatStore::schemaVersion() const
{
    return readSchemaVersion(m_database);
}

int ChatStore::latestSchemaVersion()
{
    return parley::store::latestSchemaVersion();
}

} // namespace parley::store
