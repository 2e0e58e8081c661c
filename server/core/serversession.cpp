#include "serversession.h"

#include "auth/authenticator.h"
#include "auth/ratelimiter.h"
#include "broadcaster.h"
#include "eventrequest.h"
#include "eventroutes.h"
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
    options.acceptBinary = false; // the chat namespaces carry JSON only
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
    , m_readyTimer([this] { onReadyTimeout(); })
{
    m_connection->setObserver(this);
    channel->setSendQueueLimit(context.config.limits.sendQueueBytes);
    // The trace's connection ids are the session ids of the server log.
    if (m_context.capture)
        m_connection->attachCapture(m_context.capture, m_id);
    m_connection->open();
    m_readyTimer.start(context.config.limits.readyTimeout);
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
        refuseMain(outcome.error().code, outcome.error().message);
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
        refuseMain(ErrorCode::Internal, QStringLiteral("The server could not load your account"));
        return;
    }
    // Sessions per user are bounded: one account's devices are a handful, and a stolen or
    // shared token must not turn into thousands of connections that every broadcast to
    // the user has to visit.
    const QSet<ConnectionId> *sessions = m_context.rooms.find(RoomRegistry::userRoom(userId));
    if (sessions && sessions->size() >= m_context.config.limits.maxSessionsPerUser) {
        qCInfo(lcServer) << "connection" << m_id << "refused: user" << userId << "has" << sessions->size()
                         << "sessions";
        refuseMain(ErrorCode::LimitReached,
            QStringLiteral("This account is connected from too many places at once"));
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
    m_readyTimer.stop();
    emitEvent(event::ConnectionReady,
        QJsonObject {{QStringLiteral("user"), account->user.toJson()},
            {QStringLiteral("channels"), channelList}, {QStringLiteral("sessionId"), m_sessionId},
            {QStringLiteral("serverTime"), protocol::formatTimestamp(QDateTime::currentDateTimeUtc())}});
    scheduleExpiry();
    qCDebug(lcServer) << "connection" << m_id << "ready as user" << userId << "in" << channels->size()
                      << "channels";
}

// CONNECT_ERROR on `/` as the contract spells it; the socket stays open for another try.
void ServerSession::refuseMain(ErrorCode code, const QString &message)
{
    setStage(Stage::Open);
    m_connection->refuseNamespace(protocol::ns::Main,
        QJsonObject {{QStringLiteral("message"), QStringLiteral("unauthorized")},
            {QStringLiteral("data"),
                QJsonObject {{QStringLiteral("code"), protocol::errorCodeName(code)},
                    {QStringLiteral("message"), message}}}});
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
        auto decision = m_context.eventLimiter.tryAcquire(QString::number(m_id));
        // And per user, over all of the user's connections: N sockets do not get N times the rate.
        if (decision.allowed && !m_userId.isEmpty())
            decision = m_context.userEventLimiter.tryAcquire(m_userId);
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
    m_readyTimer.start(m_context.config.limits.readyTimeout);
}

// A socket that is not chatting holds a descriptor and memory for nothing: /auth is for
// signing in on the way to `/`, not a place to stay.
void ServerSession::onReadyTimeout()
{
    if (m_stage == Stage::Ready || m_stage == Stage::Closed)
        return;
    qCInfo(lcServer) << "connection" << m_id << "from" << m_peerAddress << "not ready in time; closing";
    const QString message = QStringLiteral("Closed: the connection did not sign in in time");
    // `/` is not joined: the reason goes to /auth if the client is there.
    if (!m_closing && m_connection->isNamespaceConnected(protocol::ns::Auth)) {
        m_connection->emitEvent(protocol::ns::Auth, event::ConnectionClosing,
            QJsonArray {
                QJsonObject {{QStringLiteral("code"), protocol::errorCodeName(ErrorCode::IdleTimeout)},
                    {QStringLiteral("message"), message}}});
    }
    closeWith(ErrorCode::IdleTimeout, message);
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
    if (!admitFrame())
        return;
    m_connection->emitEvent(protocol::ns::Main, eventName, QJsonArray {payload});
}

void ServerSession::sendEncodedEvent(const transport::SharedTextMessage &encoded)
{
    // `/` is joined exactly from JoiningRooms to Ready (accepted before the rooms are
    // joined; a DISCONNECT or the close sets another stage): the stage answers without
    // a look into the connection's namespace list, once per delivery. While a closing
    // connection reports itself closed the stage may still say Ready for a moment, but
    // the connection closes its channel first, and a closed channel takes no frame: so
    // no look at the connection's state either.
    if (m_stage != Stage::JoiningRooms && m_stage != Stage::Ready)
        return;
    if (!admitFrame())
        return;
    m_connection->sendShared(encoded);
}

void ServerSession::sendAck(const QString &nsp, qint64 ackId, const QJsonObject &ack)
{
    if (m_stage == Stage::Closed || !m_connection->isNamespaceConnected(nsp))
        return;
    if (!admitFrame())
        return;
    m_connection->sendAck(nsp, ackId, QJsonArray {ack});
}

void ServerSession::sendAck(const QString &nsp, qint64 ackId, const protocol::JsonText &ack)
{
    if (m_stage == Stage::Closed || !m_connection->isNamespaceConnected(nsp))
        return;
    if (!admitFrame())
        return;
    QByteArray arguments;
    arguments.reserve(ack.bytes.size() + 2);
    arguments.append('[').append(ack.bytes).append(']');
    m_connection->sendEncoded(
        protocol::encodeJsonPacketText(protocol::SocketPacketType::Ack, nsp, ackId, arguments));
}

// The cap counts only what the kernel refused, checked before each frame: a reply is
// never what cuts its own recipient (replies are bounded well under the cap), while a
// client that stops reading is cut at the first frame after its backlog passed the cap.
bool ServerSession::admitFrame()
{
    if (m_closing)
        return false;
    const qint64 queued = m_connection->channel()->queuedBytes();
    if (queued <= m_context.config.limits.sendQueueBytes)
        return true;
    qCInfo(lcServer) << "connection" << m_id << "is a slow consumer:" << queued << "bytes queued";
    closeWith(ErrorCode::SlowConsumer, QStringLiteral("You were not reading fast enough and were cut off"));
    return false;
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
    m_readyTimer.stop();
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
