#pragma once

#include "accountcontroller.h"
#include "appearance.h"
#include "channelnavigator.h"
#include "hostingcontroller.h"

#include <QJSEngine>
#include <QObject>

class QQmlEngine;

namespace parley::ui {

// The desktop app's state behind one window: the account and its session,
// hosting, the open channel and the appearance. The QML singletons (Account,
// Hosting, Channels, Appearance) of an engine are the objects of the ChatApp
// attached to that engine, so every engine (each Quick Test file has its own)
// gets its own set while C++ keeps owning them.
class ChatApp : public QObject
{
    Q_OBJECT
public:
    explicit ChatApp(QObject *parent = nullptr);
    ~ChatApp() override;

    AccountController &account() { return m_account; }
    HostingController &hosting() { return m_hosting; }
    ChannelNavigator &channels() { return m_channels; }
    Appearance &appearance() { return m_appearance; }

    // Before the engine loads any QML: its singletons become this app's objects.
    void attachTo(QQmlEngine *engine);
    // The app attached to `engine`; without one, a new app owned by the engine.
    static ChatApp *of(QQmlEngine *engine);

    // One of this app's objects, handed to QML with C++ ownership.
    template<typename T>
    T *exposed(T &(ChatApp::*member)())
    {
        T *object = &(this->*member)();
        QJSEngine::setObjectOwnership(object, QJSEngine::CppOwnership);
        return object;
    }

private:
    Appearance m_appearance;
    AccountController m_account;
    HostingController m_hosting;
    ChannelNavigator m_channels;
};

} // namespace parley::ui
