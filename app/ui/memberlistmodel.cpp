#include "memberlistmodel.h"

namespace parley::ui {

int MemberListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

QVariant MemberListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &member = m_members.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return member.displayName.isEmpty() ? member.username : member.displayName;
    case UserIdRole:
        return member.id;
    case UsernameRole:
        return member.username;
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberListModel::roleNames() const
{
    return {{UserIdRole, "userId"}, {UsernameRole, "username"}, {DisplayNameRole, "displayName"}};
}

void MemberListModel::setMembers(const QList<protocol::User> &members)
{
    beginResetModel();
    m_members = members;
    endResetModel();
    Q_EMIT countChanged();
}

void MemberListModel::addMember(const protocol::User &member)
{
    for (const auto &known : std::as_const(m_members)) {
        if (known.id == member.id)
            return;
    }
    const int row = int(m_members.size());
    beginInsertRows({}, row, row);
    m_members.append(member);
    endInsertRows();
    Q_EMIT countChanged();
}

void MemberListModel::removeMember(const QString &userId)
{
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (m_members.at(i).id != userId)
            continue;
        beginRemoveRows({}, int(i), int(i));
        m_members.removeAt(i);
        endRemoveRows();
        Q_EMIT countChanged();
        return;
    }
}

void MemberListModel::clear()
{
    setMembers({});
}

} // namespace parley::ui
