#include "optionvalues.h"

#include <QStandardPaths>
#include <QUrl>

namespace parley::server::app {

std::optional<qint64> parseWholeNumber(const QString &text, qint64 minimum, qint64 maximum)
{
    // QString::toLongLong would take "+5" and " 5"; an option value should be just digits.
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    for (const QChar character : text) {
        if (character < u'0' || character > u'9')
            return std::nullopt;
    }
    const qint64 value = text.toLongLong();
    if (value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

std::optional<ListenAddress> parseListenAddress(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    const auto port = parseWholeNumber(text.mid(colon + 1), 0, 65535);
    if (!port)
        return std::nullopt;
    const bool bracketed = host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'));
    if (bracketed)
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return std::nullopt; // an IPv6 address without brackets: the port is ambiguous
    if (host == QLatin1String("localhost"))
        return ListenAddress {QHostAddress(QHostAddress::LocalHost), static_cast<quint16>(*port)};
    QHostAddress address;
    if (!address.setAddress(host))
        return std::nullopt;
    if (bracketed != (address.protocol() == QAbstractSocket::IPv6Protocol))
        return std::nullopt;
    return ListenAddress {address, static_cast<quint16>(*port)};
}

bool isOrigin(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty())
        return false;
    if (!url.userInfo().isEmpty() || !url.path().isEmpty() || url.hasQuery() || url.hasFragment())
        return false;
    // The header carries the origin as written; insist on the same spelling so
    // an exact comparison matches (no trailing slash, lower-case scheme and host).
    return url.toString() == text;
}

QString formatListenAddress(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

QString withUsageLine(const QString &helpText, const QString &usage)
{
    const qsizetype lineEnd = helpText.indexOf(QLatin1Char('\n'));
    return QStringLiteral("Usage: ") + usage + (lineEnd < 0 ? QString() : helpText.mid(lineEnd));
}

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
        QStringLiteral("/parley/server");
}

} // namespace parley::server::app
