#include "messagelistmodel.h"

#include "messagetext.h"

#include <QLocale>
#include <QSet>

#include <algorithm>

namespace parley::ui {

namespace {

constexpr qint64 groupingSeconds = 5 * 60;

MessageListModel::Delivery deliveryOf(bool delivered, client::MessageState state)
{
    if (delivered)
        return MessageListModel::Delivered;
    switch (state) {
    case client::MessageState::Pending:
        return MessageListModel::Pending;
    case client::MessageState::Sent:
        return MessageListModel::Sent;
    case client::MessageState::Failed:
        return MessageListModel::Failed;
    }
    return MessageListModel::Pending;
}

QString dayLabel(const QDate &day)
{
    const QDate today = QDate::currentDate();
    if (day == today)
        return MessageListModel::tr("Today");
    if (day == today.addDays(-1))
        return MessageListModel::tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

} // namespace

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qsizetype row = index.row();
    const Row &r = m_rows.at(row);
    const auto &m = r.message;
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return m.content;
    case MessageIdRole:
        return m.id;
    case ClientMsgIdRole:
        return m.clientMsgId;
    case SeqRole:
        return m.seq;
    case AuthorIdRole:
        return m.author.id;
    case AuthorRole:
        return m.author.displayName.isEmpty() ? m.author.username : m.author.displayName;
    case HtmlRole:
        return messageTextToHtml(m.content, m_linkColor);
    case TimeRole:
        return m.createdAt;
    case TimeTextRole:
        return QLocale().toString(m.createdAt.toLocalTime().time(), QLocale::ShortFormat);
    case DeliveryRole:
        return int(deliveryOf(r.delivered, r.state));
    case ErrorRole:
        return r.error;
    case FirstOfDayRole:
        return firstOfDay(row);
    case DayLabelRole:
        return dayLabel(m.createdAt.toLocalTime().date());
    case GroupedRole:
        return grouped(row);
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    return {
        {MessageIdRole, "messageId"},
        {ClientMsgIdRole, "clientMsgId"},
        {SeqRole, "seq"},
        {AuthorIdRole, "authorId"},
        {AuthorRole, "author"},
        {TextRole, "text"},
        {HtmlRole, "html"},
        {TimeRole, "time"},
        {TimeTextRole, "timeText"},
        {DeliveryRole, "delivery"},
        {ErrorRole, "error"},
        {FirstOfDayRole, "firstOfDay"},
        {DayLabelRole, "dayLabel"},
        {GroupedRole, "grouped"},
    };
}

void MessageListModel::reset(const QList<protocol::Message> &messages,
    const QList<client::OutboxEntry> &outbox, const protocol::User &me)
{
    beginResetModel();
    m_rows.clear();
    auto sorted = messages;
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.seq < b.seq; });
    QSet<QString> deliveredIds;
    for (const auto &message : std::as_const(sorted)) {
        if (!message.clientMsgId.isEmpty())
            deliveredIds.insert(message.clientMsgId);
        if (!holdsSeq(message.seq))
            m_rows.append(Row {message, true, client::MessageState::Sent, {}});
    }
    // The outbox may still hold a message the cache already has from message:new
    // (its ack not yet in): shown once, delivered.
    for (const auto &entry : outbox) {
        if (!deliveredIds.contains(entry.clientMsgId))
            m_rows.append(typedRow(entry, me));
    }
    endResetModel();
    Q_EMIT countChanged();
}

void MessageListModel::addDelivered(const QList<protocol::Message> &messages)
{
    for (const auto &message : messages) {
        // The typed row goes even when the delivered one is held already: it must
        // not stay behind as a second, pending copy.
        if (!message.clientMsgId.isEmpty()) {
            const auto typed = rowOfClientMsgId(message.clientMsgId, false);
            // clientMsgIds are unique per sender only (typed before the first
            // connection:ready, a row does not know its sender's id yet).
            const QString typedBy = typed >= 0 ? m_rows.at(typed).message.userId : QString();
            if (typed >= 0 && (typedBy.isEmpty() || typedBy == message.userId))
                removeRowAt(typed);
        }
        if (holdsSeq(message.seq))
            continue;
        qsizetype at = firstTypedRow();
        while (at > 0 && m_rows.at(at - 1).message.seq > message.seq)
            --at;
        insertRow(at, Row {message, true, client::MessageState::Sent, {}});
    }
}

void MessageListModel::addOlder(const QList<protocol::Message> &messages)
{
    addDelivered(messages);
}

void MessageListModel::addTyped(const client::OutboxEntry &entry, const protocol::User &me)
{
    if (rowOfClientMsgId(entry.clientMsgId, true) >= 0)
        return;
    insertRow(m_rows.size(), typedRow(entry, me));
}

void MessageListModel::setState(const QString &clientMsgId, client::MessageState state, const QString &error)
{
    const auto row = rowOfClientMsgId(clientMsgId, false);
    if (row < 0)
        return;
    m_rows[row].state = state;
    m_rows[row].error = state == client::MessageState::Failed ? error : QString();
    Q_EMIT dataChanged(index(int(row)), index(int(row)), {DeliveryRole, ErrorRole});
}

void MessageListModel::setLinkColor(const QColor &color)
{
    if (color == m_linkColor)
        return;
    m_linkColor = color;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1), {HtmlRole});
    Q_EMIT linkColorChanged();
}

void MessageListModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
    Q_EMIT countChanged();
}

qint64 MessageListModel::oldestSeq() const
{
    for (const auto &row : m_rows) {
        if (row.delivered)
            return row.message.seq;
    }
    return 0;
}

qint64 MessageListModel::newestSeq() const
{
    const auto typed = firstTypedRow();
    return typed > 0 ? m_rows.at(typed - 1).message.seq : 0;
}

MessageListModel::Row MessageListModel::typedRow(const client::OutboxEntry &entry, const protocol::User &me)
{
    Row row;
    row.message.channelId = entry.channelId;
    row.message.clientMsgId = entry.clientMsgId;
    row.message.content = entry.content;
    row.message.createdAt = entry.createdAt.isValid() ? entry.createdAt : QDateTime::currentDateTimeUtc();
    row.message.author = me;
    row.message.userId = me.id;
    row.state = entry.state;
    row.error = entry.error ? entry.error->message : QString();
    return row;
}

qsizetype MessageListModel::firstTypedRow() const
{
    qsizetype at = m_rows.size();
    while (at > 0 && !m_rows.at(at - 1).delivered)
        --at;
    return at;
}

qsizetype MessageListModel::rowOfClientMsgId(const QString &clientMsgId, bool deliveredToo) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const auto &row = m_rows.at(i);
        if (row.message.clientMsgId == clientMsgId && (deliveredToo || !row.delivered))
            return i;
    }
    return -1;
}

bool MessageListModel::holdsSeq(qint64 seq) const
{
    return std::any_of(m_rows.begin(), m_rows.end(),
        [seq](const Row &row) { return row.delivered && row.message.seq == seq; });
}

bool MessageListModel::firstOfDay(qsizetype row) const
{
    if (row == 0)
        return true;
    return m_rows.at(row - 1).message.createdAt.toLocalTime().date() !=
        m_rows.at(row).message.createdAt.toLocalTime().date();
}

bool MessageListModel::grouped(qsizetype row) const
{
    if (row == 0 || firstOfDay(row))
        return false;
    const auto &previous = m_rows.at(row - 1).message;
    const auto &current = m_rows.at(row).message;
    return previous.author.id == current.author.id &&
        previous.createdAt.secsTo(current.createdAt) < groupingSeconds;
}

void MessageListModel::insertRow(qsizetype at, Row row)
{
    beginInsertRows({}, int(at), int(at));
    m_rows.insert(at, std::move(row));
    endInsertRows();
    neighbourChanged(at + 1);
    Q_EMIT countChanged();
}

void MessageListModel::removeRowAt(qsizetype at)
{
    beginRemoveRows({}, int(at), int(at));
    m_rows.removeAt(at);
    endRemoveRows();
    neighbourChanged(at);
    Q_EMIT countChanged();
}

void MessageListModel::neighbourChanged(qsizetype row)
{
    // The row after an insertion or removal may start or stop a day or a run.
    if (row < m_rows.size())
        Q_EMIT dataChanged(index(int(row)), index(int(row)), {FirstOfDayRole, GroupedRole});
}

} // namespace parley::ui
