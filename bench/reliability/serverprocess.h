#pragma once

#include <QElapsedTimer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>

namespace parley::reliability {

// parley-server as a child process on 127.0.0.1 (any free port) over a data dir
// it shares with earlier runs, so it can be killed at any moment and started
// again. Ready once it has printed "listening on 127.0.0.1:PORT".
class ServerProcess
{
public:
    static constexpr std::chrono::milliseconds StartTimeout {60000}; // ASan start-up on a busy machine

    explicit ServerProcess(QString binary);
    ~ServerProcess();
    Q_DISABLE_COPY_MOVE(ServerProcess)

    struct Launch
    {
        QString dataDir;
        QString secretFile; // empty: the data dir's own jwt-secret
        QStringList arguments; // after the ones every run gets
        QStringList environment; // NAME=VALUE, e.g. PARLEY_FAULT_POINT=before-commit:3
        QString wrapper; // e.g. strace: runs `wrapper wrapperArguments... parley-server ...`
        QStringList wrapperArguments;
    };
    // Starts and waits for the announcement. Returns the port, 0 when it did not
    // come up (standardError() says why).
    quint16 start(const Launch &launch);

    bool isRunning() const;
    qint64 pid() const;
    quint16 port() const { return m_port; }
    // From exec to "listening on", the last start.
    qint64 listeningMs() const { return m_listeningMs; }
    // Milliseconds since the last exec, for timings that end later (connection:ready).
    qint64 msSinceStart() const;
    QUrl url() const;
    // Everything it wrote to stderr since the last start (the fault point's last words among it).
    QString standardError();
    bool waitForEnd(std::chrono::milliseconds timeout = StartTimeout);
    bool crashed() const;

    // SIGKILL: nothing flushed, nothing closed cleanly.
    void kill();
    // SIGTERM, the orderly way out; true when it exited normally.
    bool terminate();

private:
    QString m_binary;
    QProcess m_process;
    QString m_stderr;
    QElapsedTimer m_sinceStart; // from the last exec
    quint16 m_port = 0;
    qint64 m_listeningMs = 0;
};

} // namespace parley::reliability
