#include "requester.h"

#include "transport/socketioconnection.h"

#include <QJsonArray>
#include <QTimer>

namespace parley::client {

AckResult AckResult::fromReply(const transport::AckReply &reply)
{
    AckResult result;
    if (reply.timedOut || reply.args.isEmpty() || !reply.args.first().isObject())
        return result;
    result.body = reply.args.first().toObject();
    if (result.body.value(QStringLiteral("success")).toBool()) {
        result.status = Status::Succeeded;
        return result;
    }
    result.status = Status::Refused;
    const QJsonObject error = result.body.value(QStringLiteral("error")).toObject();
    result.error = sessionErrorFromJson(error);
    // The contract puts retryAfterMs beside the code; accept it one level up as well.
    result.retryAfterMs =
        static_cast<qint64>(error.value(QStringLiteral("retryAfterMs"))
                                .toDouble(result.body.value(QStringLiteral("retryAfterMs")).toDouble()));
    return result;
}

Requester::Requester(transport::SocketIoConnection *connection, QString nsp)
    : m_connection(connection)
    , m_nsp(std::move(nsp))
{ }

bool Requester::isConnected() const
{
    return m_connection && m_connection->isNamespaceConnected(m_nsp);
}

void Requester::request(
    QObject *context, const QString &event, const QJsonObject &payload, AckHandler handler) const
{
    if (!isConnected()) {
        // Answered from the event loop, so callers never see their handler run
        // inside their own call.
        QTimer::singleShot(0, context, [handler = std::move(handler)] { handler(AckResult {}); });
        return;
    }
    m_connection->emitWithAck(m_nsp, event, QJsonArray {payload},
        [guard = QPointer<QObject>(context), handler = std::move(handler)](const transport::AckReply &reply) {
            if (guard)
                handler(AckResult::fromReply(reply));
        });
}

} // namespace parley::client
