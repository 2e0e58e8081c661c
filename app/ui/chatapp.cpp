#include "chatapp.h"

#include <QQmlEngine>

namespace parley::ui {

namespace {

constexpr char appProperty[] = "_parley_chatApp";

} // namespace

ChatApp::ChatApp(QObject *parent)
    : QObject(parent)
    , m_appearance(nullptr)
    , m_account(nullptr)
    , m_hosting(m_account)
    , m_channels(nullptr)
{
    connect(&m_account, &AccountController::sessionChanged, this,
        [this] { m_channels.setSession(m_account.session()); });
}

ChatApp::~ChatApp()
{
    // The views lose the session before it goes.
    m_channels.setSession(nullptr);
}

void ChatApp::attachTo(QQmlEngine *engine)
{
    engine->setProperty(appProperty, QVariant::fromValue(static_cast<QObject *>(this)));
}

ChatApp *ChatApp::of(QQmlEngine *engine)
{
    if (auto *app = qobject_cast<ChatApp *>(engine->property(appProperty).value<QObject *>()))
        return app;
    auto *app = new ChatApp(engine);
    app->attachTo(engine);
    return app;
}

} // namespace parley::ui
