#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace parley::server {

// Who frames the WebSocket of an upgraded connection: Parley itself on the raw
// descriptor (net::TcpWebSocketChannel, the default), or Qt (QWebSocketServer and
// QWebSocket). Both carry the same protocol; the choice is about memory and CPU per
// connection (bench/README.md).
enum class WebSocketTransport
{
    Native,
    Qt,
};
// "native" or "qt", as parley-server --websocket takes them.
std::optional<WebSocketTransport> webSocketTransportNamed(QStringView name);
QString webSocketTransportName(WebSocketTransport transport);

// The contract's limits (docs/protocol.md section 7), each a server option.
struct ServerLimits
{
    qint64 maxPayload = 1000000; // Engine.IO maxPayload, bytes
    int eventRate = 20; // events per second per connection, sustained ...
    int eventBurst = 40; // ... and at once
    int authPerMinute = 10; // /auth attempts per client address
    int historyPage = 50; // message:history default page
    int historyMax = 100; // message:history largest page
    qint64 historyPageBytes = 256 * 1024; // ... and its largest size (at most half the send queue)
    qint64 sendQueueBytes = 1024 * 1024; // outgoing queue, then SLOW_CONSUMER
    std::chrono::milliseconds pingInterval {25000};
    std::chrono::milliseconds pingTimeout {20000};
    std::chrono::milliseconds connectTimeout {10000}; // CONNECT after the open packet
    // A connection not Ready on `/` this long after it opened (or after it left Ready) is
    // closed: sockets on /auth alone, or that never sign in, do not live forever.
    std::chrono::milliseconds readyTimeout {30000};
    // Live connections in all and per client address (0: no limit). Per node: each
    // parley-server counts only its own connections.
    qsizetype maxConnections = 0;
    qsizetype maxConnectionsPerAddress = 256;
    // Events per second per user, all of the user's connections together, and at once.
    int userEventRate = 50;
    int userEventBurst = 100;
    // Channel memberships per user (joins, creations and invites beyond: LIMIT_REACHED),
    // so that connection:ready stays complete and well under the send-queue cap.
    int maxChannelsPerUser = 1000;
    int channelCreatesPerHour = 30; // per user
    int maxSessionsPerUser = 32; // Ready connections of one user at once (LIMIT_REACHED past it)
    // Password hashes waiting for the hasher; more are answered RATE_LIMITED.
    int passwordHashQueue = 64;
};

// Everything a ChatServer needs to start; parsed from the command line by
// parley-server, built directly by tests and by the desktop app's host mode.
struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 7275; // 0: any free port (tests)
    QString dataDir; // holds parley.db, jwt-secret and the lock file
    // Empty with a data dir: parley.db inside it. ":memory:" for tests.
    QString databasePath;
    bool registrationOpen = true;
    QString jwtSecretFile; // empty: generated into the data dir on first start
    std::chrono::seconds tokenLifetime = std::chrono::days(30);
    // An identity provider's public key (PEM, RSA for RS256 or EC P-256 for ES256):
    // its tokens are accepted beside Parley's own. Empty: only Parley's tokens.
    QString jwtPublicKeyFile;
    QString jwtIssuer; // required with jwtPublicKeyFile: the provider's iss
    QString jwtAudience; // when set, the provider's tokens must name it in aud
    // Without jwtAudience the server refuses to start unless this says that any
    // token of the issuer, whatever app it was made for, may sign in.
    bool jwtAudienceAny = false;
    QString jwtKeyId; // when set, a token naming another kid is refused
    QStringList allowedOrigins; // empty: any Origin
    // Reverse proxies whose X-Forwarded-For is believed (the client address for every
    // per-address limit); empty: the TCP peer is the client.
    QList<QHostAddress> trustedProxies;
    WebSocketTransport webSocket = WebSocketTransport::Native;
    ServerLimits limits;
    // The protocol capture of every connection as JSON Lines (docs/trace.md); empty:
    // none. Message contents and other payloads only with tracePayloads.
    QString traceFile;
    bool tracePayloads = false;
    // Group commit window: sends arriving within it share one transaction.
    std::chrono::milliseconds commitWindow {2};

    QString resolvedDatabasePath() const;
};

} // namespace parley::server
