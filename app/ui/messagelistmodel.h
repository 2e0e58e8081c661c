#pragma once

#include "protocol/types.h"
#include "session/clientcache.h"
#include "sessiontypes.h"

#include <QAbstractListModel>
#include <QColor>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace parley::ui {

// One channel's messages, oldest first: delivered ones in seq order, then what the
// user typed that the server has not delivered back yet (pending, sent or failed).
// Each row says whether it starts a new day (the view draws a separator) and
// whether it continues the previous author's run (the view drops the name).
// Bound to a `session` and a `channelId`, it shows that channel, follows new
// messages, loads older pages on request, marks what it shows as read, and
// sends what the user types there (messagelistmodel_session.cpp).
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(parley::client::ClientSession *session READ session WRITE setSession NOTIFY sessionChanged)
    Q_PROPERTY(QString channelId READ channelId WRITE setChannelId NOTIFY channelIdChanged)
    // Older history exists above what is shown; loadingOlder while a page is on its way.
    Q_PROPERTY(bool hasOlder READ hasOlder NOTIFY historyChanged)
    Q_PROPERTY(bool loadingOlder READ loadingOlder NOTIFY historyChanged)
    Q_PROPERTY(int maxMessageLength READ maxMessageLength CONSTANT)
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
        DeliveryRole, // a Delivery
        ErrorRole, // why it failed
        FirstOfDayRole,
        DayLabelRole,
        GroupedRole, // same author as the row above, same day, within five minutes
    };
    Q_ENUM(Role)
    // Where a row stands: delivered back by the server, or typed here and still
    // in the outbox (client::MessageState).
    enum Delivery
    {
        Delivered,
        Pending,
        Sent,
        Failed,
    };
    Q_ENUM(Delivery)

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

    client::ClientSession *session() const { return m_session; }
    void setSession(client::ClientSession *session);
    QString channelId() const { return m_channelId; }
    void setChannelId(const QString &channelId);
    bool hasOlder() const { return m_hasOlder; }
    bool loadingOlder() const { return m_loadingOlder; }
    int maxMessageLength() const { return 16000; }

    Q_INVOKABLE bool sendMessage(const QString &text);
    Q_INVOKABLE void resend(const QString &clientMsgId);
    Q_INVOKABLE void discard(const QString &clientMsgId);
    Q_INVOKABLE void loadOlder();

Q_SIGNALS:
    void countChanged();
    void linkColorChanged();
    void sessionChanged();
    void channelIdChanged();
    void historyChanged();
    void notice(const QString &text); // a short sentence for the status line

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

    void reload();
    void updateHasOlder();
    void markRead();
    void onMessagesArrived(const QString &channelId, const QList<protocol::Message> &messages);
    void onOlderLoaded(const QString &channelId, const QList<protocol::Message> &messages);
    void onStateChanged(const QString &clientMsgId, client::MessageState state);

    QList<Row> m_rows;
    QColor m_linkColor;
    QPointer<client::ClientSession> m_session;
    QString m_channelId;
    bool m_hasOlder = false;
    bool m_loadingOlder = false;
};

} // namespace parley::ui
