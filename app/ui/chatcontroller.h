#pragma once

#include "channellistmodel.h"
#include "hostserver.h"
#include "memberlistmodel.h"
#include "messagelistmodel.h"
#include "session/clientsession.h"

#include <QObject>
#include <QVariantList>

#include <memory>

namespace parley::client {
class AuthClient;
class TokenStore;
} // namespace parley::client

namespace parley::ui {

// How `parley --host` (or the connect page's button) wants to host.
struct HostOptions
{
    quint16 port = 7275;
    QHostAddress bind = QHostAddress::AnyIPv4; // the LAN; LocalHost: this computer only
    QString dataDir; // empty: HostServer::defaultDataDir()
    QString username; // empty: ask (the login name is offered)
    QString cacheDir; // the client cache; empty: the session's default
};

// The one object the QML views talk to: logging in or hosting, the connection's
// stage in words, the open channel and the three models. Everything else stays
// behind it in ClientSession and HostServer.
class ChatController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString stage READ stageName NOTIFY stageChanged)
    Q_PROPERTY(QString stageText READ stageText NOTIFY stageChanged)
    Q_PROPERTY(int secondsToReconnect READ secondsToReconnect NOTIFY stageChanged)
    Q_PROPERTY(bool signedIn READ signedIn NOTIFY signedInChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    Q_PROPERTY(QString username READ username NOTIFY signedInChanged)
    Q_PROPERTY(QString serverAddress READ serverAddress NOTIFY signedInChanged)
    Q_PROPERTY(QObject *channels READ channels CONSTANT)
    Q_PROPERTY(QObject *messages READ messages CONSTANT)
    Q_PROPERTY(QObject *members READ members CONSTANT)
    Q_PROPERTY(QString currentChannelId READ currentChannelId NOTIFY currentChannelChanged)
    Q_PROPERTY(QString currentChannelName READ currentChannelName NOTIFY currentChannelChanged)
    Q_PROPERTY(QString currentChannelTopic READ currentChannelTopic NOTIFY currentChannelChanged)
    Q_PROPERTY(int currentChannelIndex READ currentChannelIndex NOTIFY currentChannelChanged)
    // Older history exists above what is shown; loadingOlder while a page is on its way.
    Q_PROPERTY(bool hasOlder READ hasOlder NOTIFY hasOlderChanged)
    Q_PROPERTY(bool loadingOlder READ loadingOlder NOTIFY hasOlderChanged)
    Q_PROPERTY(bool hosting READ hosting NOTIFY hostingChanged)
    Q_PROPERTY(QStringList hostAddresses READ hostAddresses NOTIFY hostingChanged)
    Q_PROPERTY(bool askingHostUser READ askingHostUser NOTIFY hostingChanged)
    Q_PROPERTY(QString suggestedHostUser READ suggestedHostUser CONSTANT)
    Q_PROPERTY(QStringList recentServers READ recentServers NOTIFY recentServersChanged)
    Q_PROPERTY(QVariantList publicChannels READ publicChannels NOTIFY publicChannelsChanged)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(bool dark READ dark NOTIFY themeChanged)
    Q_PROPERTY(int maxMessageLength READ maxMessageLength CONSTANT)
public:
    explicit ChatController(QObject *parent = nullptr);
    ~ChatController() override;

    // Command line and tests: where the client cache and the settings live.
    void setCacheDir(const QString &dir) { m_cacheDir = dir; }
    void setTokenStore(client::TokenStore *store) { m_tokenStore = store; }
    // Hosting: the server listens before this returns; the error is a sentence.
    // With a username the host's account signs in at once; without, the view asks.
    QString startHosting(const HostOptions &options);
    // An already minted token (tests, the host mode).
    void signInWithToken(const QString &server, const QString &username, const QString &token);

    static QString describeStage(client::ClientSession::Stage stage, int secondsToReconnect,
        const QString &server, const QString &why);
    static QString stageKey(client::ClientSession::Stage stage);
    // Why logging in or creating an account did not work, for the connect page.
    static QString describeSignInError(const client::SessionError &error, const QString &server);

    QString stageName() const;
    QString stageText() const;
    int secondsToReconnect() const;
    bool signedIn() const { return m_session != nullptr; }
    bool busy() const { return m_busy; }
    QString errorText() const { return m_errorText; }
    QString username() const { return m_username; }
    QString serverAddress() const { return m_serverText; }
    QObject *channels() { return &m_channels; }
    QObject *messages() { return &m_messages; }
    QObject *members() { return &m_members; }
    ChannelListModel &channelModel() { return m_channels; }
    MessageListModel &messageModel() { return m_messages; }
    MemberListModel &memberModel() { return m_members; }
    QString currentChannelId() const { return m_currentChannelId; }
    QString currentChannelName() const;
    QString currentChannelTopic() const;
    int currentChannelIndex() const { return m_channels.indexOf(m_currentChannelId); }
    bool hasOlder() const { return m_hasOlder; }
    bool loadingOlder() const { return m_loadingOlder; }
    bool hosting() const { return m_host && m_host->isRunning(); }
    QStringList hostAddresses() const;
    bool askingHostUser() const { return hosting() && !m_session; }
    QString suggestedHostUser() const;
    QStringList recentServers() const;
    QVariantList publicChannels() const { return m_publicChannels; }
    QString theme() const { return m_theme; }
    void setTheme(const QString &theme);
    bool dark() const;
    int maxMessageLength() const { return 16000; }
    client::ClientSession *session() const { return m_session.get(); }

    Q_INVOKABLE void logIn(const QString &server, const QString &username, const QString &password);
    Q_INVOKABLE void createAccount(const QString &server, const QString &username, const QString &password);
    Q_INVOKABLE void forgetServer(const QString &server); // off the recent servers
    Q_INVOKABLE void hostHere(bool thisComputerOnly, int port);
    Q_INVOKABLE void continueHosting(const QString &username);
    Q_INVOKABLE void stopHosting();
    Q_INVOKABLE void logOut();
    Q_INVOKABLE void reconnectNow();
    Q_INVOKABLE void selectChannel(const QString &channelId);
    Q_INVOKABLE void moveChannel(int delta);
    Q_INVOKABLE bool sendMessage(const QString &text);
    Q_INVOKABLE void resend(const QString &clientMsgId);
    Q_INVOKABLE void discard(const QString &clientMsgId);
    Q_INVOKABLE void loadOlder();
    Q_INVOKABLE void createChannel(const QString &name, const QString &topic, bool isPrivate);
    Q_INVOKABLE void browseChannels();
    Q_INVOKABLE void joinChannel(const QString &channelId);
    Q_INVOKABLE void leaveChannel();
    Q_INVOKABLE void invite(const QString &username);
    Q_INVOKABLE QString toHtml(const QString &plain) const;

Q_SIGNALS:
    void stageChanged();
    void signedInChanged();
    void busyChanged();
    void errorTextChanged();
    void currentChannelChanged();
    void hasOlderChanged();
    void hostingChanged();
    void recentServersChanged();
    void publicChannelsChanged();
    void themeChanged();
    void notice(const QString &text); // a short sentence for the status line

private:
    void authenticate(const QString &server, const QString &username, const QString &password, bool create);
    void attachSession(const client::ServerAddress &server, const QString &username, const QString &token);
    void onChannelsChanged();
    void onMessagesArrived(const QString &channelId, const QList<protocol::Message> &messages);
    void onOlderLoaded(const QString &channelId, const QList<protocol::Message> &messages, bool hasMore);
    void onStateChanged(const QString &clientMsgId, client::MessageState state);
    void onEvent(const transport::IncomingEvent &event);
    void showChannel();
    void showWhenJoined(const QString &channelId);
    void updateHasOlder();
    void refreshMembers();
    void fetchMembers(
        const QString &channelId, const QString &after, QList<protocol::User> members, quint64 generation);
    void markCurrentRead();
    void setError(const QString &text);
    void setBusy(bool busy);
    void rememberServer(const QString &server);

    std::unique_ptr<client::ClientSession> m_session;
    client::AuthClient *m_auth = nullptr;
    client::TokenStore *m_tokenStore = nullptr;
    HostServer *m_host = nullptr;
    HostOptions m_hostOptions;
    ChannelListModel m_channels;
    MessageListModel m_messages;
    MemberListModel m_members;
    QString m_cacheDir;
    QString m_serverText;
    QString m_username;
    QString m_currentChannelId;
    QString m_wantedChannelId; // created or joined: shown once channel:joined lands
    QString m_errorText;
    QString m_theme = QStringLiteral("system");
    QVariantList m_publicChannels;
    bool m_busy = false;
    bool m_hasOlder = false;
    bool m_loadingOlder = false;
    quint64 m_membersGeneration = 0; // answers to an older channel:members are dropped
};

} // namespace parley::ui
