#pragma once

#include "protocol/types.h"
#include "sessiontypes.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace parley::transport {
struct IncomingEvent;
}

namespace parley::ui {

// The members of a channel, as channel:members lists them (page by page, shown
// once the last page is in), then following joins and leaves. Bound to a
// `session` and a `channelId`; asks again whenever the session is Ready.
class MemberListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(parley::client::ClientSession *session READ session WRITE setSession NOTIFY sessionChanged)
    Q_PROPERTY(QString channelId READ channelId WRITE setChannelId NOTIFY channelIdChanged)
public:
    enum Role
    {
        UserIdRole = Qt::UserRole + 1,
        UsernameRole,
        DisplayNameRole,
    };
    Q_ENUM(Role)

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMembers(const QList<protocol::User> &members);
    void addMember(const protocol::User &member); // channel:member_joined
    void removeMember(const QString &userId); // channel:member_left
    void clear();

    client::ClientSession *session() const { return m_session; }
    void setSession(client::ClientSession *session);
    QString channelId() const { return m_channelId; }
    void setChannelId(const QString &channelId);

Q_SIGNALS:
    void countChanged();
    void sessionChanged();
    void channelIdChanged();

private:
    void refresh();
    void fetchPage(const QString &after, QList<protocol::User> members, quint64 generation);
    void onEvent(const transport::IncomingEvent &event);

    QList<protocol::User> m_members;
    QPointer<client::ClientSession> m_session;
    QString m_channelId;
    quint64 m_generation = 0; // answers to an older channel:members are dropped
};

} // namespace parley::ui
