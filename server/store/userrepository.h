#pragma once

#include "records.h"
#include "storeerror.h"

#include <QList>

class QSqlQuery;

namespace parley::store {

class Database;

// Accounts: creation with case-insensitive unique usernames and external
// identities, the lookups the authenticator needs, and the fields it changes.
class UserRepository
{
public:
    explicit UserRepository(const Database &database)
        : m_database(database)
    { }

    // Conflict: username (without regard to case) or external identity taken.
    // InvalidArgument: empty username, or an external identity with an empty part.
    StoreResult<UserAccount> createUser(const NewUser &user);

    StoreResult<UserAccount> userById(const QString &userId) const;
    StoreResult<UserAccount> userByUsername(const QString &username) const; // any case
    StoreResult<UserAccount> userByExternalIdentity(const ExternalIdentity &identity) const;
    StoreResult<QList<UserAccount>> listUsers() const; // ordered by username

    // Revokes every token issued so far; returns the new version.
    StoreResult<int> bumpTokenVersion(const QString &userId);
    StoreResult<Done> setPasswordHash(const QString &userId, const QString &passwordHash);
    // A password change: the new hash and a bumped token version in one
    // transaction, so no moment exists where the new password works and the
    // tokens issued under the old one still do. Returns the new version.
    StoreResult<int> replacePasswordHash(const QString &userId, const QString &passwordHash);
    StoreResult<Done> disableUser(const QString &userId);

private:
    StoreResult<UserAccount> singleUser(
        const QString &where, const QVariantList &values, const QString &notFoundMessage) const;
    StoreResult<Done> updateUser(const QString &userId, const QString &statement, const QVariantList &values);
    static UserAccount accountFromRow(const QSqlQuery &row);

    const Database &m_database;
};

} // namespace parley::store
