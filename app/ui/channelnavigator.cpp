#include "channelnavigator.h"

#include "chatapp.h"

#include <QJsonObject>

#include <algorithm>
#include <utility>

namespace parley::ui {

ChannelNavigator *ChannelNavigator::create(QQmlEngine *engine, QJSEngine *)
{
    return ChatApp::of(engine)->exposed(&ChatApp::channels);
}

ChannelNavigator::ChannelNavigator(QObject *parent)
    : QObject(parent)
{
    connect(&m_channels, &ChannelListModel::channelsChanged, this, &ChannelNavigator::onChannelsChanged);
}

void ChannelNavigator::setSession(client::ClientSession *session)
{
    if (session == m_session && session)
        return;
    m_session = session;
    m_currentChannelId.clear();
    m_wantedChannelId.clear();
    m_channels.setSession(session); // refreshes, and onChannelsChanged opens the first channel
}

void ChannelNavigator::onChannelsChanged()
{
    if (!m_wantedChannelId.isEmpty() && m_channels.indexOf(m_wantedChannelId) >= 0) {
        open(std::exchange(m_wantedChannelId, QString()));
    } else if (m_channels.indexOf(m_currentChannelId) < 0) {
        open(m_channels.channelIdAt(0));
    } else if (m_shownName != currentChannelName() || m_shownTopic != currentChannelTopic()) {
        // Only then: the views keep their scroll position when just counts moved.
        open(m_currentChannelId);
    }
}

void ChannelNavigator::open(const QString &channelId)
{
    m_currentChannelId = channelId;
    m_shownName = currentChannelName();
    m_shownTopic = currentChannelTopic();
    Q_EMIT currentChannelChanged();
}

void ChannelNavigator::showWhenJoined(const QString &channelId)
{
    if (m_channels.indexOf(channelId) >= 0)
        selectChannel(channelId);
    else
        m_wantedChannelId = channelId; // once channel:joined lands in the cache
}

void ChannelNavigator::selectChannel(const QString &channelId)
{
    if (channelId == m_currentChannelId || m_channels.indexOf(channelId) < 0)
        return;
    open(channelId);
}

void ChannelNavigator::moveChannel(int delta)
{
    const int count = m_channels.rowCount();
    if (count == 0)
        return;
    const int row = currentIndex();
    const int next = std::clamp(row < 0 ? 0 : row + delta, 0, count - 1);
    selectChannel(m_channels.channelIdAt(next));
}

void ChannelNavigator::createChannel(const QString &name, const QString &topic, bool isPrivate)
{
    if (!m_session)
        return;
    m_session->createChannel(
        name.trimmed(), topic.trimmed(), isPrivate, [this](const client::AckResult &ack) {
            if (!ack.succeeded()) {
                Q_EMIT notice(
                    ack.error.message.isEmpty() ? tr("The channel was not created.") : ack.error.message);
                return;
            }
            const auto channel =
                protocol::Channel::fromJson(ack.body.value(QStringLiteral("channel")).toObject());
            if (channel)
                showWhenJoined(channel->id);
        });
}

void ChannelNavigator::joinChannel(const QString &channelId)
{
    if (!m_session)
        return;
    m_session->joinChannel(channelId, [this, channelId](const client::AckResult &ack) {
        if (ack.succeeded())
            showWhenJoined(channelId);
        else
            Q_EMIT notice(ack.error.message);
    });
}

void ChannelNavigator::leaveChannel()
{
    if (m_session && !m_currentChannelId.isEmpty())
        m_session->leaveChannel(m_currentChannelId);
}

void ChannelNavigator::invite(const QString &username)
{
    if (!m_session || m_currentChannelId.isEmpty())
        return;
    const QJsonObject payload {
        {QStringLiteral("channelId"), m_currentChannelId}, {QStringLiteral("username"), username.trimmed()}};
    m_session->request(
        QStringLiteral("channel:invite"), payload, [this, username](const client::AckResult &ack) {
            Q_EMIT notice(ack.succeeded() ? tr("%1 was invited.").arg(username) : ack.error.message);
        });
}

} // namespace parley::ui
