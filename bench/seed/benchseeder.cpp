#include "benchseeder.h"

#include "auth/authenticator.h"
#include "auth/secretkey.h"
#include "store/chatstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <vector>

namespace parley::bench {

namespace {

using Failure = QString;

template<typename T>
QString describe(const store::StoreResult<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

} // namespace

int formulaChannel(int user, int j, const SeedPlan &plan)
{
    return int((qint64(user - 1) * plan.perUser + j) % plan.channels) + 1;
}

protocol::Result<SeedSummary, QString> seed(const SeedPlan &plan)
{
    if (plan.users < 1 || plan.channels < 1 || plan.perUser < 1 || plan.perUser > plan.channels)
        return Failure(QStringLiteral("need users >= 1, channels >= 1 and 1 <= per-user <= channels"));
    if (!QDir().mkpath(plan.dataDir))
        return Failure(QStringLiteral("cannot create %1").arg(plan.dataDir));
    const QString databasePath = QDir(plan.dataDir).filePath(QStringLiteral("parley.db"));
    // The formula's ids are the store's row ids only in an empty database.
    if (QFile::exists(databasePath))
        return Failure(QStringLiteral("%1 exists: seed a fresh data dir").arg(databasePath));

    store::ChatStore chatStore;
    if (auto opened = chatStore.open(databasePath); !opened)
        return Failure(opened.error().message);
    // A bulk load into a fresh file: a crash means seeding again, so skip the fsyncs.
    // The server's own connection uses its own setting (FULL).
    if (auto off = chatStore.database().run(QStringLiteral("PRAGMA synchronous=OFF")); !off)
        return Failure(off.error().message);

    SeedSummary summary;
    std::vector<store::UserAccount> accounts;
    accounts.reserve(std::size_t(plan.users));
    for (int u = 1; u <= plan.users; ++u) {
        store::NewUser user;
        user.username = QStringLiteral("bench%1").arg(u);
        user.displayName = QStringLiteral("Bench user %1").arg(u);
        user.passwordHash = QStringLiteral("!seeded-no-password");
        auto created = chatStore.users().createUser(user);
        if (!created)
            return Failure(QStringLiteral("user %1: %2").arg(u).arg(describe(created)));
        if (created->user.id != QString::number(u))
            return Failure(
                QStringLiteral("user %1 got id %2: the database was not empty").arg(u).arg(created->user.id));
        accounts.push_back(*created);
        ++summary.users;
    }

    // Each channel is created by one of its own members, so the creator's automatic
    // membership is one the formula wants anyway.
    std::vector<std::vector<int>> members(std::size_t(plan.channels) + 1);
    for (int u = 1; u <= plan.users; ++u) {
        for (int j = 0; j < plan.perUser; ++j)
            members[std::size_t(formulaChannel(u, j, plan))].push_back(u);
    }
    for (int c = 1; c <= plan.channels; ++c) {
        const std::vector<int> &inChannel = members[std::size_t(c)];
        store::NewChannel channel;
        channel.name = QStringLiteral("bench-%1").arg(c);
        channel.topic = QStringLiteral("load test channel");
        channel.creatorId = QString::number(inChannel.empty() ? 1 : inChannel.front());
        auto created = chatStore.channels().createChannel(channel);
        if (!created)
            return Failure(QStringLiteral("channel %1: %2").arg(c).arg(describe(created)));
        if (created->id != QString::number(c))
            return Failure(QStringLiteral("channel %1 got id %2").arg(c).arg(created->id));
        if (inChannel.empty()) {
            if (auto removed = chatStore.channels().removeMember(created->id, channel.creatorId); !removed)
                return Failure(describe(removed));
        }
        for (const int u : inChannel) {
            auto added = chatStore.channels().addMember(created->id, QString::number(u));
            if (!added)
                return Failure(QStringLiteral("membership %1/%2: %3").arg(u).arg(c).arg(describe(added)));
            ++summary.memberships;
        }
        ++summary.channels;
    }
    chatStore.close();

    // The same key file and the same minting code as parley-server.
    auto key = auth::SecretKey::loadOrGenerate(plan.dataDir);
    if (!key)
        return Failure(key.error());
    const auth::Authenticator authenticator(*key, [](const QString &) { return std::nullopt; });
    QJsonArray tokens;
    for (const store::UserAccount &account : accounts) {
        const auth::IssuedToken token = authenticator.issueToken(account.user.id, account.tokenVersion);
        tokens.append(QJsonObject {
            {QStringLiteral("userId"), account.user.id}, {QStringLiteral("token"), token.token}});
    }
    QSaveFile file(plan.tokensFile);
    if (!file.open(QIODevice::WriteOnly))
        return Failure(QStringLiteral("cannot write %1: %2").arg(plan.tokensFile, file.errorString()));
    file.write(QJsonDocument(tokens).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return Failure(QStringLiteral("cannot write %1: %2").arg(plan.tokensFile, file.errorString()));
    return summary;
}

} // namespace parley::bench
