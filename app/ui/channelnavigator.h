#pragma once

#include "channellistmodel.h"

#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace parley::ui {

// Which channel is open, and moving between channels: select, step with the
// keyboard, create, join, leave, invite. The sidebar's model is its own; the
// message and member models bind to currentChannelId. QML knows it as the
// singleton `Channels`.
class ChannelNavigator : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Channels)
    QML_SINGLETON
    Q_PROPERTY(parley::ui::ChannelListModel *model READ model CONSTANT)
    Q_PROPERTY(QString currentChannelId READ currentChannelId NOTIFY currentChannelChanged)
    Q_PROPERTY(QString currentChannelName READ currentChannelName NOTIFY currentChannelChanged)
    Q_PROPERTY(QString currentChannelTopic READ currentChannelTopic NOTIFY currentChannelChanged)
    Q_PROPERTY(int currentIndex READ currentIndex NOTIFY currentChannelChanged)
public:
    static ChannelNavigator *create(QQmlEngine *engine, QJSEngine *);

    // No default constructor: Qt 6.4 would build a second instance with it
    // instead of calling create().
    explicit ChannelNavigator(QObject *parent);

    client::ClientSession *session() const { return m_session; }
    void setSession(client::ClientSession *session);

    ChannelListModel *model() { return &m_channels; }
    QString currentChannelId() const { return m_currentChannelId; }
    QString currentChannelName() const { return m_channels.nameAt(currentIndex()); }
    QString currentChannelTopic() const { return m_channels.topicAt(currentIndex()); }
    int currentIndex() const { return m_channels.indexOf(m_currentChannelId); }

    Q_INVOKABLE void selectChannel(const QString &channelId);
    Q_INVOKABLE void moveChannel(int delta);
    Q_INVOKABLE void createChannel(const QString &name, const QString &topic, bool isPrivate);
    Q_INVOKABLE void joinChannel(const QString &channelId);
    Q_INVOKABLE void leaveChannel();
    Q_INVOKABLE void invite(const QString &username);

Q_SIGNALS:
    void currentChannelChanged();
    void notice(const QString &text); // a short sentence for the status line

private:
    void onChannelsChanged();
    void open(const QString &channelId);
    void showWhenJoined(const QString &channelId);

    QPointer<client::ClientSession> m_session;
    ChannelListModel m_channels;
    QString m_currentChannelId;
    QString m_wantedChannelId; // created or joined: opened once channel:joined lands
    QString m_shownName; // what currentChannelChanged last announced
    QString m_shownTopic;
};

} // namespace parley::ui
