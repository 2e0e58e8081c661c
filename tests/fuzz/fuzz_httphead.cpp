// The upgrade request's head: parsed, then routed, the way the listener does with
// the bytes up to the first blank line. The answer to a routed request is built
// too, and must be one well-formed response whatever the head said.
#include "httprequest.h"
#include "websockethandshake.h"

#include <QJsonObject>

#include <cstdlib>

using namespace parley;
using namespace parley::server;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    const QByteArray head = end < 0 ? bytes : bytes.left(end + 2);

    const auto parsed = http::parseHead(head);
    if (!parsed)
        return 0;
    require(!parsed->method.isEmpty() && parsed->target.startsWith('/'));
    for (auto it = parsed->headers.cbegin(); it != parsed->headers.cend(); ++it)
        require(it.key() == it.key().toLower());

    HttpListenerOptions options;
    options.allowedOrigins = {QStringLiteral("https://chat.example")};
    const auto verdict = http::route(*parsed, options);
    if (const auto *refusal = std::get_if<http::Refusal>(&verdict)) {
        const QByteArray answer =
            http::response(refusal->status, QJsonObject {{QStringLiteral("message"), refusal->message}});
        require(answer.startsWith("HTTP/1.1 ") && answer.contains("\r\n\r\n"));
        return 0;
    }
    if (std::get<http::Route>(verdict) == http::Route::Upgrade) {
        const QByteArray answer = net::ws::switchingProtocolsResponse(parsed->header("sec-websocket-key"));
        require(answer.startsWith("HTTP/1.1 101") && answer.endsWith("\r\n\r\n"));
        require(answer.count("\r\n\r\n") == 1);
    }
    return 0;
}
