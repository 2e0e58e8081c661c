#pragma once

#include "clientcache.h"
#include "reconnectbackoff.h"
#include "requester.h"
#include "serveraddress.h"
#include "sessionerror.h"
#include "transport/socketioconnection.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace parley::client {

class ChannelSync;
class OutboxSender;
class TokenStore;

struct SessionOptions
{
    ServerAddress server;
    QString account; // the username: keys the cache file and the keychain entry
    // Folder of the cache files; empty: $XDG_DATA_HOME/parley/client.
    QString cacheDir;
    std::chrono::milliseconds reconnectBase {1000};
    std::chrono::milliseconds reconnectMax {30000};
    int outboxPerSecond = 10;
    int historyPage = 100; // catch-up page size (the contract's largest)
    std::chrono::hours refreshWhenLessThan {24 * 7}; // token lifetime left
    transport::ConnectionOptions connection;

    // Raw mode, for Socket.IO servers that are not Parley (the inspector): Ready
    // on the CONNECT reply, this auth payload and namespace, no connection:ready,
    // no cache, no outbox. Events arrive through eventReceived().
    bool raw = false;
    QString rawNamespace = QStringLiteral("/");
    QJsonObject rawAuth;
};

// One account on one server: the connection through its stages, reconnects with
// back-off, the local cache and outbox, and catch-up without gaps or repeats.
// Everything the desktop app shows comes from here: stage, channels with unread
// counts, messages (each delivered once through messagesArrived, in seq order)
// and the pending/sent/failed state of what the user typed.
class ClientSession : public QObject
{
    Q_OBJECT
    Q_PROPERTY(Stage stage READ stage NOTIFY stageChanged)
    Q_PROPERTY(int secondsToReconnect READ secondsToReconnect NOTIFY secondsToReconnectChanged)
public:
    enum class Stage
    {
        Disconnected,
        Connecting,
        Authenticating,
        JoiningRooms,
        Ready,
        Reconnecting, // secondsToReconnect() counts down to the next try
        Failed, // lastError(); no retry until start()/reconnectNow()
    };
    Q_ENUM(Stage)

    explicit ClientSession(SessionOptions options, QObject *parent = nullptr);
    ~ClientSession() override;

    // The cache could not be opened (the session then works without one: nothing
    // typed survives a restart). Raw sessions have no cache.
    std::optional<QString> cacheError() const { return m_cacheError; }
    QString cachePath() const;

    void start(const QString &token = {}); // raw mode ignores the token
    void stop(); // Disconnected; the outbox keeps what is pending
    void reconnectNow(); // from Reconnecting, Failed or Disconnected
    void setTokenStore(TokenStore *store); // refreshed tokens are saved there
    // Stop, revoke the token on the server (auth:logout, which ends every session of
    // the account) and delete the saved token.
    void logOut();

    Stage stage() const { return m_stage; }
    int secondsToReconnect() const { return m_secondsToReconnect; }
    std::optional<SessionError> lastError() const { return m_lastError; }
    std::optional<SessionError> lastClosingNotice() const { return m_closingNotice; }
    QString token() const { return m_token; }
    protocol::User user() const { return m_user; }
    const SessionOptions &options() const { return m_options; }

    // Channels and history from the cache, at once.
    QList<CachedChannel> channels() const;
    QList<protocol::Message> cachedMessages(const QString &channelId, int limit = 50) const;
    void loadOlderMessages(const QString &channelId, qint64 beforeSeq, int limit = 50);
    void markRead(const QString &channelId, qint64 seq);

    // The outbox. sendMessage returns the clientMsgId ("" when it could not be
    // queued: no cache, or the cache failed).
    QString sendMessage(const QString &channelId, const QString &content);
    QList<OutboxEntry> outbox() const;
    void resend(const QString &clientMsgId); // a Failed entry becomes Pending
    void discard(const QString &clientMsgId);

    // Channel membership. The ack comes to `done` (optional); the cache and
    // channelsChanged follow from the server's channel:joined / channel:left.
    void createChannel(const QString &name, const QString &topic, bool isPrivate, AckHandler done = {});
    void joinChannel(const QString &channelId, AckHandler done = {});
    void leaveChannel(const QString &channelId, AckHandler done = {});
    // Any request on `/` (channel:list, channel:members, ...); NoReply when not Ready.
    void request(const QString &event, const QJsonObject &payload, AckHandler done);

    // Any event on the session's namespace (raw mode, inspector).
    void emitEvent(const QString &event, const QJsonArray &args);
    transport::SocketIoConnection *connection() const { return m_connection; }

Q_SIGNALS:
    void stageChanged(parley::client::ClientSession::Stage stage);
    void secondsToReconnectChanged(int seconds);
    void errorOccurred(const parley::client::SessionError &error);
    // connection:closing: the server says why it is about to close.
    void serverClosing(const parley::client::SessionError &notice);
    void channelsChanged();
    void messagesArrived(const QString &channelId, const QList<parley::protocol::Message> &messages);
    void olderMessagesLoaded(
        const QString &channelId, const QList<parley::protocol::Message> &messages, bool hasMore);
    void messageStateChanged(const QString &clientMsgId, parley::client::MessageState state);
    void tokenRefreshed(const QString &token);
    void eventReceived(const parley::transport::IncomingEvent &event);

private:
    void setStage(Stage stage);
    void connectNow();
    void dropConnection(const QString &reason);
    void scheduleReconnect(const QString &why);
    void fail(const SessionError &error);
    void onOpened();
    void onNamespaceConnected(const QString &nsp);
    void onNamespaceRefused(const QString &nsp, const QJsonValue &error);
    void onNamespaceDisconnected(const QString &nsp);
    void onClosed(const QString &reason);
    void onEvent(const transport::IncomingEvent &event);
    void onReady(const QJsonObject &payload);
    void onTokenExpired();
    void onConnectionLost();
    void updateCountdown();
    void refreshTokenIfDue();
    void reportCacheFailure(const QString &message);
    QString mainNamespace() const;

    SessionOptions m_options;
    std::unique_ptr<ClientCache> m_cache;
    std::optional<QString> m_cacheError;
    ChannelSync *m_sync = nullptr;
    OutboxSender *m_outbox = nullptr;
    TokenStore *m_tokenStore = nullptr;
    transport::SocketIoConnection *m_connection = nullptr;
    Stage m_stage = Stage::Disconnected;
    QString m_token;
    protocol::User m_user;
    std::optional<SessionError> m_lastError;
    std::optional<SessionError> m_closingNotice;
    ReconnectBackoff m_backoff;
    QTimer m_reconnectTimer;
    QTimer m_countdownTimer;
    std::chrono::steady_clock::time_point m_reconnectAt;
    int m_secondsToReconnect = 0;
    bool m_refreshing = false;
};

} // namespace parley::client
