#include "eventrequest.h"

#include "serverlogging.h"
#include "serversession.h"

namespace parley::server {

using protocol::ErrorCode;

EventRequest::EventRequest(
    ServerSession *session, transport::IncomingEvent event, bool rateLimited, qint64 retryAfterMs)
    : m_session(session)
    , m_connectionId(session->id())
    , m_userId(session->userId())
    , m_peerAddress(session->peerAddress())
    , m_event(std::move(event))
    , m_rateLimited(rateLimited)
    , m_retryAfterMs(retryAfterMs)
{ }

ServerSession *EventRequest::session() const
{
    return m_session.data();
}

std::optional<QJsonObject> EventRequest::payload() const
{
    if (m_event.args.isEmpty() || !m_event.args.first().isObject())
        return std::nullopt;
    return m_event.args.first().toObject();
}

void EventRequest::succeed(const QJsonObject &fields) const
{
    QJsonObject ack = fields;
    ack.insert(QStringLiteral("success"), true);
    acknowledge(ack);
}

void EventRequest::acknowledge(const QJsonObject &ack) const
{
    if (m_session && m_event.ackId)
        m_session->sendAck(m_event.nsp, *m_event.ackId, ack);
}

void EventRequest::acknowledge(const protocol::JsonText &ack) const
{
    if (m_session && m_event.ackId)
        m_session->sendAck(m_event.nsp, *m_event.ackId, ack);
}

void EventRequest::fail(ErrorCode code, const QString &message, const QJsonObject &context) const
{
    sendFailure(code, message, context, m_retryAfterMs);
}

void EventRequest::failInternal(const QString &detail, const QJsonObject &context) const
{
    qCWarning(lcServer).noquote() << name() << "from"
                                  << (m_userId.isEmpty() ? m_peerAddress : QStringLiteral("user ") + m_userId)
                                  << "on connection" << m_connectionId << "failed:" << detail;
    fail(ErrorCode::Internal,
        QStringLiteral("The server could not complete the request; please try again later"), context);
}

std::optional<QJsonObject> EventRequest::objectPayload(const QString &shape, const QJsonObject &context) const
{
    auto object = payload();
    if (!object)
        fail(ErrorCode::InvalidPayload, QStringLiteral("%1 takes an object %2").arg(name(), shape), context);
    return object;
}

void EventRequest::failRateLimited(qint64 retryAfterMs, const QJsonObject &context) const
{
    sendFailure(ErrorCode::RateLimited,
        QStringLiteral("Too many requests: wait %1 ms and try again").arg(retryAfterMs), context,
        retryAfterMs);
}

void EventRequest::sendFailure(
    ErrorCode code, const QString &message, const QJsonObject &context, qint64 retryAfterMs) const
{
    if (!m_session)
        return;
    QJsonObject error {
        {QStringLiteral("code"), protocol::errorCodeName(code)}, {QStringLiteral("message"), message}};
    if (code == ErrorCode::RateLimited)
        error.insert(QStringLiteral("retryAfterMs"), retryAfterMs);
    if (m_event.ackId) {
        m_session->sendAck(m_event.nsp, *m_event.ackId,
            QJsonObject {{QStringLiteral("success"), false}, {QStringLiteral("error"), error}});
    }
    const QString event = errorEvent();
    if (!event.isEmpty()) {
        QJsonObject body = error;
        for (auto it = context.begin(); it != context.end(); ++it)
            body.insert(it.key(), it.value());
        m_session->emitEvent(event, body);
    }
}

bool EventRequest::failIfRateLimited(const QJsonObject &context) const
{
    if (!m_rateLimited)
        return false;
    fail(ErrorCode::RateLimited,
        QStringLiteral("Too many requests: wait %1 ms and try again").arg(m_retryAfterMs), context);
    return true;
}

QString EventRequest::errorEvent() const
{
    if (m_event.nsp != protocol::ns::Main)
        return {};
    if (m_event.name.startsWith(QLatin1String("message:")))
        return protocol::event::MessageError;
    if (m_event.name.startsWith(QLatin1String("channel:")))
        return protocol::event::ChannelError;
    return {};
}

} // namespace parley::server
