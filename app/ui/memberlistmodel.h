#pragma once

#include "protocol/types.h"

#include <QAbstractListModel>

namespace parley::ui {

// The members of the open channel, as channel:members lists them.
class MemberListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
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

Q_SIGNALS:
    void countChanged();

private:
    QList<protocol::User> m_members;
};

} // namespace parley::ui
