#include "externalusers.h"

#include "accountrules.h"
#include "store/chatstore.h"

namespace parley::server {

namespace {

// Enough for any realistic crowd of namesakes; past it something is wrong and
// the token is refused rather than the loop running on.
constexpr int MaxNamesakes = 1000;

QString reducedName(const QString &given)
{
    QString name;
    for (const QChar character : given) {
        // What no username may hold is dropped, not refused: the name comes from
        // the identity provider, not from someone choosing it here.
        if (const auto kept = rules::usernameCharacter(character))
            name.append(*kept);
    }
    return name.left(rules::MaxUsernameLength);
}

// base, then base-2, base-3, ..., each cut so the suffix still fits.
QString candidate(const QString &base, int attempt)
{
    if (attempt == 1)
        return base;
    const QString suffix = QStringLiteral("-%1").arg(attempt);
    return base.left(rules::MaxUsernameLength - suffix.size()) + suffix;
}

} // namespace

QString externalUsernameBase(const QString &preferredUsername, const QString &name)
{
    for (const QString &given : {preferredUsername, name}) {
        const QString reduced = reducedName(given);
        if (reduced.size() >= rules::MinUsernameLength)
            return reduced;
    }
    return QStringLiteral("user");
}

protocol::Result<QString, auth::ExternalUserError> resolveExternalUser(
    store::ChatStore &store, const auth::TokenClaims &claims)
{
    const store::ExternalIdentity identity {claims.issuer, claims.subject};
    const auto known = store.users().userByExternalIdentity(identity);
    if (known)
        return known->user.id;
    if (known.error().kind != store::StoreError::Kind::NotFound)
        return auth::ExternalUserError {known.error().message};

    const QString base = externalUsernameBase(claims.preferredUsername, claims.name);
    const QString displayName =
        rules::withoutHiddenCharacters(claims.name.isEmpty() ? claims.preferredUsername : claims.name)
            .trimmed()
            .left(rules::MaxDisplayNameLength);
    for (int attempt = 1; attempt <= MaxNamesakes; ++attempt) {
        store::NewUser user;
        user.username = candidate(base, attempt);
        user.displayName = displayName.isEmpty() ? user.username : displayName;
        user.external = identity;
        const auto created = store.users().createUser(user);
        if (created)
            return created->user.id;
        if (created.error().kind != store::StoreError::Kind::Conflict)
            return auth::ExternalUserError {created.error().message};
        // A conflict on the identity itself cannot happen here (one thread, the
        // lookup above said it is free), so it is the username: try the next.
    }
    return auth::ExternalUserError {
        QStringLiteral("more than %1 users are already called %2").arg(MaxNamesakes).arg(base)};
}

} // namespace parley::server
