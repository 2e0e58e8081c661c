#include "channellistmodel.h"

#include <algorithm>

namespace parley::ui {

int ChannelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_channels.size());
}

QVariant ChannelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &cached = m_channels.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return cached.channel.name;
    case ChannelIdRole:
        return cached.channel.id;
    case TopicRole:
        return cached.channel.topic;
    case UnreadRole:
        return int(cached.unreadCount());
    case LastActivityRole:
        return m_lastActivity.value(cached.channel.id);
    case PrivateRole:
        return cached.channel.isPrivate;
    default:
        return {};
    }
}

QHash<int, QByteArray> ChannelListModel::roleNames() const
{
    return {
        {ChannelIdRole, "channelId"},
        {NameRole, "name"},
        {TopicRole, "topic"},
        {UnreadRole, "unread"},
        {LastActivityRole, "lastActivity"},
        {PrivateRole, "isPrivate"},
    };
}

void ChannelListModel::setChannels(const QList<client::CachedChannel> &channels)
{
    auto sorted = channels;
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
        return a.channel.name.compare(b.channel.name, Qt::CaseInsensitive) < 0;
    });
    // Same channels in the same order: change the rows in place, so the view keeps
    // its selection and scroll position when only counts moved.
    const bool sameRows = std::equal(sorted.begin(), sorted.end(), m_channels.begin(), m_channels.end(),
        [](const auto &a, const auto &b) { return a.channel.id == b.channel.id; });
    if (sameRows) {
        m_channels = sorted;
        if (!m_channels.isEmpty())
            Q_EMIT dataChanged(index(0), index(int(m_channels.size()) - 1));
        Q_EMIT channelsChanged();
        return;
    }
    beginResetModel();
    m_channels = sorted;
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT channelsChanged();
}

void ChannelListModel::setSession(client::ClientSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(session, &client::ClientSession::channelsChanged, this, &ChannelListModel::refresh);
        connect(session, &client::ClientSession::messagesArrived, this,
            [this](const QString &channelId, const QList<protocol::Message> &messages) {
                for (const auto &message : messages)
                    noteActivity(channelId, message.createdAt);
                refresh(); // the cache has a new lastSeq: the unread badge grows
            });
    }
    refresh();
}

void ChannelListModel::refresh()
{
    setChannels(m_session ? m_session->channels() : QList<client::CachedChannel>());
}

void ChannelListModel::noteActivity(const QString &channelId, const QDateTime &when)
{
    auto &last = m_lastActivity[channelId];
    if (last.isValid() && last >= when)
        return;
    last = when;
    const int row = indexOf(channelId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {LastActivityRole});
}

int ChannelListModel::indexOf(const QString &channelId) const
{
    for (qsizetype i = 0; i < m_channels.size(); ++i) {
        if (m_channels.at(i).channel.id == channelId)
            return int(i);
    }
    return -1;
}

QString ChannelListModel::channelIdAt(int row) const
{
    return row >= 0 && row < m_channels.size() ? m_channels.at(row).channel.id : QString();
}

QString ChannelListModel::nameAt(int row) const
{
    return row >= 0 && row < m_channels.size() ? m_channels.at(row).channel.name : QString();
}

QString ChannelListModel::topicAt(int row) const
{
    return row >= 0 && row < m_channels.size() ? m_channels.at(row).channel.topic : QString();
}

qint64 ChannelListModel::lastSeqOf(const QString &channelId) const
{
    const int row = indexOf(channelId);
    return row < 0 ? 0 : m_channels.at(row).channel.lastSeq;
}

int ChannelListModel::totalUnread() const
{
    qint64 total = 0;
    for (const auto &cached : m_channels)
        total += cached.unreadCount();
    return int(total);
}

} // namespace parley::ui
