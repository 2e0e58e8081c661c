#pragma once

#include "ui/chatapp.h"
#include "ui/memberlistmodel.h"
#include "ui/messagelistmodel.h"

namespace parley::ui::test {

// The open channel's messages and members, bound to the app as ChatPage.qml
// binds them: the account's session and Channels.currentChannelId.
class BoundModels
{
public:
    explicit BoundModels(ChatApp &app)
        : m_app(app)
    {
        QObject::connect(&app.account(), &AccountController::sessionChanged, &messages, [this] { bind(); });
        QObject::connect(
            &app.channels(), &ChannelNavigator::currentChannelChanged, &messages, [this] { bind(); });
        bind();
    }

    MessageListModel messages;
    MemberListModel members;

private:
    void bind()
    {
        messages.setSession(m_app.account().session());
        members.setSession(m_app.account().session());
        messages.setChannelId(m_app.channels().currentChannelId());
        members.setChannelId(m_app.channels().currentChannelId());
    }

    ChatApp &m_app;
};

} // namespace parley::ui::test
