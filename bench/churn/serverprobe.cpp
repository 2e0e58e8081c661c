#include "serverprobe.h"

#include "eventwait.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace parley::churn {

qint64 residentKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

int openDescriptors(qint64 pid)
{
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!fds.exists())
        return -1;
    return int(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size());
}

std::optional<Health> fetchHealth(quint16 port, std::chrono::milliseconds timeout)
{
    QTcpSocket socket;
    QByteArray answer;
    bool ended = false;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { answer += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [&] { ended = true; });
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &socket, [&] { ended = true; });
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    reliability::waitUntil([&] { return ended; }, timeout);
    answer += socket.readAll();
    socket.abort();
    const qsizetype body = answer.indexOf("\r\n\r\n");
    if (!answer.startsWith("HTTP/1.1 200") || body < 0)
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(answer.mid(body + 4)).object();
    if (!json.contains(QLatin1String("connections")))
        return std::nullopt;
    return Health {
        json.value(QLatin1String("connections")).toInt(), json.value(QLatin1String("rooms")).toInt()};
}

} // namespace parley::churn
