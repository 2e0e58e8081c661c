#pragma once

#include "core/serverconfig.h"
#include "protocol/result.h"
#include "ui/localserver.h"

#include <QObject>
#include <QStringList>

class QThread;

namespace parley::host {

// "Host on this computer": the server core on a thread of its own, so a busy
// server never stutters the window. The ChatServer is created, started, asked
// for tokens, shut down and deleted on that thread only; this object is the UI
// thread's handle to it and never touches the ChatServer itself.
class HostServer : public QObject, public ui::LocalServer
{
    Q_OBJECT
public:
    using HostAccount = ui::LocalServer::Account;

    explicit HostServer(QObject *parent = nullptr);
    ~HostServer() override; // stops the server (SERVER_SHUTDOWN) and waits for its thread

    // Listens at once. The error is a sentence for a person. Works again after stopped().
    StartResult start(const server::ServerConfig &config);
    // The same with the server's defaults and the data in `options.dataDir`
    // (empty: defaultDataDir()).
    StartResult start(const Options &options) override;
    // The host's own account: created on first use with a random password nobody
    // ever sees, and a token minted in-process.
    AccountResult hostAccount(const QString &username) override;
    // Sends every connection SERVER_SHUTDOWN; stopped() follows once the server
    // thread has ended.
    void stop() override;
    bool isRunning() const override { return m_state == State::Running; }
    quint16 port() const override { return m_port; }

    // What teammates type: every non-loopback IPv4 address with the port, or the
    // bound address when the server listens on one address only.
    QStringList addresses() const override;
    void setStoppedHandler(std::function<void()> handler) override { m_stoppedHandler = std::move(handler); }
    static QStringList addressesFor(const QHostAddress &bound, quint16 port);
    // $XDG_DATA_HOME/parley/server
    static QString defaultDataDir();

Q_SIGNALS:
    void stopped();

private:
    class Keeper;
    enum class State
    {
        Idle,
        Running,
        Stopping, // shutdown asked; no more blocking calls into the server thread
    };
    void onThreadFinished();
    void releaseThread();

    QThread *m_thread = nullptr;
    // Lives on m_thread and holds the ChatServer there. Only ever reached by posting
    // calls to it, which are dropped harmlessly once the thread has ended; deleted
    // here only after the thread has ended.
    Keeper *m_keeper = nullptr;
    State m_state = State::Idle;
    quint64 m_run = 0; // which thread a finished() belongs to
    QHostAddress m_bound;
    quint16 m_port = 0;
    std::function<void()> m_stoppedHandler;
};

} // namespace parley::host
