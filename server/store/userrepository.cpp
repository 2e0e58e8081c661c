#include "userrepository.h"

#include "database.h"
#include "sqlsupport.h"
#include "transaction.h"

#include <QSqlQuery>

namespace parley::store {

namespace {

// Column order is what accountFromRow() reads.
const QString SelectUsers =
    QStringLiteral("SELECT id, username, display_name, password_hash, token_version, disabled,"
                   " external_issuer, external_subject, created_at FROM users ");

} // namespace

UserAccount UserRepository::accountFromRow(const QSqlQuery &row)
{
    UserAccount account;
    account.user.id = sql::idToString(row.value(0).toLongLong());
    account.user.username = row.value(1).toString();
    account.user.displayName = row.value(2).toString();
    account.passwordHash = row.value(3).toString();
    account.tokenVersion = row.value(4).toInt();
    account.disabled = row.value(5).toInt() != 0;
    if (!row.value(6).isNull())
        account.external = ExternalIdentity {row.value(6).toString(), row.value(7).toString()};
    account.createdAt = sql::fromMsecs(row.value(8).toLongLong());
    return account;
}

StoreResult<UserAccount> UserRepository::createUser(const NewUser &user)
{
    if (user.username.isEmpty())
        return sql::invalidArgument(QStringLiteral("a username must not be empty"));
    if (user.external && (user.external->issuer.isEmpty() || user.external->subject.isEmpty()))
        return sql::invalidArgument(QStringLiteral("an external identity needs an issuer and a subject"));

    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();

    // Checked inside the write transaction, so nothing can take the name
    // between the check and the insert; the UNIQUE constraints stay as backstop.
    const QString key = sql::caseKey(user.username);
    auto taken = m_database.run(QStringLiteral("SELECT 1 FROM users WHERE username_key = ?"), {key});
    if (!taken)
        return taken.error();
    if (taken->next())
        return sql::conflict(QStringLiteral("the username is taken"));
    if (user.external) {
        auto linked = m_database.run(
            QStringLiteral("SELECT 1 FROM users WHERE external_issuer = ? AND external_subject = ?"),
            {user.external->issuer, user.external->subject});
        if (!linked)
            return linked.error();
        if (linked->next())
            return sql::conflict(QStringLiteral("the external identity belongs to another user"));
    }

    const qint64 now = sql::nowMsecs();
    auto inserted = m_database.run(
        QStringLiteral("INSERT INTO users (username, username_key, display_name, password_hash,"
                       " external_issuer, external_subject, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
        {user.username, key, sql::text(user.displayName), sql::text(user.passwordHash),
            user.external ? QVariant(user.external->issuer) : QVariant(),
            user.external ? QVariant(user.external->subject) : QVariant(), now});
    if (!inserted)
        return inserted.error();
    const qint64 rowid = inserted->lastInsertId().toLongLong();
    if (auto committed = transaction->commit(); !committed)
        return committed.error();

    UserAccount account;
    account.user = {sql::idToString(rowid), user.username, user.displayName};
    account.passwordHash = user.passwordHash;
    account.external = user.external;
    account.createdAt = sql::fromMsecs(now);
    return account;
}

StoreResult<UserAccount> UserRepository::singleUser(
    const QString &where, const QVariantList &values, const QString &notFoundMessage) const
{
    auto query = m_database.run(SelectUsers + where, values);
    if (!query)
        return query.error();
    if (!query->next())
        return sql::notFound(notFoundMessage);
    return accountFromRow(*query);
}

StoreResult<UserAccount> UserRepository::userById(const QString &userId) const
{
    const auto rowid = sql::parseId(userId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such user"));
    return singleUser(QStringLiteral("WHERE id = ?"), {*rowid}, QStringLiteral("no such user"));
}

StoreResult<UserAccount> UserRepository::userByUsername(const QString &username) const
{
    return singleUser(
        QStringLiteral("WHERE username_key = ?"), {sql::caseKey(username)}, QStringLiteral("no such user"));
}

StoreResult<UserAccount> UserRepository::userByExternalIdentity(const ExternalIdentity &identity) const
{
    return singleUser(QStringLiteral("WHERE external_issuer = ? AND external_subject = ?"),
        {identity.issuer, identity.subject}, QStringLiteral("no user has this external identity"));
}

StoreResult<QList<UserAccount>> UserRepository::listUsers() const
{
    auto query = m_database.run(SelectUsers + QStringLiteral("ORDER BY username_key"));
    if (!query)
        return query.error();
    QList<UserAccount> accounts;
    while (query->next())
        accounts.append(accountFromRow(*query));
    return accounts;
}

StoreResult<int> UserRepository::bumpTokenVersion(const QString &userId)
{
    const auto rowid = sql::parseId(userId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such user"));
    // One transaction, so the version returned is the one this call wrote.
    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    auto updated = m_database.run(
        QStringLiteral("UPDATE users SET token_version = token_version + 1 WHERE id = ?"), {*rowid});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return sql::notFound(QStringLiteral("no such user"));
    auto version = m_database.run(QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {*rowid});
    if (!version)
        return version.error();
    if (!version->next())
        return sql::notFound(QStringLiteral("no such user"));
    const int newVersion = version->value(0).toInt();
    if (auto committed = transaction->commit(); !committed)
        return committed.error();
    return newVersion;
}

StoreResult<Done> UserRepository::setPasswordHash(const QString &userId, const QString &passwordHash)
{
    return updateUser(
        userId, QStringLiteral("UPDATE users SET password_hash = ? WHERE id = ?"), {sql::text(passwordHash)});
}

StoreResult<int> UserRepository::replacePasswordHash(const QString &userId, const QString &passwordHash)
{
    const auto rowid = sql::parseId(userId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such user"));
    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    auto updated = m_database.run(QStringLiteral("UPDATE users SET password_hash = ?,"
                                                 " token_version = token_version + 1 WHERE id = ?"),
        {sql::text(passwordHash), *rowid});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return sql::notFound(QStringLiteral("no such user"));
    auto version = m_database.run(QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {*rowid});
    if (!version)
        return version.error();
    if (!version->next())
        return sql::notFound(QStringLiteral("no such user"));
    const int newVersion = version->value(0).toInt();
    if (auto committed = transaction->commit(); !committed)
        return committed.error();
    return newVersion;
}

StoreResult<Done> UserRepository::disableUser(const QString &userId)
{
    return updateUser(userId, QStringLiteral("UPDATE users SET disabled = 1 WHERE id = ?"), {});
}

// `statement` binds `values` first and the user's id last.
StoreResult<Done> UserRepository::updateUser(
    const QString &userId, const QString &statement, const QVariantList &values)
{
    const auto rowid = sql::parseId(userId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such user"));
    auto updated = m_database.run(statement, QVariantList(values) << *rowid);
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return sql::notFound(QStringLiteral("no such user"));
    return Done {};
}

} // namespace parley::store
