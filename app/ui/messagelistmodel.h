#pragma once

#include "protocol/types.h"
#include "session/clientcache.h"

#include <QAbstractListModel>
#include <QColor>

namespace parley::ui {

// One channel's messages, oldest first: delivered ones in seq order, then what the
// user typed that the server has not delivered back yet (pending, sent or failed).
// Each row says whether it starts a new day (the view draws a separator) and
// whether it continues the previous author's run (the view drops the name).
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // The theme's link colour, for the links in HtmlRole (the views bind Theme.link).
    Q_PROPERTY(QColor linkColor READ linkColor WRITE setLinkColor NOTIFY linkColorChanged)
public:
    enum Role
    {
        MessageIdRole = Qt::UserRole + 1,
        ClientMsgIdRole,
        SeqRole,
        AuthorIdRole,
        AuthorRole,
        TextRole, // the plain text as typed
        HtmlRole, // escaped, with http(s) links: safe for Text.RichText
        TimeRole,
        TimeTextRole,
        StateRole, // "delivered", "pending", "sent" or "failed"
        ErrorRole, // why it failed
        FirstOfDayRole,
        DayLabelRole,
        GroupedRole, // same author as the row above, same day, within five minutes
    };
    Q_ENUM(Role)

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void reset(const QList<protocol::Message> &messages, const QList<client::OutboxEntry> &outbox,
        const protocol::User &me);
    void addDelivered(const QList<protocol::Message> &messages);
    void addOlder(const QList<protocol::Message> &messages);
    void addTyped(const client::OutboxEntry &entry, const protocol::User &me);
    void setState(const QString &clientMsgId, client::MessageState state, const QString &error = {});
    void clear();

    qint64 oldestSeq() const; // 0 when nothing delivered is held
    qint64 newestSeq() const;
    QColor linkColor() const { return m_linkColor; }
    void setLinkColor(const QColor &color);

Q_SIGNALS:
    void countChanged();
    void linkColorChanged();

private:
    struct Row
    {
        protocol::Message message; // seq 0 until delivered
        bool delivered = false;
        client::MessageState state = client::MessageState::Pending;
        QString error;
    };
    static Row typedRow(const client::OutboxEntry &entry, const protocol::User &me);
    qsizetype firstTypedRow() const;
    qsizetype rowOfClientMsgId(const QString &clientMsgId, bool deliveredToo) const;
    bool holdsSeq(qint64 seq) const;
    bool grouped(qsizetype row) const;
    bool firstOfDay(qsizetype row) const;
    void insertRow(qsizetype at, Row row);
    void removeRowAt(qsizetype at);
    void neighbourChanged(qsizetype row);

    QList<Row> m_rows;
    QColor m_linkColor;
};

} // namespace parley::ui
