#include "serverprocess.h"

#include "eventwait.h"

#include <QProcessEnvironment>
#include <QRegularExpression>

#include <utility>

namespace parley::reliability {

namespace {

// Enough for the fault point's line and a sanitizer report; the pipe is drained
// all the time so that a chatty server never blocks on a full one.
constexpr qsizetype KeptStderrChars = 256 * 1024;

} // namespace

ServerProcess::ServerProcess(QString binary)
    : m_binary(std::move(binary))
{
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process, [this] {
        m_stderr += QString::fromUtf8(m_process.readAllStandardError());
        if (m_stderr.size() > KeptStderrChars)
            m_stderr = m_stderr.right(KeptStderrChars);
    });
}

ServerProcess::~ServerProcess()
{
    kill();
}

quint16 ServerProcess::start(const Launch &launch)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("PARLEY_FAULT_POINT"));
    environment.remove(QStringLiteral("PARLEY_FAULT_NO_SYNC"));
    for (const QString &pair : launch.environment)
        environment.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
    m_process.setProcessEnvironment(environment);
    // No event limits per connection or user, and no per-address cap: the senders retry at
    // will, all from 127.0.0.1.
    QStringList serverArguments {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
        QStringLiteral("--data-dir"), launch.dataDir, QStringLiteral("--event-rate"), QStringLiteral("10000"),
        QStringLiteral("--event-burst"), QStringLiteral("20000"), QStringLiteral("--user-event-rate"),
        QStringLiteral("10000"), QStringLiteral("--user-event-burst"), QStringLiteral("20000"),
        QStringLiteral("--max-connections-per-address"), QStringLiteral("0")};
    if (!launch.secretFile.isEmpty())
        serverArguments << QStringLiteral("--jwt-secret-file") << launch.secretFile;
    serverArguments += launch.arguments;
    if (launch.wrapper.isEmpty()) {
        m_process.setProgram(m_binary);
        m_process.setArguments(serverArguments);
    } else {
        m_process.setProgram(launch.wrapper);
        m_process.setArguments(launch.wrapperArguments + QStringList {m_binary} + serverArguments);
    }
    m_stderr.clear();
    m_port = 0;
    m_sinceStart.start();
    m_process.start();
    if (!m_process.waitForStarted(static_cast<int>(StartTimeout.count()))) {
        m_stderr = m_process.program() + QStringLiteral(": ") + m_process.errorString();
        return 0;
    }
    waitUntil([this] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; },
        StartTimeout);
    if (!m_process.canReadLine())
        return 0;
    static const QRegularExpression announcement(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)\\n$"));
    const auto match = announcement.match(QString::fromUtf8(m_process.readLine()));
    m_listeningMs = m_sinceStart.elapsed();
    m_port = match.hasMatch() ? match.captured(1).toUShort() : 0;
    return m_port;
}

bool ServerProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

qint64 ServerProcess::pid() const
{
    return m_process.processId();
}

qint64 ServerProcess::msSinceStart() const
{
    return m_sinceStart.isValid() ? m_sinceStart.elapsed() : 0;
}

QUrl ServerProcess::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(m_port));
}

QString ServerProcess::standardError()
{
    m_stderr += QString::fromUtf8(m_process.readAllStandardError());
    return m_stderr;
}

bool ServerProcess::waitForEnd(std::chrono::milliseconds timeout)
{
    return waitUntil([this] { return !isRunning(); }, timeout);
}

bool ServerProcess::crashed() const
{
    return m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::CrashExit;
}

void ServerProcess::kill()
{
    if (isRunning()) {
        m_process.kill();
        m_process.waitForFinished(static_cast<int>(StartTimeout.count()));
    }
}

bool ServerProcess::terminate()
{
    if (!isRunning())
        return true;
    m_process.terminate();
    return m_process.waitForFinished(static_cast<int>(StartTimeout.count())) &&
        m_process.exitStatus() == QProcess::NormalExit;
}

} // namespace parley::reliability
