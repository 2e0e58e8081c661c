#include "crashsender.h"

#include "protocol/catalogue.h"
#include "transport/socketioconnection.h"
#include "transport/websocketchannel.h"

#include <QJsonDocument>
#include <QTimer>

#include <chrono>
#include <utility>

namespace parley::reliability {

namespace {

// Long enough that only a dead server times a send out; a kill closes the
// connection, which fails the ack at once.
constexpr std::chrono::seconds AckTimeout {20};
// A refused send (e.g. INTERNAL while the store is unhappy) is not hammered.
constexpr std::chrono::milliseconds RetryAfterError {50};

} // namespace

CrashSender::CrashSender(QString token, QList<PlannedMessage> plan, QObject *parent)
    : QObject(parent)
    , m_token(std::move(token))
    , m_plan(std::move(plan))
{ }

CrashSender::~CrashSender()
{
    disconnectFromServer();
}

void CrashSender::connectTo(const QUrl &url)
{
    disconnectFromServer();
    const quint64 generation = m_generation;
    m_connection = new transport::SocketIoConnection(
        transport::SocketIoConnection::Role::Client, transport::WebSocketChannel::connectTo(url), {}, this);
    connect(m_connection, &transport::SocketIoConnection::eventReceived, this,
        [this, generation](const transport::IncomingEvent &event) {
            if (generation != m_generation || event.nsp != QLatin1String("/"))
                return;
            const QJsonObject payload = event.args.isEmpty() ? QJsonObject() : event.args.first().toObject();
            if (event.name == protocol::event::MessageNew) {
                m_seen.append({payload.value(QLatin1String("id")).toString(),
                    payload.value(QLatin1String("channelId")).toString(),
                    payload.value(QLatin1String("seq")).toInteger(),
                    payload.value(QLatin1String("clientMsgId")).toString()});
            } else if (event.name == protocol::event::ConnectionReady) {
                m_ready = true;
                Q_EMIT becameReady();
                sendNext();
            }
        });
    connect(m_connection, &transport::SocketIoConnection::closed, this, [this, generation] {
        if (generation == m_generation)
            m_ready = false;
    });
    m_connection->connectNamespace(QStringLiteral("/"), QJsonObject {{QStringLiteral("token"), m_token}});
}

void CrashSender::disconnectFromServer()
{
    if (!m_connection)
        return;
    ++m_generation; // whatever the old connection still reports is history
    m_ready = false;
    // close() fails the pending ack (counted as a retry); deleting first would drop it silently.
    m_connection->close(QStringLiteral("crash run: server gone"));
    m_connection->deleteLater();
    m_connection = nullptr;
    m_inFlight = false;
}

void CrashSender::sendNext()
{
    if (!m_ready || m_inFlight || isDone() || !m_connection ||
        m_connection->state() != transport::SocketIoConnection::State::Open)
        return;
    const PlannedMessage &planned = m_plan.at(m_next);
    m_inFlight = true;
    const qsizetype index = m_next;
    const quint64 generation = m_generation;
    m_connection->emitWithAck(
        QStringLiteral("/"), protocol::event::MessageSend,
        QJsonArray {QJsonObject {{QStringLiteral("channelId"), planned.channelId},
            {QStringLiteral("content"), planned.content},
            {QStringLiteral("clientMsgId"), planned.clientMsgId}}},
        [this, index, generation](const transport::AckReply &reply) { onAck(index, generation, reply); },
        AckTimeout);
}

void CrashSender::onAck(qsizetype index, quint64 generation, const transport::AckReply &reply)
{
    const bool current = generation == m_generation;
    if (current)
        m_inFlight = false;
    const QJsonObject ack = reply.args.isEmpty() ? QJsonObject() : reply.args.first().toObject();
    if (reply.timedOut || !ack.value(QLatin1String("success")).toBool()) {
        ++m_retries; // the same clientMsgId goes again
        if (reply.failure == transport::AckFailure::TimedOut && current)
            sendNext();
        if (reply.timedOut)
            return; // closed or not sent: the next connection:ready sends it
        ++m_errorAcks;
        QTimer::singleShot(RetryAfterError, this, [this, generation] {
            if (generation == m_generation)
                sendNext();
        });
        return;
    }
    if (index != m_next)
        return; // an answer for a send already acknowledged
    PlannedMessage &acked = m_plan[index];
    const QJsonObject message = ack.value(QLatin1String("message")).toObject();
    acked.messageId = ack.value(QLatin1String("messageId")).toString();
    acked.seq = ack.value(QLatin1String("seq")).toInteger();
    if (acked.messageId.isEmpty() || acked.seq <= 0 ||
        message.value(QLatin1String("clientMsgId")).toString() != acked.clientMsgId ||
        message.value(QLatin1String("channelId")).toString() != acked.channelId ||
        message.value(QLatin1String("id")).toString() != acked.messageId)
        m_ackMismatches.append(QStringLiteral("ack for %1 does not match: %2")
                                   .arg(acked.clientMsgId,
                                       QString::fromUtf8(QJsonDocument(ack).toJson(QJsonDocument::Compact))));
    ++m_next;
    if (current)
        sendNext();
}

} // namespace parley::reliability
