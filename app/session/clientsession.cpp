// ClientSession: the connection's lifecycle (stages, back-off, failure). What
// happens once connected is in clientsession_events.cpp.
#include "clientsession.h"

#include "authclient.h"
#include "channelsync.h"
#include "outboxsender.h"
#include "sessionlogging.h"
#include "tokenstore.h"
#include "transport/websocketchannel.h"

#include <QDir>
#include <QJsonArray>
#include <QStandardPaths>

#include <cmath>

namespace parley::client {

using protocol::ErrorCode;
using transport::SocketIoConnection;

namespace {

QString defaultCacheDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("parley/client"));
}

// A file name from the account key with nothing a file system could object to.
QString cacheFileName(const QString &key)
{
    QString name;
    for (const QChar c : key) {
        const bool plain = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
            (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.') ||
            c == QLatin1Char('-') || c == QLatin1Char('@') || c == QLatin1Char('_');
        name += plain ? QString(c) : QStringLiteral("_");
    }
    return name + QStringLiteral(".sqlite");
}

bool isAuthFailure(ErrorCode code)
{
    return code == ErrorCode::AuthMissing || code == ErrorCode::AuthExpired || code == ErrorCode::AuthInvalid;
}

} // namespace

ClientSession::ClientSession(SessionOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_backoff(m_options.reconnectBase, m_options.reconnectMax)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ClientSession::connectNow);
    m_countdownTimer.setInterval(std::chrono::milliseconds(250));
    connect(&m_countdownTimer, &QTimer::timeout, this, &ClientSession::updateCountdown);
    if (m_options.raw)
        return;

    auto cache = ClientCache::open(cachePath());
    if (!cache) {
        m_cacheError = cache.error().message;
        qCWarning(lcClient) << "no local cache:" << cache.error().message;
        auto memory = ClientCache::open(QStringLiteral(":memory:"));
        if (!memory)
            return;
        cache = std::move(memory);
    }
    m_cache = std::move(*cache);
    m_sync = new ChannelSync(*m_cache, m_options.historyPage, this);
    m_outbox = new OutboxSender(*m_cache, m_options.outboxPerSecond, this);
    connect(m_sync, &ChannelSync::messagesArrived, this, &ClientSession::messagesArrived);
    connect(m_sync, &ChannelSync::olderMessagesLoaded, this, &ClientSession::olderMessagesLoaded);
    connect(m_sync, &ChannelSync::cacheFailed, this, &ClientSession::reportCacheFailure);
    connect(m_sync, &ChannelSync::syncFailed, this,
        [this](const QString &, const SessionError &error) { Q_EMIT errorOccurred(error); });
    connect(m_outbox, &OutboxSender::stateChanged, this, &ClientSession::messageStateChanged);
    connect(m_outbox, &OutboxSender::cacheFailed, this, &ClientSession::reportCacheFailure);
    connect(m_outbox, &OutboxSender::messageAcknowledged, m_sync, &ChannelSync::receive);
}

ClientSession::~ClientSession()
{
    // The connection's ack callbacks point into the sync and outbox objects: it goes first.
    delete m_connection;
    m_connection = nullptr;
}

QString ClientSession::cachePath() const
{
    if (m_options.raw)
        return {};
    const QString dir = m_options.cacheDir.isEmpty() ? defaultCacheDir() : m_options.cacheDir;
    return QDir(dir).filePath(cacheFileName(accountKey(m_options.server, m_options.account)));
}

QString ClientSession::mainNamespace() const
{
    return m_options.raw ? m_options.rawNamespace : QString(protocol::ns::Main);
}

void ClientSession::setStage(Stage stage)
{
    if (m_stage == stage)
        return;
    qCDebug(lcClient) << m_options.account << "stage" << stage;
    m_stage = stage;
    Q_EMIT stageChanged(stage);
}

void ClientSession::start(const QString &token)
{
    if (!token.isEmpty())
        m_token = token;
    m_lastError.reset();
    m_backoff.reset();
    connectNow();
}

void ClientSession::reconnectNow()
{
    if (m_stage == Stage::Reconnecting || m_stage == Stage::Failed || m_stage == Stage::Disconnected)
        connectNow();
}

void ClientSession::stop()
{
    m_reconnectTimer.stop();
    m_countdownTimer.stop();
    dropConnection(QStringLiteral("client stopped"));
    setStage(Stage::Disconnected);
}

void ClientSession::connectNow()
{
    m_reconnectTimer.stop();
    m_countdownTimer.stop();
    dropConnection(QStringLiteral("reconnecting"));
    m_closingNotice.reset();
    setStage(Stage::Connecting);
    updateCountdown(); // back to 0 outside Reconnecting
    m_connection = new SocketIoConnection(SocketIoConnection::Role::Client,
        transport::WebSocketChannel::connectTo(m_options.server.socketIoUrl()), m_options.connection, this);
    connect(m_connection, &SocketIoConnection::opened, this, &ClientSession::onOpened);
    connect(
        m_connection, &SocketIoConnection::namespaceConnected, this, &ClientSession::onNamespaceConnected);
    connect(m_connection, &SocketIoConnection::namespaceRefused, this, &ClientSession::onNamespaceRefused);
    connect(m_connection, &SocketIoConnection::namespaceDisconnected, this,
        &ClientSession::onNamespaceDisconnected);
    connect(m_connection, &SocketIoConnection::eventReceived, this, &ClientSession::onEvent);
    connect(m_connection, &SocketIoConnection::closed, this, &ClientSession::onClosed);
}

void ClientSession::dropConnection(const QString &reason)
{
    if (!m_connection)
        return;
    SocketIoConnection *connection = std::exchange(m_connection, nullptr);
    // Our slots must not see this connection's last signals as news.
    disconnect(connection, nullptr, this, nullptr);
    onConnectionLost();
    connection->close(reason); // pending acks fail now, into handlers that ignore them
    connection->deleteLater();
}

void ClientSession::onConnectionLost()
{
    m_refreshing = false;
    if (m_sync)
        m_sync->stop();
    if (m_outbox)
        m_outbox->stop();
}

void ClientSession::onOpened()
{
    setStage(Stage::Authenticating);
    const QJsonObject auth =
        m_options.raw ? m_options.rawAuth : QJsonObject {{QStringLiteral("token"), m_token}};
    m_connection->connectNamespace(mainNamespace(), auth);
}

void ClientSession::onNamespaceConnected(const QString &nsp)
{
    if (nsp == protocol::ns::Auth && !m_options.raw) {
        refreshTokenIfDue();
        return;
    }
    if (nsp != mainNamespace())
        return;
    if (m_options.raw) {
        m_backoff.reset();
        setStage(Stage::Ready);
        return;
    }
    setStage(Stage::JoiningRooms); // connection:ready follows
}

void ClientSession::onNamespaceRefused(const QString &nsp, const QJsonValue &error)
{
    if (nsp != mainNamespace())
        return;
    const QJsonObject refusal = error.toObject();
    const QJsonObject data = refusal.value(QStringLiteral("data")).toObject();
    SessionError reason = sessionErrorFromJson(data);
    if (data.isEmpty()) {
        reason.message = refusal.value(QStringLiteral("message"))
                             .toString(QStringLiteral("The server refused the connection."));
        reason.code = ErrorCode::AuthInvalid;
    }
    if (m_options.raw || isAuthFailure(reason.code) || data.isEmpty()) {
        // Trying again with the same credentials cannot help: wait for the user.
        if (isAuthFailure(reason.code))
            reason.message = describeError(reason.code);
        fail(reason);
        return;
    }
    scheduleReconnect(reason.message);
}

void ClientSession::onNamespaceDisconnected(const QString &nsp)
{
    if (nsp != mainNamespace() || m_stage == Stage::Failed)
        return;
    scheduleReconnect(QStringLiteral("the server ended the session"));
}

void ClientSession::onClosed(const QString &reason)
{
    if (m_stage == Stage::Failed || m_stage == Stage::Disconnected)
        return;
    scheduleReconnect(m_closingNotice ? m_closingNotice->message : reason);
}

void ClientSession::scheduleReconnect(const QString &why)
{
    dropConnection(why);
    const auto delay = m_backoff.nextDelay();
    qCInfo(lcClient) << m_options.account << "connection lost (" << why << "); next try in" << delay.count()
                     << "ms";
    m_reconnectAt = std::chrono::steady_clock::now() + delay;
    m_reconnectTimer.start(delay);
    // The count is set before the stage changes: the first words about the loss
    // already say when the next try comes (stageChanged listeners read it).
    m_secondsToReconnect = int(std::ceil(double(delay.count()) / 1000.0));
    setStage(Stage::Reconnecting);
    m_countdownTimer.start();
    Q_EMIT secondsToReconnectChanged(m_secondsToReconnect);
}

void ClientSession::updateCountdown()
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        m_reconnectAt - std::chrono::steady_clock::now());
    const int seconds =
        m_stage == Stage::Reconnecting ? int(std::ceil(std::max<qint64>(0, left.count()) / 1000.0)) : 0;
    if (seconds == m_secondsToReconnect)
        return;
    m_secondsToReconnect = seconds;
    Q_EMIT secondsToReconnectChanged(seconds);
}

void ClientSession::fail(const SessionError &error)
{
    qCInfo(lcClient) << m_options.account << "failed:" << protocol::errorCodeName(error.code);
    m_reconnectTimer.stop();
    m_countdownTimer.stop();
    m_lastError = error;
    setStage(Stage::Failed);
    dropConnection(error.message);
    Q_EMIT errorOccurred(error);
}

void ClientSession::setTokenStore(TokenStore *store)
{
    m_tokenStore = store;
}

void ClientSession::logOut()
{
    const QString token = std::exchange(m_token, QString());
    stop();
    if (!token.isEmpty() && !m_options.raw) {
        // The server revokes the token (and every other of this account) before it is
        // forgotten here. On a connection of its own, so it outlives this session.
        auto *auth = new AuthClient(m_options.server, m_options.connection);
        auth->logout(token, [auth](const std::optional<SessionError> &error) {
            if (error)
                qCInfo(lcClient) << "the server did not confirm the log-out:" << error->message;
            auth->deleteLater();
        });
    }
    if (m_tokenStore) {
        m_tokenStore->deleteToken(
            accountKey(m_options.server, m_options.account), [](const std::optional<TokenStoreError> &error) {
                if (error)
                    qCWarning(lcClient) << "the saved sign-in was not deleted:" << error->message;
            });
    }
}

void ClientSession::reportCacheFailure(const QString &message)
{
    qCWarning(lcClient) << "cache:" << message;
    Q_EMIT errorOccurred(
        SessionError {ErrorCode::Internal, QStringLiteral("The local cache failed: %1").arg(message), false});
}

} // namespace parley::client
