#include "memberlistmodel.h"

#include "protocol/catalogue.h"
#include "session/clientsession.h"

#include <QJsonArray>
#include <QJsonObject>

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

void MemberListModel::setSession(client::ClientSession *session)
{
    if (session == m_session)
        return;
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(
            session, &client::ClientSession::stageChanged, this, [this](client::ClientSession::Stage stage) {
                if (stage == client::ClientSession::Stage::Ready)
                    refresh(); // joins and leaves while away are not replayed
            });
        connect(session, &client::ClientSession::eventReceived, this, &MemberListModel::onEvent);
    }
    clear();
    refresh();
    Q_EMIT sessionChanged();
}

void MemberListModel::setChannelId(const QString &channelId)
{
    if (channelId == m_channelId)
        return;
    m_channelId = channelId;
    clear(); // not the last channel's members while this one's are asked for
    refresh();
    Q_EMIT channelIdChanged();
}

void MemberListModel::refresh()
{
    ++m_generation; // whatever is still on its way is for another channel or session
    if (!m_session || m_channelId.isEmpty() || m_session->stage() != client::ClientSession::Stage::Ready)
        return;
    fetchPage({}, {}, m_generation);
}

// At most 200 a page; the list changes once, when the last page is in.
void MemberListModel::fetchPage(const QString &after, QList<protocol::User> members, quint64 generation)
{
    QJsonObject payload {{QStringLiteral("channelId"), m_channelId}, {QStringLiteral("limit"), 200}};
    if (!after.isEmpty())
        payload.insert(QStringLiteral("afterUsername"), after);
    m_session->request(protocol::event::ChannelMembers, payload,
        [this, alive = QPointer(this), generation, members = std::move(members)](
            const client::AckResult &ack) mutable {
            if (!alive || generation != m_generation || !m_session)
                return; // another channel, or a newer request, has the list now
            if (!ack.succeeded())
                return; // NoReply: the next Ready asks again
            const auto list = ack.body.value(QStringLiteral("members")).toArray();
            for (const auto &value : list) {
                if (auto user = protocol::User::fromJson(value.toObject()))
                    members.append(*user);
            }
            if (ack.body.value(QStringLiteral("hasMore")).toBool() && !list.isEmpty()) {
                const QString last = members.last().username;
                fetchPage(last, std::move(members), generation);
                return;
            }
            setMembers(members);
        });
}

void MemberListModel::onEvent(const transport::IncomingEvent &event)
{
    const QJsonObject payload = event.args.isEmpty() ? QJsonObject() : event.args.first().toObject();
    if (payload.value(QStringLiteral("channelId")).toString() != m_channelId)
        return;
    if (event.name == QLatin1String("channel:member_joined")) {
        if (auto user = protocol::User::fromJson(payload.value(QStringLiteral("user")).toObject()))
            addMember(*user);
    } else if (event.name == QLatin1String("channel:member_left")) {
        removeMember(payload.value(QStringLiteral("userId")).toString());
    }
}

} // namespace parley::ui
