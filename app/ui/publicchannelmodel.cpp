#include "publicchannelmodel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace parley::ui {

int PublicChannelModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant PublicChannelModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.name;
    case ChannelIdRole:
        return row.channelId;
    case TopicRole:
        return row.topic;
    case JoinedRole:
        return row.joined;
    default:
        return {};
    }
}

QHash<int, QByteArray> PublicChannelModel::roleNames() const
{
    return {{ChannelIdRole, "channelId"}, {NameRole, "name"}, {TopicRole, "topic"}, {JoinedRole, "joined"}};
}

void PublicChannelModel::setSession(client::ClientSession *session)
{
    if (session == m_session)
        return;
    m_session = session;
    setRows({});
    Q_EMIT sessionChanged();
}

void PublicChannelModel::refresh()
{
    if (!m_session)
        return;
    ++m_generation; // pages of an earlier refresh still on their way are dropped
    fetchPage(m_generation, {}, {});
}

// channel:list comes in pages (docs/protocol.md section 5): ask on after the last name until
// the server says there is no more, then show them all at once.
void PublicChannelModel::fetchPage(int generation, const QString &afterName, QList<Row> rows)
{
    QJsonObject ask {{QStringLiteral("limit"), PageSize}};
    if (!afterName.isEmpty())
        ask.insert(QStringLiteral("afterName"), afterName);
    m_session->request(QStringLiteral("channel:list"), ask,
        [this, alive = QPointer(this), generation, rows = std::move(rows)](
            const client::AckResult &ack) mutable {
            if (!alive || generation != m_generation || !ack.succeeded() || !m_session)
                return;
            QSet<QString> mine;
            const auto channels = m_session->channels();
            for (const auto &cached : channels)
                mine.insert(cached.channel.id);
            const auto list = ack.body.value(QStringLiteral("channels")).toArray();
            for (const auto &value : list) {
                const auto object = value.toObject();
                Row row;
                row.channelId = object.value(QStringLiteral("id")).toString();
                row.name = object.value(QStringLiteral("name")).toString();
                row.topic = object.value(QStringLiteral("topic")).toString();
                row.joined = mine.contains(row.channelId);
                rows.append(row);
            }
            if (ack.body.value(QStringLiteral("hasMore")).toBool() && !list.isEmpty() &&
                rows.size() < MaxRows) {
                const QString after = rows.last().name; // before rows is moved into the call
                return fetchPage(generation, after, std::move(rows));
            }
            setRows(std::move(rows));
        });
}

void PublicChannelModel::setRows(QList<Row> rows)
{
    const bool countMoves = rows.size() != m_rows.size();
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    if (countMoves)
        Q_EMIT countChanged();
}

} // namespace parley::ui
