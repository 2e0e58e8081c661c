#include "clientaddress.h"

#include <QByteArrayList>

namespace parley::server::clientaddress {

namespace {

QHostAddress unmapped(const QHostAddress &address)
{
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    return isIPv4 ? QHostAddress(ipv4) : address;
}

} // namespace

QString limitKey(const QHostAddress &address)
{
    const QHostAddress plain = unmapped(address);
    if (plain.protocol() != QAbstractSocket::IPv6Protocol)
        return plain.toString();
    Q_IPV6ADDR bytes = plain.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

bool isTrusted(const QHostAddress &peer, const QList<QHostAddress> &trustedProxies)
{
    const QHostAddress plain = unmapped(peer);
    for (const QHostAddress &proxy : trustedProxies) {
        if (unmapped(proxy).isEqual(plain))
            return true;
    }
    return false;
}

QHostAddress resolve(
    const QHostAddress &peer, QByteArrayView forwardedFor, const QList<QHostAddress> &trustedProxies)
{
    if (forwardedFor.isEmpty() || !isTrusted(peer, trustedProxies))
        return unmapped(peer);
    const QByteArrayList hops = forwardedFor.toByteArray().split(',');
    for (auto hop = hops.crbegin(); hop != hops.crend(); ++hop) {
        QByteArray text = hop->trimmed();
        // "[v6]:port" and "v4:port" are seen in the wild; a bare v6 address has no brackets.
        if (text.startsWith('[') && text.contains(']'))
            text = text.mid(1, text.indexOf(']') - 1);
        else if (text.count(':') == 1)
            text = text.left(text.indexOf(':'));
        const QHostAddress address(QString::fromLatin1(text));
        if (address.isNull())
            return unmapped(peer); // a hop we cannot read: trust nothing beyond it
        if (!isTrusted(address, trustedProxies))
            return unmapped(address);
    }
    return unmapped(peer);
}

} // namespace parley::server::clientaddress
