#pragma once

#include "sessiontypes.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace parley::ui {

// The server's public channels for the Browse dialog (channel:list), each with
// whether the user is in it already. Asks again on refresh().
class PublicChannelModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(parley::client::ClientSession *session READ session WRITE setSession NOTIFY sessionChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role
    {
        ChannelIdRole = Qt::UserRole + 1,
        NameRole,
        TopicRole,
        JoinedRole,
    };
    Q_ENUM(Role)

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    client::ClientSession *session() const { return m_session; }
    void setSession(client::ClientSession *session);

    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void sessionChanged();
    void countChanged();

private:
    struct Row
    {
        QString channelId;
        QString name;
        QString topic;
        bool joined = false;
    };
    void setRows(QList<Row> rows);
    void fetchPage(int generation, const QString &afterName, QList<Row> rows);

    static constexpr int PageSize = 200; // the most channel:list gives at once
    static constexpr qsizetype MaxRows = 10000; // a browse list past this is not read by anyone

    QPointer<client::ClientSession> m_session;
    QList<Row> m_rows;
    int m_generation = 0;
};

} // namespace parley::ui
