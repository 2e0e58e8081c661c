#pragma once

#include "payloadfields.h"

#include <QJsonObject>
#include <QString>

#include <optional>

// The payloads of the channel events (docs/protocol.md sections 5 and 7), read and
// checked before the handler looks at the store: a mistake is worded here once.
namespace parley::server::payload {

inline constexpr int DefaultMembersPage = 50;
inline constexpr qint64 MaxMembersPage = 200;
inline constexpr int DefaultChannelListPage = 100;
inline constexpr qint64 MaxChannelListPage = 200;

struct CreatePayload
{
    QString name;
    QString topic;
    bool isPrivate = false;
};

struct InvitePayload
{
    QString channelId;
    QString username;
};

struct ListPayload
{
    std::optional<QString> afterName;
    int limit = DefaultChannelListPage;
};

struct MembersPayload
{
    QString channelId;
    std::optional<QString> afterUsername;
    int limit = DefaultMembersPage;
};

// channel:create — a name (trimmed, 1..MaxNameLength, no control characters), an
// optional topic and an optional isPrivate flag.
Parsed<CreatePayload> parseCreate(const QJsonObject &payload);
// channel:invite — the channel and the username of the one invited.
Parsed<InvitePayload> parseInvite(const QJsonObject &payload);
// channel:list — where the page starts (after a channel name, any case) and how long it is.
Parsed<ListPayload> parseList(const QJsonObject &payload);
// channel:members — the channel, where the page starts and how long it is.
Parsed<MembersPayload> parseMembers(const QJsonObject &payload);

} // namespace parley::server::payload
