#pragma once

#include "protocol/catalogue.h"
#include "protocol/jsonwriter.h"
#include "roomregistry.h"
#include "transport/socketioconnection.h"

#include <QJsonObject>
#include <QPointer>
#include <QString>

#include <optional>

namespace parley::server {

class ServerSession;

// One event a client sent, and the means to answer it. Copyable and safe to keep
// until an asynchronous step (a commit, a password hash) finishes: when the
// connection is gone by then, the answer is dropped.
//
// Failures follow the contract (docs/protocol.md section 5): the ack carries
// {"success":false,"error":{"code","message"}}, and on `/` the family's error event
// (message:error, channel:error) goes to this socket with the same code, the
// message and the request's channelId/clientMsgId when it had them.
class EventRequest
{
public:
    EventRequest(
        ServerSession *session, transport::IncomingEvent event, bool rateLimited, qint64 retryAfterMs);

    ServerSession *session() const;
    bool isConnected() const { return !m_session.isNull(); }
    ConnectionId connectionId() const { return m_connectionId; }
    QString userId() const { return m_userId; } // empty on /auth
    QString peerAddress() const { return m_peerAddress; }
    const QString &nsp() const { return m_event.nsp; }
    const QString &name() const { return m_event.name; }
    bool wantsAck() const { return m_event.ackId.has_value(); }

    // The first argument when it is a JSON object. nullopt when the client sent
    // none, or something else: answer INVALID_PAYLOAD.
    std::optional<QJsonObject> payload() const;
    // The same, having answered INVALID_PAYLOAD ("<event> takes an object <shape>") when
    // there is none: the preamble of every handler that takes an object.
    std::optional<QJsonObject> objectPayload(const QString &shape, const QJsonObject &context = {}) const;
    const QJsonArray &arguments() const { return m_event.args; }

    // {"success":true, ...fields}
    void succeed(const QJsonObject &fields = {}) const;
    // Sends the success ack exactly as given (a repeated clientMsgId gets the
    // first send's ack again).
    void acknowledge(const QJsonObject &ack) const;
    void acknowledge(const protocol::JsonText &ack) const; // an object written as text
    void fail(protocol::ErrorCode code, const QString &message, const QJsonObject &context = {}) const;
    // INTERNAL: something on the server's side went wrong. The detail goes to the server's
    // log with the event, user and connection; the client gets a sentence, never the detail.
    void failInternal(const QString &detail, const QJsonObject &context = {}) const;

    // The contract checks the rate last. Returns true, having answered
    // RATE_LIMITED with retryAfterMs, when this event was over the connection's rate.
    bool failIfRateLimited(const QJsonObject &context = {}) const;
    bool rateLimited() const { return m_rateLimited; }
    // RATE_LIMITED from a limiter of the handler's own (/auth attempts per
    // address), with that limiter's retryAfterMs instead of the connection's.
    void failRateLimited(qint64 retryAfterMs, const QJsonObject &context = {}) const;

    // The error event of this request's family, or empty (on /auth: acks only).
    QString errorEvent() const;

private:
    void sendFailure(protocol::ErrorCode code, const QString &message, const QJsonObject &context,
        qint64 retryAfterMs) const;

    QPointer<ServerSession> m_session;
    ConnectionId m_connectionId = 0;
    QString m_userId;
    QString m_peerAddress;
    transport::IncomingEvent m_event;
    bool m_rateLimited = false;
    qint64 m_retryAfterMs = 0;
};

} // namespace parley::server
