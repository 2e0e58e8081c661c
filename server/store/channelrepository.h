#pragma once

#include "records.h"
#include "storeerror.h"

#include <QList>

#include <optional>

class QSqlQuery;

namespace parley::store {

class Database;

// Channels and who is in them. The store keeps the facts; who may join or read
// what (invitations, FORBIDDEN) is decided by the server's handlers.
// Every Channel returned has memberCount and lastSeq filled in.
class ChannelRepository
{
public:
    static constexpr qsizetype MaxNameLength = 64;
    static constexpr qsizetype MaxTopicLength = 256;

    explicit ChannelRepository(const Database &database)
        : m_database(database)
    { }

    // The creator becomes the first member. InvalidArgument: name not 1-64
    // characters or topic over 256; Conflict: name taken (any case);
    // NotFound: no such creator.
    StoreResult<protocol::Channel> createChannel(const NewChannel &channel);
    StoreResult<protocol::Channel> channelById(const QString &channelId) const;
    // Whether createChannel() would answer Conflict for this name (any case), so a
    // caller can refuse a taken name before it counts the request's rate.
    StoreResult<bool> nameTaken(const QString &name) const;

    // What `channel:list` shows the user: every public channel and the private
    // ones the user is in, ordered by name.
    StoreResult<QList<protocol::Channel>> channelsVisibleTo(const QString &userId) const;
    // One page of the same, by name without regard to case, starting after `afterName`
    // (any case); hasMore says whether a next page exists.
    StoreResult<ChannelPage> channelsVisibleTo(
        const QString &userId, const std::optional<QString> &afterName, int limit) const;
    // The channels the user is a member of, ordered by name (`connection:ready`).
    StoreResult<QList<protocol::Channel>> membershipsOf(const QString &userId) const;

    // How many channels the user is a member of (the per-user cap).
    StoreResult<qint64> membershipCount(const QString &userId) const;

    // NotFound when the channel does not exist (so a caller tells NOT_FOUND from FORBIDDEN).
    StoreResult<bool> isMember(const QString &channelId, const QString &userId) const;
    // Idempotent; true when the membership is new. NotFound: no such channel or user.
    StoreResult<bool> addMember(const QString &channelId, const QString &userId);
    // True when there was a membership to remove. NotFound: no such channel.
    StoreResult<bool> removeMember(const QString &channelId, const QString &userId);

    // Members ordered by username without regard to case, starting after
    // `afterUsername` (any case); hasMore says whether a next page exists.
    StoreResult<MemberPage> members(
        const QString &channelId, const std::optional<QString> &afterUsername, int limit) const;

private:
    StoreResult<QList<protocol::Channel>> channelList(const QString &userId, const QString &select) const;
    StoreResult<qint64> existingChannel(const QString &channelId) const;
    StoreResult<qint64> existingUser(const QString &userId) const;
    static protocol::Channel channelFromRow(const QSqlQuery &row);

    const Database &m_database;
};

} // namespace parley::store
