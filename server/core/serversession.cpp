#include "serversession.h"

#include "auth/authenticator.h"
#include "auth/ratelimiter.h"
#include "broadcaster.h"
#include "eventrequest.h"
#include "eventroutes.h"
#include "net/tcpwebsocketchannel.h"
#include "protocol/types.h"
#include "serverlogging.h"
#include "store/chatstore.h"
#include "transport/framechannel.h"
#include "transport/socketioconnection.h"

#include <QJsonArray>
#include <QRandomGenerator>

namespace parley::server {

using protocol::ErrorCode;
using transport::SocketIoConnection;
namespace event = protocol::event;

namespace {

transport::ConnectionOptions connectionOptions(const ServerLimits &limits)
{
    transport::ConnectionOptions options;
    options.pingInterval = limits.pingInterval;
    options.pingTimeout = limits.pingTimeout;
    options.connectTimeout = limits.connectTimeout;
    options.maxPayload = limits.maxPayload;
    return options;
}

// QTimer takes an int of milliseconds (~24.8 days); tokens live 30 days by
// default, so a long wait is done in steps and re-checked.
constexpr qint64 LongestTimerStepMs = 24LL * 60 * 60 * 1000;

} // namespace

ServerSession::ServerSession(ConnectionId id, transport::FrameChannel *channel, ServerContext &context,
    const EventRoutes &routes, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_context(context)
    , m_routes(routes)
    , m_connection(new SocketIoConnection(
          SocketIoConnection::Role::Server, channel, connectionOptions(context.config.limits), this))
    , m_peerAddress(channel->peerAddress())
    , m_expiryTimer([this] { onExpiryTimer(); })
{
    m_connection->setObserver(this);
    // The trace's connection ids are the session ids of the server log.
    if (m_context.capture)
        m_connection->attachCapture(m_context.capture, m_id);
    else
        m_rawChannel = qobject_cast<net::TcpWebSocketChannel *>(channel);
    m_connection->open();
}

ServerSession::~ServerSession()
{
    m_connection->setObserver(nullptr); // it outlives this body as our child
    leaveRooms();
    m_context.eventLimiter.forget(QString::number(m_id));
}

void ServerSession::setStage(Stage stage)
{
    if (m_stage == stage)
        return;
    m_stage = stage;
    Q_EMIT stageChanged(stage);
}

void ServerSession::onConnectRequested(const QString &nsp, const QJsonValue &auth)
{
    if (nsp == protocol::ns::Auth) {
        m_connection->acceptNamespace(nsp, newSessionId());
        return;
    }
    if (nsp != protocol::ns::Main) {
        m_connection->refuseNamespace(
            nsp, QJsonObject {{QStringLiteral("message"), QStringLiteral("Invalid namespace")}});
        return;
    }
    authenticateMain(auth);
}

void ServerSession::authenticateMain(const QJsonValue &auth)
{
    setStage(Stage::Authenticating);
    const auth::TokenSources sources {
        auth, m_connection->channel()->requestHeader("Authorization"), m_connection->channel()->requestUrl()};
    // The one token check of the whole server (the plan's WsGuard).
    const auth::Authenticator::Outcome outcome = m_context.authenticator.authenticate(sources);
    if (!outcome) {
        qCInfo(lcServer) << "connection" << m_id << "from" << m_peerAddress
                         << "refused:" << protocol::errorCodeName(outcome.error().code);
        setStage(Stage::Open);
        m_connection->refuseNamespace(protocol::ns::Main,
            QJsonObject {{QStringLiteral("message"), QStringLiteral("unauthorized")},
                {QStringLiteral("data"),
                    QJsonObject {{QStringLiteral("code"), protocol::errorCodeName(outcome.error().code)},
                        {QStringLiteral("message"), outcome.error().message}}}});
        return;
    }
    m_tokenExpiresAt = outcome->expiresAt;
    joinRoomsAndGetReady(outcome->userId);
}

void ServerSession::joinRoomsAndGetReady(const QString &userId)
{
    store::ChatStore &store = m_context.store;
    const auto account = store.users().userById(userId);
    const auto channels = store.channels().membershipsOf(userId);
    if (!account || !channels) {
        qCWarning(lcServer) << "connection" << m_id << "cannot load user" << userId << ":"
                            << (!account ? account.error().message : channels.error().message);
        setStage(Stage::Open);
        m_connection->refuseNamespace(protocol::ns::Main,
            QJsonObject {{QStringLiteral("message"), QStringLiteral("unauthorized")},
                {QStringLiteral("data"),
                    QJsonObject {{QStringLiteral("code"), protocol::errorCodeName(ErrorCode::Internal)},
                        {QStringLiteral("message"),
                            QStringLiteral("The server could not load your account")}}}});
        return;
    }
    m_userId = userId;
    m_sessionId = newSessionId();
    m_connection->acceptNamespace(protocol::ns::Main, m_sessionId);

    setStage(Stage::JoiningRooms);
    m_context.rooms.join(m_id, RoomRegistry::userRoom(userId));
    QJsonArray channelList;
    for (const protocol::Channel &channel : *channels) {
        m_context.rooms.join(m_id, RoomRegistry::channelRoom(channel.id));
        channelList.append(channel.toJson());
    }

    setStage(Stage::Ready);
    emitEvent(event::ConnectionReady,
        QJsonObject {{QStringLiteral("user"), account->user.toJson()},
            {QStringLiteral("channels"), channelList}, {QStringLiteral("sessionId"), m_sessionId},
            {QStringLiteral("serverTime"), protocol::formatTimestamp(QDateTime::currentDateTimeUtc())}});
    scheduleExpiry();
    qCDebug(lcServer) << "connection" << m_id << "ready as user" << userId << "in" << channels->size()
                      << "channels";
}

void ServerSession::onEvent(const transport::IncomingEvent &incoming)
{
    if (!incoming.attachments.isEmpty()) {
        // The chat namespaces carry JSON only (docs/protocol.md section 2).
        closeWith(ErrorCode::ProtocolError, QStringLiteral("Binary packets are not used by Parley"));
        return;
    }
    bool limited = false;
    qint64 retryAfterMs = 0;
    if (incoming.nsp == protocol::ns::Main) {
        // Every event counts; handlers report RATE_LIMITED after their other checks.
        const auto decision = m_context.eventLimiter.tryAcquire(QString::number(m_id));
        limited = !decision.allowed;
        retryAfterMs = decision.retryAfterMs;
    }
    const EventRequest request(this, incoming, limited, retryAfterMs);
    if (const EventRoutes::Route *route = m_routes.find(incoming.nsp, incoming.name)) {
        (*route)(request);
        return;
    }
    qCDebug(lcServer) << "connection" << m_id << "sent unknown event" << incoming.name.left(64) << "on"
                      << incoming.nsp;
    if (request.wantsAck()) {
        request.fail(
            ErrorCode::InvalidPayload, QStringLiteral("Unknown event \"%1\"").arg(incoming.name.left(64)));
    }
}

void ServerSession::onNamespaceDisconnected(const QString &nsp)
{
    if (nsp != protocol::ns::Main)
        return;
    leaveRooms();
    m_expiryTimer.stop();
    m_userId.clear();
    m_sessionId.clear();
    setStage(Stage::Open);
}

void ServerSession::endMainNamespace()
{
    if (!m_connection->isNamespaceConnected(protocol::ns::Main))
        return;
    m_connection->disconnectNamespace(protocol::ns::Main);
    onNamespaceDisconnected(protocol::ns::Main);
}

void ServerSession::scheduleExpiry()
{
    if (!m_tokenExpiresAt.isValid())
        return;
    const qint64 remaining = QDateTime::currentDateTimeUtc().msecsTo(m_tokenExpiresAt);
    m_expiryTimer.start(std::chrono::milliseconds(std::clamp<qint64>(remaining, 0, LongestTimerStepMs)));
}

void ServerSession::onExpiryTimer()
{
    if (QDateTime::currentDateTimeUtc() < m_tokenExpiresAt)
        return scheduleExpiry();
    qCInfo(lcServer) << "connection" << m_id << "token expired";
    emitEvent(event::AuthExpired,
        QJsonObject {{QStringLiteral("expiresAt"), protocol::formatTimestamp(m_tokenExpiresAt)}});
    endMainNamespace();
}

void ServerSession::emitEvent(const QString &eventName, const QJsonValue &payload)
{
    if (m_stage == Stage::Closed || !m_connection->isNamespaceConnected(protocol::ns::Main))
        return;
    m_connection->emitEvent(protocol::ns::Main, eventName, QJsonArray {payload});
    checkSendQueue();
}

void ServerSession::sendEncodedEvent(const EncodedEvent &encoded)
{
    // `/` is joined exactly from JoiningRooms to Ready (accepted before the rooms are
    // joined; a DISCONNECT or the close sets another stage): the stage answers without
    // a look into the connection's namespace list, once per delivery. While a closing
    // connection reports itself closed the stage may still say Ready for a moment, but
    // the connection closes its channel first, and a closed channel takes no frame: so
    // no look at the connection's state either.
    if (m_stage != Stage::JoiningRooms && m_stage != Stage::Ready)
        return;
    if (m_rawChannel)
        m_rawChannel->sendEncodedFrame(encoded.webSocketFrame); // shared, not copied
    else
        m_connection->sendEncoded(encoded.socketPacketText);
    checkSendQueue();
}

void ServerSession::sendAck(const QString &nsp, qint64 ackId, const QJsonObject &ack)
{
    if (m_stage == Stage::Closed || !m_connection->isNamespaceConnected(nsp))
        return;
    m_connection->sendAck(nsp, ackId, QJsonArray {ack});
    checkSendQueue();
}

void ServerSession::sendAck(const QString &nsp, qint64 ackId, const protocol::JsonText &ack)
{
    if (m_stage == Stage::Closed || !m_connection->isNamespaceConnected(nsp))
        return;
    QByteArray arguments;
    arguments.reserve(ack.bytes.size() + 2);
    arguments.append('[').append(ack.bytes).append(']');
    m_connection->sendEncoded(
        protocol::encodeJsonPacketText(protocol::SocketPacketType::Ack, nsp, ackId, arguments));
    checkSendQueue();
}

void ServerSession::checkSendQueue()
{
    if (m_closing)
        return;
    const qint64 queued = m_rawChannel ? m_rawChannel->queuedBytes() : m_connection->channel()->queuedBytes();
    if (queued > m_context.config.limits.sendQueueBytes) {
        qCInfo(lcServer) << "connection" << m_id << "is a slow consumer:" << queued << "bytes queued";
        closeWith(
            ErrorCode::SlowConsumer, QStringLiteral("You were not reading fast enough and were cut off"));
    }
}

void ServerSession::closeWith(ErrorCode code, const QString &message)
{
    if (m_closing || m_stage == Stage::Closed)
        return;
    m_closing = true;
    if (m_connection->isNamespaceConnected(protocol::ns::Main)) {
        m_connection->emitEvent(protocol::ns::Main, event::ConnectionClosing,
            QJsonArray {QJsonObject {{QStringLiteral("code"), protocol::errorCodeName(code)},
                {QStringLiteral("message"), message}}});
    }
    // No more broadcasts reach a connection that is going away.
    leaveRooms();
    m_connection->close(protocol::errorCodeName(code));
}

void ServerSession::leaveRooms()
{
    m_context.rooms.leaveAll(m_id);
}

void ServerSession::onClosed(const QString &reason)
{
    qCDebug(lcServer) << "connection" << m_id << "closed:" << reason;
    leaveRooms();
    m_expiryTimer.stop();
    setStage(Stage::Closed);
    Q_EMIT finished(m_id);
}

QString ServerSession::newSessionId()
{
    // 128 random bits, URL-safe: unguessable, so one session cannot address another.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray bytes(reinterpret_cast<const char *>(words), sizeof(words));
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace parley::server
