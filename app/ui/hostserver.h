#pragma once

#include "core/serverconfig.h"
#include "protocol/result.h"

#include <QObject>
#include <QStringList>

class QThread;

namespace parley::server {
class ChatServer;
}

namespace parley::ui {

// "Host on this computer": the server core on a thread of its own, so a busy
// server never stutters the window. The ChatServer is created, started, asked
// for tokens and shut down on that thread only; this object is the UI thread's
// handle to it.
class HostServer : public QObject
{
    Q_OBJECT
public:
    struct HostAccount
    {
        QString userId;
        QString token;
    };
    using StartResult = protocol::Result<quint16, QString>;
    using AccountResult = protocol::Result<HostAccount, QString>;

    explicit HostServer(QObject *parent = nullptr);
    ~HostServer() override; // stops the server (SERVER_SHUTDOWN) and waits for its thread

    // Listens at once. The error is a sentence for a person.
    StartResult start(const server::ServerConfig &config);
    // The host's own account: created on first use with a random password nobody
    // ever sees, and a token minted in-process.
    AccountResult hostAccount(const QString &username);
    // Sends every connection SERVER_SHUTDOWN; stopped() follows once.
    void stop();
    bool isRunning() const { return m_server != nullptr; }
    quint16 port() const { return m_port; }

    // What teammates type: every non-loopback IPv4 address with the port, or the
    // bound address when the server listens on one address only.
    QStringList addresses() const;
    static QStringList addressesFor(const QHostAddress &bound, quint16 port);
    // $XDG_DATA_HOME/parley/server
    static QString defaultDataDir();

Q_SIGNALS:
    void stopped();

private:
    QThread *m_thread = nullptr;
    server::ChatServer *m_server = nullptr; // lives on m_thread
    QHostAddress m_bound;
    quint16 m_port = 0;
};

} // namespace parley::ui
