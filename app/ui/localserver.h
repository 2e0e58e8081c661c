#pragma once

#include "protocol/result.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <functional>

namespace parley::ui {

// What hosting needs from a chat server on this computer. The UI declares it and
// parley_host implements it (HostServer), so this target never links the server
// core; the desktop app hands its HostServer to HostingController. Plain C++ (no
// moc) so the implementing target needs this header only, not parley_ui.
class LocalServer
{
public:
    struct Options
    {
        QHostAddress bind = QHostAddress::AnyIPv4;
        quint16 port = 7275; // 0: any free port
        QString dataDir; // empty: the implementation's default
    };
    struct Account
    {
        QString userId;
        QString token; // minted in-process: the host never types a password
    };
    using StartResult = protocol::Result<quint16, QString>;
    using AccountResult = protocol::Result<Account, QString>;

    virtual ~LocalServer() = default;

    // Listens before it returns; an error is a sentence for a person.
    virtual StartResult start(const Options &options) = 0;
    // The host's own account, created on first use.
    virtual AccountResult hostAccount(const QString &username) = 0;
    // Tells every connection SERVER_SHUTDOWN; the stopped handler runs once it is down.
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;
    virtual quint16 port() const = 0;
    // What teammates type, host:port each.
    virtual QStringList addresses() const = 0;
    virtual void setStoppedHandler(std::function<void()> handler) = 0;
};

} // namespace parley::ui
