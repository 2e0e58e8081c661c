#pragma once

#include "session/clientcache.h"
#include "sessiontypes.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace parley::ui {

// The channels the user is in, for the sidebar: name, topic, unread count, when
// something last happened, and whether the channel is private. Sorted by name.
// Follows its `session`: the cache's channels, refreshed as they change.
class ChannelListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The channel list is Channels.model.")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role
    {
        ChannelIdRole = Qt::UserRole + 1,
        NameRole,
        TopicRole,
        UnreadRole,
        LastActivityRole,
        PrivateRole,
    };
    Q_ENUM(Role)

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    client::ClientSession *session() const { return m_session; }
    void setSession(client::ClientSession *session);
    void setChannels(const QList<client::CachedChannel> &channels);
    void noteActivity(const QString &channelId, const QDateTime &when);

    Q_INVOKABLE int indexOf(const QString &channelId) const;
    Q_INVOKABLE QString channelIdAt(int row) const;
    Q_INVOKABLE QString nameAt(int row) const;
    QString topicAt(int row) const;
    qint64 lastSeqOf(const QString &channelId) const; // the newest seq heard of; 0 when none
    int totalUnread() const;

Q_SIGNALS:
    void countChanged();
    void channelsChanged(); // after every refresh, also when only counts moved

private:
    void refresh();

    QPointer<client::ClientSession> m_session;
    QList<client::CachedChannel> m_channels;
    QHash<QString, QDateTime> m_lastActivity;
};

} // namespace parley::ui
