#include "chatserver.h"

#include "auth/authenticator.h"
#include "auth/passwordhasher.h"
#include "auth/publickeyverifier.h"
#include "auth/ratelimiter.h"
#include "auth/secretkey.h"
#include "authhandler.h"
#include "broadcaster.h"
#include "channelhandler.h"
#include "eventroutes.h"
#include "externalusers.h"
#include "faultpoints.h"
#include "httplistener.h"
#include "messagehandler.h"
#include "privatefiles.h"
#include "servercontext.h"
#include "serverlogging.h"
#include "serversession.h"
#include "sessiondirectory.h"
#include "store/chatstore.h"
#include "transport/capturerecorder.h"
#include "transport/framechannel.h"
#include "transport/tracewriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QLockFile>
#include <QRandomGenerator>
#include <QTimer>

#include <optional>

namespace parley::server {

struct ChatServer::Private
{
    std::unique_ptr<QLockFile> lock;
    store::ChatStore store;
    SessionDirectory sessions;
    std::unique_ptr<Broadcaster> broadcaster;
    std::unique_ptr<auth::Authenticator> authenticator;
    auth::PasswordHasher passwords;
    std::unique_ptr<auth::RateLimiter> eventLimiter;
    std::unique_ptr<auth::RateLimiter> authLimiter;
    std::unique_ptr<auth::RateLimiter> userEventLimiter;
    std::unique_ptr<auth::RateLimiter> channelCreateLimiter;
    std::unique_ptr<ServerContext> context;
    EventRoutes routes;
    std::unique_ptr<AuthHandler> authHandler;
    std::unique_ptr<ChannelHandler> channelHandler;
    std::unique_ptr<MessageHandler> messageHandler;
    std::unique_ptr<HttpListener> listener;
    // Declared before the sessions are made and deleted after them, so the last
    // "closed" records of a shutdown reach the trace file.
    std::unique_ptr<transport::CaptureRecorder> capture;
    std::unique_ptr<transport::TraceWriter> trace;
    ConnectionId nextConnectionId = 1;
    bool running = false;
    bool stopping = false;
    QTimer graceTimer;
};

ChatServer::ChatServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , d(std::make_unique<Private>())
{
    d->graceTimer.setSingleShot(true);
    connect(&d->graceTimer, &QTimer::timeout, this, &ChatServer::finishShutdown);
}

ChatServer::~ChatServer()
{
    if (d->listener)
        d->listener->close();
    // Sessions refer to the context and the rooms: delete them before those go. Not
    // only the live ones: a session that finished during a shutdown has left the
    // directory and waits for its deleteLater(), which would otherwise run in
    // ~QObject after the context is gone.
    const auto sessions = findChildren<ServerSession *>(Qt::FindDirectChildrenOnly);
    for (ServerSession *session : sessions)
        delete session;
    if (d->messageHandler)
        d->messageHandler->flush();
}

namespace {

protocol::Result<auth::SecretKey, QString> loadKey(const ServerConfig &config)
{
    if (!config.jwtSecretFile.isEmpty())
        return auth::SecretKey::fromFile(config.jwtSecretFile);
    if (!config.dataDir.isEmpty())
        return auth::SecretKey::loadOrGenerate(config.dataDir);
    // No data dir (tests on :memory:): a key for this run only.
    QByteArray bytes(auth::SecretKey::MinimumSize, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return auth::SecretKey::fromBytes(bytes);
}

auth::RateLimiter::Rate eventRate(const ServerLimits &limits)
{
    return {std::max(1, limits.eventRate), std::chrono::seconds(1), std::max(1, limits.eventBurst)};
}

auth::RateLimiter::Rate authRate(const ServerLimits &limits)
{
    const int perMinute = std::max(1, limits.authPerMinute);
    return {perMinute, std::chrono::minutes(1), perMinute};
}

auth::RateLimiter::Rate userEventRate(const ServerLimits &limits)
{
    return {std::max(1, limits.userEventRate), std::chrono::seconds(1), std::max(1, limits.userEventBurst)};
}

auth::RateLimiter::Rate channelCreateRate(const ServerLimits &limits)
{
    const int perHour = std::max(1, limits.channelCreatesPerHour);
    return {perHour, std::chrono::hours(1), perHour};
}

} // namespace

protocol::Result<quint16, ChatServer::StartError> ChatServer::start()
{
    if (d->running)
        return StartError {QStringLiteral("The server is already running")};

    if (!m_config.dataDir.isEmpty()) {
        if (!privatefiles::makeDirectory(m_config.dataDir))
            return StartError {
                QStringLiteral("Cannot create the data directory %1, or make it private (mode 0700)")
                    .arg(m_config.dataDir)};
        d->lock = std::make_unique<QLockFile>(
            QDir(m_config.dataDir).filePath(QStringLiteral("parley-server.lock")));
        d->lock->setStaleLockTime(0); // only a dead process's lock is stale
        if (!d->lock->tryLock(0)) {
            qint64 pid = 0;
            QString host, app;
            d->lock->getLockInfo(&pid, &host, &app);
            d->lock.reset();
            return StartError {
                QStringLiteral("Another Parley server (process %1) is using the data directory %2; "
                               "stop it first or choose another --data-dir")
                    .arg(pid)
                    .arg(QDir::toNativeSeparators(m_config.dataDir))};
        }
    }

    if (!m_config.traceFile.isEmpty()) {
        if (!transport::CaptureRecorder::isCompiledIn())
            return StartError {QStringLiteral(
                "This build has no protocol capture (-DPARLEY_CAPTURE=OFF): --trace is not available")};
        if (!privatefiles::makeFile(m_config.traceFile))
            return StartError {
                QStringLiteral("Cannot create the trace file %1, or make it private (mode 0600)")
                    .arg(m_config.traceFile)};
        d->trace = std::make_unique<transport::TraceWriter>(m_config.traceFile, m_config.tracePayloads);
        if (!d->trace->open()) {
            const QString why = d->trace->errorString();
            d->trace.reset();
            return StartError {
                QStringLiteral("Cannot write the trace file %1: %2").arg(m_config.traceFile, why)};
        }
        d->capture = std::make_unique<transport::CaptureRecorder>();
        // Payloads are decoded only when they are written.
        d->capture->setKeepPayloads(m_config.tracePayloads);
        d->trace->attach(d->capture.get());
        d->capture->setEnabled(true);
    }

    auto key = loadKey(m_config);
    if (!key)
        return StartError {key.error()};

    const QString databasePath = m_config.dataDir.isEmpty() && m_config.databasePath.isEmpty()
        ? QStringLiteral(":memory:")
        : m_config.resolvedDatabasePath();
    if (!privatefiles::makeDatabaseFiles(databasePath))
        return StartError {QStringLiteral("Cannot create the database %1, or make it private (mode 0600)")
                               .arg(databasePath)};
    if (auto opened = d->store.open(databasePath); !opened)
        return StartError {
            QStringLiteral("Cannot open the database %1: %2").arg(databasePath, opened.error().message)};
    PARLEY_FAULT_STORE_OPENED(d->store); // only in fault-point builds: PARLEY_FAULT_NO_SYNC

    store::ChatStore *store = &d->store;
    auth::AuthenticatorConfig authConfig;
    authConfig.tokenLifetime = m_config.tokenLifetime;
    if (!m_config.jwtPublicKeyFile.isEmpty()) {
        if (m_config.jwtIssuer.isEmpty())
            return StartError {QStringLiteral("--jwt-public-key needs --jwt-issuer: external users are "
                                              "keyed by their issuer")};
        auth::VerificationPolicy external;
        external.issuer = m_config.jwtIssuer;
        external.audience = m_config.jwtAudience;
        auto verifier =
            auth::PublicKeyVerifier::fromPemFile(m_config.jwtPublicKeyFile, m_config.jwtKeyId, external);
        if (!verifier)
            return StartError {
                QStringLiteral("Cannot use the identity provider key %1").arg(verifier.error())};
        if (m_config.jwtAudience.isEmpty() && !m_config.jwtAudienceAny)
            return StartError {QStringLiteral(
                "--jwt-public-key needs --jwt-audience: without it a token the provider made for "
                "another app of the same issuer signs in here. --jwt-audience-any accepts that risk")};
        qCInfo(lcServer) << "accepting" << (*verifier)->algorithm() << "tokens from" << m_config.jwtIssuer;
        authConfig.externalVerifier = std::move(*verifier);
        authConfig.resolveExternalUser = [store](const auth::TokenClaims &claims) {
            return resolveExternalUser(*store, claims);
        };
    }
    d->authenticator = std::make_unique<auth::Authenticator>(
        std::move(*key),
        [store](const QString &userId) -> std::optional<auth::UserAuthState> {
            const auto account = store->users().userById(userId);
            if (!account)
                return std::nullopt;
            return auth::UserAuthState {account->tokenVersion, account->disabled};
        },
        authConfig);
    d->broadcaster = std::make_unique<Broadcaster>(m_rooms, d->sessions);
    d->eventLimiter = std::make_unique<auth::RateLimiter>(eventRate(m_config.limits));
    d->authLimiter = std::make_unique<auth::RateLimiter>(authRate(m_config.limits));
    d->userEventLimiter = std::make_unique<auth::RateLimiter>(userEventRate(m_config.limits));
    d->channelCreateLimiter = std::make_unique<auth::RateLimiter>(channelCreateRate(m_config.limits));
    d->context = std::make_unique<ServerContext>(ServerContext {m_config, d->store, m_rooms, d->sessions,
        *d->broadcaster, *d->authenticator, d->passwords, *d->eventLimiter, *d->authLimiter,
        *d->userEventLimiter, *d->channelCreateLimiter, d->capture.get()});

    d->authHandler = std::make_unique<AuthHandler>(*d->context);
    d->channelHandler = std::make_unique<ChannelHandler>(*d->context);
    d->messageHandler = std::make_unique<MessageHandler>(*d->context);
    d->authHandler->registerRoutes(d->routes);
    d->channelHandler->registerRoutes(d->routes);
    d->messageHandler->registerRoutes(d->routes);

    HttpListenerOptions listenerOptions;
    listenerOptions.maxIncomingMessageBytes = m_config.limits.maxPayload;
    listenerOptions.allowedOrigins = m_config.allowedOrigins;
    listenerOptions.maxConnections = m_config.limits.maxConnections;
    listenerOptions.maxConnectionsPerAddress = m_config.limits.maxConnectionsPerAddress;
    listenerOptions.trustedProxies = m_config.trustedProxies;
    listenerOptions.webSocket = m_config.webSocket;
    d->listener = std::make_unique<HttpListener>(listenerOptions);
    d->listener->setHealthProvider([this] {
        return HealthSnapshot {d->sessions.count(), m_rooms.roomCount()};
    });
    connect(d->listener.get(), &HttpListener::channelAccepted, this, &ChatServer::onChannelAccepted);
    auto port = d->listener->listen(m_config.address, m_config.port);
    if (!port) {
        d->store.close();
        return StartError {QStringLiteral("Cannot listen on %1:%2: %3")
                               .arg(m_config.address.toString())
                               .arg(m_config.port)
                               .arg(port.error().message)};
    }
    d->running = true;
    qCInfo(lcServer).noquote() << "listening on"
                               << m_config.address.toString() + QLatin1Char(':') + QString::number(*port)
                               << "database" << databasePath << "websocket"
                               << webSocketTransportName(m_config.webSocket);
    return *port;
}

bool ChatServer::isRunning() const
{
    return d->running;
}

quint16 ChatServer::port() const
{
    return d->listener ? d->listener->port() : 0;
}

void ChatServer::refreshMembership(const QString &userId, const QString &channelId)
{
    const auto member = store().channels().isMember(channelId, userId);
    if (!member) {
        qCWarning(lcServer).noquote() << "membership of user" << userId << "in channel" << channelId
                                      << "not refreshed:" << member.error().message;
        return;
    }
    if (*member)
        m_rooms.moveUserIn(userId, channelId);
    else
        m_rooms.moveUserOut(userId, channelId);
}

store::ChatStore &ChatServer::store()
{
    return d->store;
}

auth::Authenticator &ChatServer::authenticator()
{
    Q_ASSERT(d->authenticator);
    return *d->authenticator;
}

qsizetype ChatServer::connectionCount() const
{
    return d->sessions.count();
}

ServerSession *ChatServer::session(ConnectionId id) const
{
    return d->sessions.find(id);
}

void ChatServer::onChannelAccepted(transport::FrameChannel *channel)
{
    if (d->stopping) {
        channel->close(QStringLiteral("server shutting down"));
        channel->deleteLater();
        return;
    }
    const ConnectionId id = d->nextConnectionId++;
    auto *session = new ServerSession(id, channel, *d->context, d->routes, this);
    d->sessions.add(id, session);
    connect(session, &ServerSession::finished, this, &ChatServer::onSessionFinished);
    Q_EMIT connectionOpened(id);
}

void ChatServer::onSessionFinished(ConnectionId id)
{
    ServerSession *session = d->sessions.find(id);
    if (!session)
        return;
    d->sessions.remove(id);
    session->deleteLater();
    Q_EMIT connectionClosed(id);
    if (d->stopping && d->sessions.count() == 0)
        QTimer::singleShot(0, this, &ChatServer::finishShutdown);
}

void ChatServer::shutdown(std::chrono::milliseconds grace)
{
    if (!d->running || d->stopping)
        return;
    d->stopping = true;
    qCInfo(lcServer) << "shutting down:" << d->sessions.count() << "connections";
    d->listener->close();
    // What is committed gets its ack before the goodbye.
    d->messageHandler->flush();
    const auto sessions = d->sessions.all();
    for (ServerSession *session : sessions)
        session->closeWith(
            protocol::ErrorCode::ServerShutdown, QStringLiteral("The server is shutting down"));
    if (d->sessions.count() == 0)
        QTimer::singleShot(0, this, &ChatServer::finishShutdown);
    else
        d->graceTimer.start(grace);
}

void ChatServer::finishShutdown()
{
    if (!d->running)
        return;
    d->graceTimer.stop();
    const auto sessions = d->sessions.all();
    for (ServerSession *session : sessions) {
        d->sessions.remove(session->id());
        delete session;
    }
    d->messageHandler->flush();
    d->store.close();
    if (d->trace)
        d->trace->flush();
    d->lock.reset();
    d->running = false;
    qCInfo(lcServer) << "stopped";
    Q_EMIT stopped();
}

} // namespace parley::server
