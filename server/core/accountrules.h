#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace parley::server {

// The contract's rules for accounts and channels (docs/protocol.md §5, §6), in one
// place for /auth and for the admin commands, so an account an admin provisions is
// one the server would have accepted.
namespace rules {

constexpr qsizetype MinUsernameLength = 2;
constexpr qsizetype MaxUsernameLength = 32;
constexpr qsizetype MinPasswordBytes = 8;
// Long enough for any passphrase, short enough that no request buys more than one
// hash's worth of work.
constexpr qsizetype MaxPasswordBytes = 1024;
constexpr qsizetype MaxDisplayNameLength = 64;
constexpr qsizetype MaxChannelNameLength = 64;
constexpr qsizetype MaxTopicLength = 256;

// ASCII letters folded to lower case, then 2-32 of a-z 0-9 _ . -; nullopt otherwise.
// Only ASCII is folded, so no Unicode look-alike (the Kelvin sign lowers to "k")
// can turn into somebody else's name.
std::optional<QString> canonicalUsername(const QString &given);
// One character as a username holds it: an ASCII letter folded to lower case,
// a-z 0-9 _ . - as they are; nullopt for any other character.
std::optional<QChar> usernameCharacter(QChar given);
bool isValidPassword(const QByteArray &password);
// Whether text holds a character that changes how the text around it looks rather than
// being seen itself: control characters, line and paragraph separators, and the
// bidirectional overrides and marks (U+202E would show "gpj.exe" as "exe.jpg"). Display
// names, channel names and topics may hold none, so nobody can pose as somebody else
// or spill onto other lines in everyone's lists.
bool hasHiddenCharacters(const QString &text);
// The same text without those characters (for names taken from an identity provider).
QString withoutHiddenCharacters(const QString &text);

} // namespace rules
} // namespace parley::server
