#include "channelrepository.h"

#include "database.h"
#include "sqlsupport.h"
#include "transaction.h"

#include <QSqlQuery>

namespace parley::store {

namespace {

// Column order is what channelFromRow() reads. The member count comes from the
// memberships primary key (channel_id first), so it is an index range count.
const QString ChannelColumns =
    QStringLiteral("SELECT c.id, c.name, c.topic, c.is_private, c.last_seq,"
                   " (SELECT COUNT(*) FROM memberships AS counted WHERE counted.channel_id = c.id) ");

const QString SelectChannels = ChannelColumns + QStringLiteral("FROM channels AS c ");

// A user's own channels, found from the user's memberships (memberships_by_user) rather
// than by testing every channel: every connect asks this, and its cost must not grow
// with the number of channels on the server (bench/README.md has the figures).
const QString SelectChannelsOfMember = ChannelColumns +
    QStringLiteral("FROM memberships AS mine JOIN channels AS c ON c.id = mine.channel_id"
                   " WHERE mine.user_id = ?");

const QString MemberOfChannel =
    QStringLiteral("EXISTS (SELECT 1 FROM memberships AS m WHERE m.channel_id = c.id AND m.user_id = ?)");

} // namespace

protocol::Channel ChannelRepository::channelFromRow(const QSqlQuery &row)
{
    protocol::Channel channel;
    channel.id = sql::idToString(row.value(0).toLongLong());
    channel.name = row.value(1).toString();
    channel.topic = row.value(2).toString();
    channel.isPrivate = row.value(3).toInt() != 0;
    channel.lastSeq = row.value(4).toLongLong();
    channel.memberCount = row.value(5).toLongLong();
    return channel;
}

StoreResult<qint64> ChannelRepository::existingChannel(const QString &channelId) const
{
    const auto rowid = sql::parseId(channelId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such channel"));
    const auto found =
        sql::hasRow(m_database, QStringLiteral("SELECT 1 FROM channels WHERE id = ?"), {*rowid});
    if (!found)
        return found.error();
    if (!*found)
        return sql::notFound(QStringLiteral("no such channel"));
    return *rowid;
}

StoreResult<qint64> ChannelRepository::existingUser(const QString &userId) const
{
    const auto rowid = sql::parseId(userId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such user"));
    const auto found = sql::hasRow(m_database, QStringLiteral("SELECT 1 FROM users WHERE id = ?"), {*rowid});
    if (!found)
        return found.error();
    if (!*found)
        return sql::notFound(QStringLiteral("no such user"));
    return *rowid;
}

StoreResult<protocol::Channel> ChannelRepository::createChannel(const NewChannel &channel)
{
    if (channel.name.isEmpty() || channel.name.size() > MaxNameLength)
        return sql::invalidArgument(QStringLiteral("a channel name has 1 to 64 characters"));
    if (channel.topic.size() > MaxTopicLength)
        return sql::invalidArgument(QStringLiteral("a channel topic has at most 256 characters"));

    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    const auto creator = existingUser(channel.creatorId);
    if (!creator)
        return creator.error();
    const QString key = sql::caseKey(channel.name);
    const auto taken = nameTaken(channel.name);
    if (!taken)
        return taken.error();
    if (*taken)
        return sql::conflict(QStringLiteral("a channel with this name exists"));

    const qint64 now = sql::nowMsecs();
    auto inserted = m_database.run(QStringLiteral("INSERT INTO channels (name, name_key, topic, is_private,"
                                                  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
        {channel.name, key, sql::text(channel.topic), channel.isPrivate ? 1 : 0, *creator, now});
    if (!inserted)
        return inserted.error();
    const qint64 rowid = inserted->lastInsertId().toLongLong();
    auto joined = m_database.run(
        QStringLiteral("INSERT INTO memberships (channel_id, user_id, joined_at) VALUES (?, ?, ?)"),
        {rowid, *creator, now});
    if (!joined)
        return joined.error();
    if (auto committed = transaction->commit(); !committed)
        return committed.error();

    return protocol::Channel {sql::idToString(rowid), channel.name, channel.topic, channel.isPrivate, 1, 0};
}

StoreResult<protocol::Channel> ChannelRepository::channelById(const QString &channelId) const
{
    const auto rowid = sql::parseId(channelId);
    if (!rowid)
        return sql::notFound(QStringLiteral("no such channel"));
    auto query = m_database.run(SelectChannels + QStringLiteral("WHERE c.id = ?"), {*rowid});
    if (!query)
        return query.error();
    if (!query->next())
        return sql::notFound(QStringLiteral("no such channel"));
    return channelFromRow(*query);
}

StoreResult<bool> ChannelRepository::nameTaken(const QString &name) const
{
    return sql::hasRow(
        m_database, QStringLiteral("SELECT 1 FROM channels WHERE name_key = ?"), {sql::caseKey(name)});
}

StoreResult<QList<protocol::Channel>> ChannelRepository::channelsVisibleTo(const QString &userId) const
{
    return channelList(
        userId, SelectChannels + QStringLiteral("WHERE c.is_private = 0 OR ") + MemberOfChannel);
}

StoreResult<ChannelPage> ChannelRepository::channelsVisibleTo(
    const QString &userId, const std::optional<QString> &afterName, int limit) const
{
    const auto user = existingUser(userId);
    if (!user)
        return user.error();
    // One row more than asked tells whether another page follows.
    auto query = m_database.run(SelectChannels + QStringLiteral("WHERE (c.is_private = 0 OR ") +
            MemberOfChannel + QStringLiteral(") AND c.name_key > ? ORDER BY c.name_key LIMIT ?"),
        {*user, afterName ? sql::caseKey(*afterName) : QString(QLatin1String("")), limit + 1});
    if (!query)
        return query.error();
    ChannelPage page;
    while (query->next()) {
        if (page.channels.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.channels.append(channelFromRow(*query));
    }
    return page;
}

StoreResult<qint64> ChannelRepository::membershipCount(const QString &userId) const
{
    const auto user = existingUser(userId);
    if (!user)
        return user.error();
    auto query =
        m_database.run(QStringLiteral("SELECT COUNT(*) FROM memberships WHERE user_id = ?"), {*user});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toLongLong() : 0;
}

StoreResult<QList<protocol::Channel>> ChannelRepository::membershipsOf(const QString &userId) const
{
    return channelList(userId, SelectChannelsOfMember);
}

// `select` binds exactly one value: the user's id.
StoreResult<QList<protocol::Channel>> ChannelRepository::channelList(
    const QString &userId, const QString &select) const
{
    const auto user = existingUser(userId);
    if (!user)
        return user.error();
    auto query = m_database.run(select + QStringLiteral(" ORDER BY c.name_key"), {*user});
    if (!query)
        return query.error();
    QList<protocol::Channel> channels;
    while (query->next())
        channels.append(channelFromRow(*query));
    return channels;
}

StoreResult<bool> ChannelRepository::isMember(const QString &channelId, const QString &userId) const
{
    const auto user = sql::parseId(userId);
    if (!user) {
        const auto channel = existingChannel(channelId); // NotFound still comes first
        if (!channel)
            return channel.error();
        return false;
    }
    const auto channel = sql::parseId(channelId);
    if (!channel)
        return sql::notFound(QStringLiteral("no such channel"));
    // One statement for "does the channel exist" and "is the user in it": every
    // message:send asks this.
    auto query =
        m_database.run(QStringLiteral("SELECT EXISTS (SELECT 1 FROM memberships WHERE channel_id = c.id"
                                      " AND user_id = ?) FROM channels AS c WHERE c.id = ?"),
            {*user, *channel});
    if (!query)
        return query.error();
    if (!query->next())
        return sql::notFound(QStringLiteral("no such channel"));
    return query->value(0).toBool();
}

StoreResult<bool> ChannelRepository::addMember(const QString &channelId, const QString &userId)
{
    auto transaction = Transaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    const auto channel = existingChannel(channelId);
    if (!channel)
        return channel.error();
    const auto user = existingUser(userId);
    if (!user)
        return user.error();
    auto inserted = m_database.run(QStringLiteral("INSERT INTO memberships (channel_id, user_id, joined_at)"
                                                  " VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
        {*channel, *user, sql::nowMsecs()});
    if (!inserted)
        return inserted.error();
    const bool added = inserted->numRowsAffected() > 0;
    if (auto committed = transaction->commit(); !committed)
        return committed.error();
    return added;
}

StoreResult<bool> ChannelRepository::removeMember(const QString &channelId, const QString &userId)
{
    const auto channel = existingChannel(channelId);
    if (!channel)
        return channel.error();
    const auto user = sql::parseId(userId);
    if (!user)
        return false;
    auto deleted = m_database.run(
        QStringLiteral("DELETE FROM memberships WHERE channel_id = ? AND user_id = ?"), {*channel, *user});
    if (!deleted)
        return deleted.error();
    return deleted->numRowsAffected() > 0;
}

StoreResult<MemberPage> ChannelRepository::members(
    const QString &channelId, const std::optional<QString> &afterUsername, int limit) const
{
    if (limit < 1)
        return sql::invalidArgument(QStringLiteral("a members page holds at least one member"));
    const auto channel = existingChannel(channelId);
    if (!channel)
        return channel.error();
    // Every key is non-empty, so "" as the cursor means "from the start". One
    // row more than asked tells whether another page exists.
    const QString after = afterUsername ? sql::caseKey(*afterUsername) : QString();
    auto query = m_database.run(QStringLiteral("SELECT u.id, u.username, u.display_name"
                                               " FROM memberships AS m JOIN users AS u ON u.id = m.user_id"
                                               " WHERE m.channel_id = ? AND u.username_key > ?"
                                               " ORDER BY u.username_key LIMIT ?"),
        {*channel, sql::text(after), qint64(limit) + 1});
    if (!query)
        return query.error();
    MemberPage page;
    while (query->next()) {
        if (page.members.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.members.append({sql::idToString(query->value(0).toLongLong()), query->value(1).toString(),
            query->value(2).toString()});
    }
    return page;
}

} // namespace parley::store
