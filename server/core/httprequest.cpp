#include "httprequest.h"

#include <QJsonDocument>
#include <QUrl>

namespace parley::server::http {

// Parses "METHOD target HTTP/1.x" and the header lines. Only what routing needs:
// anything that is not a well-formed HTTP/1.x head is refused as a bad request.
std::optional<RequestHead> parseHead(const QByteArray &head)
{
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return std::nullopt;

    const QList<QByteArray> requestLine = lines.takeFirst().split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || !requestLine[1].startsWith('/') ||
        !requestLine[2].startsWith("HTTP/1.")) {
        return std::nullopt;
    }

    RequestHead result;
    result.method = requestLine[0];
    const QByteArray &target = requestLine[1];
    result.target = target;
    const qsizetype queryStart = target.indexOf('?');
    result.path = QUrl::fromPercentEncoding(queryStart < 0 ? target : target.left(queryStart));
    if (queryStart >= 0)
        result.query.setQuery(QString::fromLatin1(target.mid(queryStart + 1)));

    for (const QByteArray &line : std::as_const(lines)) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return std::nullopt;
        const QByteArray name = line.left(colon).toLower();
        if (name.contains(' ') || name.contains('\t'))
            return std::nullopt;
        const QByteArray value = line.mid(colon + 1).trimmed();
        QByteArray &stored = result.headers[name];
        stored = stored.isEmpty() ? value : stored + ',' + value;
    }
    return result;
}

namespace {

// RFC 6455 section 4.1: the key is 16 random bytes in base64, so exactly 24 characters
// ending in "==". Anything else is a client that does not speak WebSocket.
bool isWebSocketKey(const QByteArray &key)
{
    if (key.size() != 24 || !key.endsWith("=="))
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    return decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok && decoded.decoded.size() == 16;
}

bool headerHasToken(const QByteArray &value, const QByteArray &lowerToken)
{
    const QList<QByteArray> tokens = value.toLower().split(',');
    for (const QByteArray &token : tokens) {
        if (token.trimmed() == lowerToken)
            return true;
    }
    return false;
}

} // namespace

// Decides what a complete request head gets. Pure: the listener only acts on the verdict.
std::variant<Route, Refusal> route(const RequestHead &head, const HttpListenerOptions &options)
{
    if (head.path == QLatin1String("/healthz")) {
        if (head.method != "GET")
            return Refusal {
                400, RefusalCode::BadHandshakeMethod, QStringLiteral("/healthz answers GET only")};
        return Route::Health;
    }
    if (head.path != options.webSocketPath) {
        return Refusal {400, RefusalCode::BadRequest,
            QStringLiteral("Unknown path; WebSocket upgrades go to %1").arg(options.webSocketPath)};
    }
    if (head.method != "GET")
        return Refusal {400, RefusalCode::BadHandshakeMethod, QStringLiteral("Bad handshake method")};
    if (head.query.queryItemValue(QStringLiteral("EIO")) != QLatin1String("4")) {
        return Refusal {400, RefusalCode::UnsupportedProtocolVersion,
            QStringLiteral("Unsupported protocol version: EIO=4 is required")};
    }
    if (head.query.queryItemValue(QStringLiteral("transport")) != QLatin1String("websocket")) {
        return Refusal {400, RefusalCode::UnknownTransport,
            QStringLiteral("Transport unknown: only transport=websocket is served")};
    }
    if (head.query.hasQueryItem(QStringLiteral("sid"))) {
        return Refusal {400, RefusalCode::UnknownSid,
            QStringLiteral("Session ID unknown: there is no long-polling session to upgrade")};
    }
    // Checked here because QWebSocketServer drops a bad handshake without any answer.
    if (head.header("upgrade").toLower() != "websocket" ||
        !headerHasToken(head.header("connection"), "upgrade"))
        return Refusal {400, RefusalCode::BadRequest, QStringLiteral("Expected a WebSocket upgrade")};
    if (head.header("host").isEmpty() || head.header("sec-websocket-key").isEmpty())
        return Refusal {400, RefusalCode::BadRequest, QStringLiteral("Incomplete WebSocket handshake")};
    if (!isWebSocketKey(head.header("sec-websocket-key")))
        return Refusal {
            400, RefusalCode::BadRequest, QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64")};
    if (head.header("sec-websocket-version") != "13")
        return Refusal {
            400, RefusalCode::BadRequest, QStringLiteral("Unsupported WebSocket version: 13 is required")};
    const QString origin = QString::fromUtf8(head.header("origin"));
    if (!options.allowedOrigins.isEmpty() && !origin.isEmpty() && !options.allowedOrigins.contains(origin))
        return Refusal {403, RefusalCode::Forbidden, QStringLiteral("Origin not allowed")};
    return Route::Upgrade;
}

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 403:
        return "Forbidden";
    case 408:
        return "Request Timeout";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Bad Request";
    }
}

} // namespace

// One response per connection: every answer closes, so no request body or pipelining
// ever has to be understood.
QByteArray response(int status, const QJsonObject &body)
{
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(json.size()) +
        "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + json;
}

} // namespace parley::server::http
