#pragma once

#include <QString>
#include <QUrl>

namespace parley::client {

// Where a server is, as a person types it ("chat.example.org:7275",
// "http://127.0.0.1:7275", "wss://host/") and as the transport needs it.
class ServerAddress
{
public:
    ServerAddress() = default;
    explicit ServerAddress(const QString &typed);
    explicit ServerAddress(const QUrl &url);

    bool isValid() const { return m_base.isValid() && !m_base.host().isEmpty(); }
    // ws://host:port/socket.io/?EIO=4&transport=websocket (wss for https/wss).
    QUrl socketIoUrl() const;
    // "host:port", the part of the keys for the cache file and the keychain entry.
    QString hostAndPort() const;

private:
    QUrl m_base; // scheme ws or wss, host, port, no path
};

// One account on one server, spelled the same everywhere it is used as a key:
// "alice@chat.example.org:7275".
QString accountKey(const ServerAddress &server, const QString &account);

} // namespace parley::client
