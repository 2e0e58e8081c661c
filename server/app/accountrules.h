#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace parley::server::app {

// The contract's rules for what an admin provisions (docs/protocol.md §5, §6),
// so an account or channel made here is one the server would have accepted.
namespace rules {

constexpr qsizetype MinUsernameLength = 2;
constexpr qsizetype MaxUsernameLength = 32;
constexpr qsizetype MinPasswordBytes = 8;
constexpr qsizetype MaxPasswordBytes = 1024;
constexpr qsizetype MaxDisplayNameLength = 64;
constexpr qsizetype MaxChannelNameLength = 64;
constexpr qsizetype MaxTopicLength = 256;

// ASCII letters folded to lower case, then 2-32 of a-z 0-9 _ . -; nullopt otherwise.
// Only ASCII is folded, as the server does, so no look-alike becomes another name.
std::optional<QString> canonicalUsername(const QString &given);
bool isValidPassword(const QByteArray &password);

} // namespace rules
} // namespace parley::server::app
