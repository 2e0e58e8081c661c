#pragma once

#include "httplistener.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include <optional>
#include <variant>

// The HTTP side of the listener as pure functions: what a request head says, what it
// gets, and the bytes of the answer. No sockets, so each rule can be tested alone.
namespace parley::server::http {

// The numeric codes engine.io puts in its own HTTP 400 bodies, so that a client that
// knows engine.io's errors reads ours the same way.
enum class RefusalCode
{
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
};

struct Refusal
{
    int status;
    RefusalCode code;
    QString message;
};

enum class Route
{
    Upgrade,
    Health
};

struct RequestHead
{
    QByteArray method;
    QByteArray target; // as sent: path and query, still percent-encoded
    QString path;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names lower-cased; repeats joined with ","

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
};

std::optional<RequestHead> parseHead(const QByteArray &head);
std::variant<Route, Refusal> route(const RequestHead &head, const HttpListenerOptions &options);
// A complete response that closes the connection.
QByteArray response(int status, const QJsonObject &body);

} // namespace parley::server::http
