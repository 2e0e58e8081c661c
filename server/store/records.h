#pragma once

#include "protocol/types.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

// What the repositories take and give besides the contract's value types: the
// server-side parts of a user, and the inputs and pages of the typed methods.
namespace parley::store {

// A user provisioned by an external identity provider, keyed by (issuer, sub).
struct ExternalIdentity
{
    QString issuer;
    QString subject;
    friend bool operator==(const ExternalIdentity &, const ExternalIdentity &) = default;
};

struct NewUser
{
    QString username; // unique without regard to case
    QString displayName;
    QString passwordHash; // opaque encoded hash; empty for externally provisioned users
    std::optional<ExternalIdentity> external;
};

// A user as the server sees it; `user` is what goes on the wire.
struct UserAccount
{
    protocol::User user;
    QString passwordHash;
    int tokenVersion = 1;
    bool disabled = false;
    std::optional<ExternalIdentity> external;
    QDateTime createdAt; // UTC
    friend bool operator==(const UserAccount &, const UserAccount &) = default;
};

struct NewChannel
{
    QString name; // 1-64 characters, unique without regard to case
    QString topic; // at most 256 characters
    bool isPrivate = false;
    QString creatorId; // becomes the first member
};

struct ChannelPage
{
    QList<protocol::Channel> channels; // ordered by name (case-folded)
    bool hasMore = false;
};

struct MemberPage
{
    QList<protocol::User> members; // ordered by username (case-folded)
    bool hasMore = false;
};

struct NewMessage
{
    QString channelId;
    QString userId;
    QString content;
    QString clientMsgId; // empty: the sender gave none
};

struct AppendedMessage
{
    protocol::Message message;
    // true: (userId, clientMsgId) was stored before; `message` is that first
    // message and nothing was written.
    bool duplicate = false;
};

struct HistoryPage
{
    QList<protocol::Message> messages; // oldest first
    bool hasMore = false; // more remain in the direction asked
};

} // namespace parley::store
