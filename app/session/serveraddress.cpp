#include "serveraddress.h"

#include <QUrlQuery>

namespace parley::client {

namespace {

QUrl normalised(QUrl url)
{
    const QString scheme = url.scheme().toLower();
    const bool secure = scheme == QLatin1String("https") || scheme == QLatin1String("wss");
    QUrl base;
    base.setScheme(secure ? QStringLiteral("wss") : QStringLiteral("ws"));
    base.setHost(url.host().toLower());
    base.setPort(url.port(secure ? 443 : 7275));
    return base;
}

} // namespace

ServerAddress::ServerAddress(const QString &typed)
{
    QString text = typed.trimmed();
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("ws://"));
    m_base = normalised(QUrl(text));
}

ServerAddress::ServerAddress(const QUrl &url)
    : m_base(normalised(url))
{ }

QUrl ServerAddress::socketIoUrl() const
{
    QUrl url = m_base;
    url.setPath(QStringLiteral("/socket.io/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), QStringLiteral("websocket"));
    url.setQuery(query);
    return url;
}

QString ServerAddress::hostAndPort() const
{
    return QStringLiteral("%1:%2").arg(m_base.host()).arg(m_base.port());
}

QString accountKey(const ServerAddress &server, const QString &account)
{
    return QStringLiteral("%1@%2").arg(account.toLower(), server.hostAndPort());
}

} // namespace parley::client
