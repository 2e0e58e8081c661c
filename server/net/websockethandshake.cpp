#include "websockethandshake.h"

#include <QCryptographicHash>

namespace parley::net::ws {

QByteArray acceptKey(const QByteArray &clientKey)
{
    static const QByteArray Guid = QByteArrayLiteral("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return QCryptographicHash::hash(clientKey.trimmed() + Guid, QCryptographicHash::Sha1).toBase64();
}

QByteArray switchingProtocolsResponse(const QByteArray &clientKey)
{
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
        acceptKey(clientKey) + "\r\n\r\n";
}

} // namespace parley::net::ws
