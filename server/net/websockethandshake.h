#pragma once

#include <QByteArray>

namespace parley::net::ws {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 section 4.2.2).
QByteArray acceptKey(const QByteArray &clientKey);
// The complete "101 Switching Protocols" answer to an upgrade request.
QByteArray switchingProtocolsResponse(const QByteArray &clientKey);

} // namespace parley::net::ws
