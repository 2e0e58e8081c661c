#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace parley::server {

// Who a connection comes from, as the per-address limits see it.
namespace clientaddress {

// The key a per-address limit counts under: an IPv4 address as it is (also when it
// arrives IPv4-mapped on an IPv6 socket), an IPv6 address by its /64 prefix — one
// household or host is given a whole /64, and counting single IPv6 addresses would let
// it take 2^64 shares of every limit.
QString limitKey(const QHostAddress &address);

// The client's address: the TCP peer, unless that peer is one of trustedProxies, in which
// case the right-most X-Forwarded-For entry that is not itself a trusted proxy (the
// entries further left were written by the client and prove nothing). Falls back to the
// peer when the header is missing or unreadable.
QHostAddress resolve(
    const QHostAddress &peer, QByteArrayView forwardedFor, const QList<QHostAddress> &trustedProxies);

bool isTrusted(const QHostAddress &peer, const QList<QHostAddress> &trustedProxies);

} // namespace clientaddress

} // namespace parley::server
