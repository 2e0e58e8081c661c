#pragma once

#include "protocol/types.h"

#include <QString>

#include <optional>

namespace parley::store {
class ChatStore;
}

// Rows a test needs before it starts, written straight through the store (no
// handler, no Argon2id): shared by the store fixture and the server harness. A
// failure is logged with its reason and comes back empty.
namespace parley::test {

std::optional<protocol::User> seedUser(
    store::ChatStore &store, const QString &username, const QString &displayName = {});
std::optional<protocol::Channel> seedChannel(store::ChatStore &store, const QString &name,
    const QString &creatorId, bool isPrivate = false, const QString &topic = {});
bool seedMember(store::ChatStore &store, const QString &channelId, const QString &userId);

} // namespace parley::test
