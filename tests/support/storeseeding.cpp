#include "storeseeding.h"

#include "store/chatstore.h"

#include <QDebug>

namespace parley::test {

std::optional<protocol::User> seedUser(
    store::ChatStore &store, const QString &username, const QString &displayName)
{
    store::NewUser newUser;
    newUser.username = username;
    newUser.displayName = displayName.isEmpty() ? username : displayName;
    const auto account = store.users().createUser(newUser);
    if (!account) {
        qWarning().noquote() << "seedUser" << username << "failed:" << account.error().message;
        return std::nullopt;
    }
    return account->user;
}

std::optional<protocol::Channel> seedChannel(store::ChatStore &store, const QString &name,
    const QString &creatorId, bool isPrivate, const QString &topic)
{
    const auto channel = store.channels().createChannel({name, topic, isPrivate, creatorId});
    if (!channel) {
        qWarning().noquote() << "seedChannel" << name << "failed:" << channel.error().message;
        return std::nullopt;
    }
    return *channel;
}

bool seedMember(store::ChatStore &store, const QString &channelId, const QString &userId)
{
    const auto added = store.channels().addMember(channelId, userId);
    if (!added)
        qWarning().noquote() << "seedMember failed:" << added.error().message;
    return added.ok();
}

} // namespace parley::test
