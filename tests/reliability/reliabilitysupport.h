#pragma once

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUuid>

#include <chrono>

// Support for the reliability tests: the real parley-server as a child process
// that can be killed at any moment, and a direct look at its database afterwards.
namespace parley::reliability {

inline const QString ServerBinary = QStringLiteral(PARLEY_SERVER_BINARY);
constexpr int ProcessTimeoutMs = 60000; // ASan start-up on a busy machine

// parley-server on 127.0.0.1 (any free port) over a data dir it shares with
// earlier runs; ready once it has printed "listening on 127.0.0.1:PORT".
class ServerProcess
{
public:
    ServerProcess() = default;
    ~ServerProcess() { kill(); }
    Q_DISABLE_COPY_MOVE(ServerProcess)

    // Starts with `extraEnvironment` (e.g. PARLEY_FAULT_POINT=...) and waits
    // for the announcement. Returns the port, 0 when it did not come up.
    quint16 start(const QString &dataDir, const QString &secretFile, const QStringList &extraArguments = {},
        const QStringList &extraEnvironment = {}, const QString &wrapper = {},
        const QStringList &wrapperArguments = {})
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("PARLEY_FAULT_POINT"));
        for (const QString &pair : extraEnvironment)
            environment.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
        m_process.setProcessEnvironment(environment);
        const QStringList serverArguments =
            QStringList {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--data-dir"), dataDir, QStringLiteral("--jwt-secret-file"), secretFile,
                QStringLiteral("--event-rate"), QStringLiteral("10000"), QStringLiteral("--event-burst"),
                QStringLiteral("20000")} +
            extraArguments;
        if (wrapper.isEmpty()) {
            m_process.setProgram(ServerBinary);
            m_process.setArguments(serverArguments);
        } else {
            m_process.setProgram(wrapper);
            m_process.setArguments(wrapperArguments + QStringList {ServerBinary} + serverArguments);
        }
        m_stderr.clear();
        QElapsedTimer clock;
        clock.start();
        m_process.start();
        if (!m_process.waitForStarted(ProcessTimeoutMs))
            return 0;
        static const QRegularExpression announcement(
            QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)\\n$"));
        [[maybe_unused]] const bool answered = QTest::qWaitFor(
            [this] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; },
            ProcessTimeoutMs);
        if (!m_process.canReadLine())
            return 0;
        const auto match = announcement.match(QString::fromUtf8(m_process.readLine()));
        m_readyMs = clock.elapsed();
        m_port = match.hasMatch() ? match.captured(1).toUShort() : 0;
        return m_port;
    }

    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    quint16 port() const { return m_port; }
    qint64 readyMs() const { return m_readyMs; } // start to "listening on", the last start
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(m_port));
    }
    // Everything it wrote to stderr so far (the fault point's last words among it).
    QString standardError()
    {
        m_stderr += QString::fromUtf8(m_process.readAllStandardError());
        return m_stderr;
    }
    bool waitForEnd(int timeoutMs = ProcessTimeoutMs)
    {
        return QTest::qWaitFor([this] { return !isRunning(); }, timeoutMs);
    }
    bool crashed() const
    {
        return m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::CrashExit;
    }

    // SIGKILL: nothing flushed, nothing closed cleanly.
    void kill()
    {
        if (isRunning()) {
            m_process.kill();
            m_process.waitForFinished(ProcessTimeoutMs);
        }
    }
    // SIGTERM, the orderly way out.
    bool terminate()
    {
        if (!isRunning())
            return true;
        m_process.terminate();
        return m_process.waitForFinished(ProcessTimeoutMs) && m_process.exitStatus() == QProcess::NormalExit;
    }

private:
    QProcess m_process;
    QString m_stderr;
    quint16 m_port = 0;
    qint64 m_readyMs = 0;
};

// A read-only look at parley.db after the server is gone, SQLite's own recovery
// of the WAL included.
class DatabaseView
{
public:
    explicit DatabaseView(const QString &path)
        : m_name(QUuid::createUuid().toString())
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_open = db.open();
    }
    ~DatabaseView()
    {
        QSqlDatabase::database(m_name).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    Q_DISABLE_COPY_MOVE(DatabaseView)

    bool isOpen() const { return m_open; }
    QSqlQuery query(const QString &sql) const
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        q.setForwardOnly(true);
        if (!q.exec(sql))
            qWarning().noquote() << "query failed:" << sql;
        return q;
    }
    QString integrityCheck() const
    {
        QSqlQuery q = query(QStringLiteral("PRAGMA integrity_check"));
        QStringList lines;
        while (q.next())
            lines.append(q.value(0).toString());
        return lines.join(QLatin1Char('\n'));
    }

private:
    QString m_name;
    bool m_open = false;
};

} // namespace parley::reliability
