#pragma once

#include "sessionerror.h"

#include <QJsonObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace parley::transport {
class SocketIoConnection;
struct AckReply;
} // namespace parley::transport

namespace parley::client {

// The answer to one request event, read the contract's way.
struct AckResult
{
    enum class Status
    {
        Succeeded, // {"success": true, ...}
        Refused, // {"success": false, "error": {...}}
        NoReply, // timed out, or the connection went away first: try again later
    };
    Status status = Status::NoReply;
    QJsonObject body; // the whole ack object
    SessionError error; // Refused only
    qint64 retryAfterMs = 0; // RATE_LIMITED only

    bool succeeded() const { return status == Status::Succeeded; }
    bool rateLimited() const
    {
        return status == Status::Refused && error.code == protocol::ErrorCode::RateLimited;
    }

    static AckResult fromReply(const transport::AckReply &reply);
};

using AckHandler = std::function<void(const AckResult &)>;

// Sends request events with an ack on one namespace of one connection. Copies are
// cheap; once the connection is gone, requests answer NoReply at once. The handler
// runs at most once, never re-entrantly from request(), and never after `context`
// is destroyed.
class Requester
{
public:
    Requester() = default;
    Requester(transport::SocketIoConnection *connection, QString nsp);

    bool isConnected() const;
    void request(
        QObject *context, const QString &event, const QJsonObject &payload, AckHandler handler) const;

private:
    QPointer<transport::SocketIoConnection> m_connection;
    QString m_nsp;
};

} // namespace parley::client
