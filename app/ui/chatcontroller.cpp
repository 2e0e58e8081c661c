#include "chatcontroller.h"

#include "messagetext.h"
#include "protocol/catalogue.h"
#include "session/authclient.h"
#include "session/tokenstore.h"

#include <QGuiApplication>
#include <QJsonArray>
#include <QPalette>
#include <QSettings>

namespace parley::ui {

using client::ClientSession;
using Stage = ClientSession::Stage;

namespace {

constexpr int recentServerCount = 8;
const QString recentKey = QStringLiteral("recentServers");
const QString themeKey = QStringLiteral("theme");

QString loginName()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("LOGNAME");
    // Usernames are letters, digits, '_', '-' and '.'; anything else would be refused.
    QString cleaned;
    for (const QChar c : std::as_const(name)) {
        if (c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.'))
            cleaned += c;
    }
    return cleaned.isEmpty() ? QStringLiteral("host") : cleaned;
}

} // namespace

ChatController::ChatController(QObject *parent)
    : QObject(parent)
{
    const QString saved = QSettings().value(themeKey).toString();
    if (saved == QLatin1String("light") || saved == QLatin1String("dark"))
        m_theme = saved;
}

ChatController::~ChatController()
{
    // The session goes before the host, so its socket closes while the server still runs.
    m_session.reset();
}

QString ChatController::stageKey(Stage stage)
{
    switch (stage) {
    case Stage::Disconnected:
        return QStringLiteral("disconnected");
    case Stage::Connecting:
        return QStringLiteral("connecting");
    case Stage::Authenticating:
        return QStringLiteral("authenticating");
    case Stage::JoiningRooms:
        return QStringLiteral("joining");
    case Stage::Ready:
        return QStringLiteral("ready");
    case Stage::Reconnecting:
        return QStringLiteral("reconnecting");
    case Stage::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("disconnected");
}

QString ChatController::describeStage(
    Stage stage, int secondsToReconnect, const QString &server, const QString &why)
{
    switch (stage) {
    case Stage::Disconnected:
        return QStringLiteral("Not connected.");
    case Stage::Connecting:
        return QStringLiteral("Connecting to %1…").arg(server);
    case Stage::Authenticating:
        return QStringLiteral("Signing in…");
    case Stage::JoiningRooms:
        return QStringLiteral("Catching up on your channels…");
    case Stage::Ready:
        return QStringLiteral("Connected to %1.").arg(server);
    case Stage::Reconnecting:
        if (secondsToReconnect <= 0)
            return QStringLiteral("Connection lost. Reconnecting now…");
        return secondsToReconnect == 1
            ? QStringLiteral("Connection lost. Reconnecting in 1 second…")
            : QStringLiteral("Connection lost. Reconnecting in %1 seconds…").arg(secondsToReconnect);
    case Stage::Failed:
        return why.isEmpty() ? QStringLiteral("Cannot connect.")
                             : QStringLiteral("Cannot connect: %1").arg(why);
    }
    return {};
}

QString ChatController::describeSignInError(const client::SessionError &error, const QString &server)
{
    using protocol::ErrorCode;
    if (error.noAnswer)
        return QStringLiteral("Cannot reach %1. Check the address, and that the server is running.")
            .arg(server);
    switch (error.code) {
    case ErrorCode::InvalidCredentials:
        return QStringLiteral("Wrong username or password.");
    case ErrorCode::UsernameTaken:
        return QStringLiteral("That username is already taken. Choose another one, or log in.");
    case ErrorCode::RegistrationClosed:
        return QStringLiteral(
            "This server does not take new accounts. Ask the person who runs it to create one for you.");
    case ErrorCode::RateLimited:
        return QStringLiteral("Too many attempts from this computer. Wait a minute, then try again.");
    case ErrorCode::InvalidPayload: {
        // The server's own sentence says which rule was broken.
        QString why = error.message.trimmed();
        if (!why.isEmpty() && !why.endsWith(QLatin1Char('.')))
            why += QLatin1Char('.');
        return why.isEmpty() ? client::describeError(error.code) : why;
    }
    default:
        return client::describeError(error.code);
    }
}

QString ChatController::stageName() const
{
    return stageKey(m_session ? m_session->stage() : Stage::Disconnected);
}

QString ChatController::stageText() const
{
    if (!m_session)
        return describeStage(Stage::Disconnected, 0, m_serverText, {});
    const auto error = m_session->lastError();
    const auto closing = m_session->lastClosingNotice();
    QString why = error ? error->message : QString();
    if (m_session->stage() == Stage::Reconnecting && closing &&
        closing->code == protocol::ErrorCode::ServerShutdown)
        return QStringLiteral("The server is restarting or shutting down. Reconnecting in %1 s…")
            .arg(m_session->secondsToReconnect());
    return describeStage(m_session->stage(), m_session->secondsToReconnect(), m_serverText, why);
}

int ChatController::secondsToReconnect() const
{
    return m_session ? m_session->secondsToReconnect() : 0;
}

QString ChatController::currentChannelName() const
{
    return m_channels.nameAt(currentChannelIndex());
}

QString ChatController::currentChannelTopic() const
{
    const int row = currentChannelIndex();
    return row < 0 ? QString()
                   : m_channels.data(m_channels.index(row), ChannelListModel::TopicRole).toString();
}

QStringList ChatController::hostAddresses() const
{
    return hosting() ? m_host->addresses() : QStringList();
}

QString ChatController::suggestedHostUser() const
{
    return loginName();
}

QStringList ChatController::recentServers() const
{
    return QSettings().value(recentKey).toStringList();
}

void ChatController::setTheme(const QString &theme)
{
    if (theme == m_theme)
        return;
    m_theme = theme;
    QSettings().setValue(themeKey, theme);
    Q_EMIT themeChanged();
}

bool ChatController::dark() const
{
    if (m_theme == QLatin1String("dark"))
        return true;
    if (m_theme == QLatin1String("light"))
        return false;
    // Qt 6.4 has no colour-scheme API: a dark window colour means a dark desktop.
    return QGuiApplication::palette().color(QPalette::Window).lightnessF() < 0.5;
}

// --- signing in ---------------------------------------------------------------

void ChatController::logIn(const QString &server, const QString &username, const QString &password)
{
    authenticate(server, username, password, false);
}

void ChatController::createAccount(const QString &server, const QString &username, const QString &password)
{
    authenticate(server, username, password, true);
}

void ChatController::authenticate(
    const QString &server, const QString &username, const QString &password, bool create)
{
    const client::ServerAddress address(server.trimmed());
    if (!address.isValid()) {
        setError(QStringLiteral("“%1” is not a server address. Try host:7275.").arg(server));
        return;
    }
    if (username.trimmed().isEmpty() || password.isEmpty()) {
        setError(QStringLiteral("Enter a username and a password."));
        return;
    }
    if (create && password.size() < 8) {
        setError(QStringLiteral("Choose a password of at least 8 characters."));
        return;
    }
    setError({});
    setBusy(true);
    delete m_auth;
    m_auth = new client::AuthClient(address, {}, this);
    const QString name = username.trimmed();
    auto done = [this, address, name, server](const client::AuthResult &result) {
        setBusy(false);
        if (!result) {
            setError(describeSignInError(result.error(), address.hostAndPort()));
            return;
        }
        rememberServer(server.trimmed());
        if (m_tokenStore)
            m_tokenStore->writeToken(client::accountKey(address, result->user.username), result->token,
                [](const std::optional<client::TokenStoreError> &error) {
                    // Not fatal: the next start asks for the password again.
                    if (error)
                        qWarning("parley: the sign-in was not saved: %s", qPrintable(error->message));
                });
        attachSession(address, result->user.username, result->token);
    };
    if (create)
        m_auth->registerAccount(name, password, name, done);
    else
        m_auth->login(name, password, done);
}

void ChatController::signInWithToken(const QString &server, const QString &username, const QString &token)
{
    attachSession(client::ServerAddress(server), username, token);
}

void ChatController::attachSession(
    const client::ServerAddress &server, const QString &username, const QString &token)
{
    m_session.reset();
    client::SessionOptions options;
    options.server = server;
    options.account = username;
    options.cacheDir = m_cacheDir;
    m_session = std::make_unique<ClientSession>(options);
    m_serverText = server.hostAndPort();
    m_username = username;
    auto *session = m_session.get();
    if (m_tokenStore)
        session->setTokenStore(m_tokenStore);
    connect(session, &ClientSession::stageChanged, this, [this](Stage stage) {
        if (stage == Stage::Ready)
            refreshMembers();
        Q_EMIT stageChanged();
    });
    connect(session, &ClientSession::secondsToReconnectChanged, this, &ChatController::stageChanged);
    connect(session, &ClientSession::errorOccurred, this, &ChatController::stageChanged);
    connect(session, &ClientSession::channelsChanged, this, &ChatController::onChannelsChanged);
    connect(session, &ClientSession::messagesArrived, this, &ChatController::onMessagesArrived);
    connect(session, &ClientSession::olderMessagesLoaded, this, &ChatController::onOlderLoaded);
    connect(session, &ClientSession::messageStateChanged, this, &ChatController::onStateChanged);
    connect(session, &ClientSession::eventReceived, this, &ChatController::onEvent);
    m_currentChannelId.clear();
    onChannelsChanged();
    session->start(token);
    Q_EMIT signedInChanged();
    Q_EMIT stageChanged();
    Q_EMIT hostingChanged();
}

void ChatController::logOut()
{
    if (m_session)
        m_session->logOut();
    m_session.reset();
    m_currentChannelId.clear();
    m_channels.setChannels({});
    m_messages.clear();
    m_members.clear();
    Q_EMIT signedInChanged();
    Q_EMIT stageChanged();
    Q_EMIT currentChannelChanged();
}

void ChatController::reconnectNow()
{
    if (m_session)
        m_session->reconnectNow();
}

// --- hosting ------------------------------------------------------------------

QString ChatController::startHosting(const HostOptions &options)
{
    if (!m_host) {
        m_host = new HostServer(this);
        connect(m_host, &HostServer::stopped, this, &ChatController::hostingChanged);
    }
    m_hostOptions = options;
    server::ServerConfig config;
    config.address = options.bind;
    config.port = options.port;
    config.dataDir = options.dataDir.isEmpty() ? HostServer::defaultDataDir() : options.dataDir;
    const auto started = m_host->start(config);
    if (!started) {
        setError(started.error());
        return started.error();
    }
    Q_EMIT hostingChanged();
    if (!options.username.isEmpty())
        continueHosting(options.username);
    return {};
}

void ChatController::hostHere(bool thisComputerOnly, int port)
{
    HostOptions options;
    options.port = quint16(port > 0 && port < 65536 ? port : 7275);
    options.bind =
        thisComputerOnly ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(QHostAddress::AnyIPv4);
    options.cacheDir = m_cacheDir;
    startHosting(options);
}

void ChatController::continueHosting(const QString &username)
{
    if (!hosting())
        return;
    const QString name = username.trimmed().isEmpty() ? loginName() : username.trimmed();
    const auto account = m_host->hostAccount(name);
    if (!account) {
        setError(account.error());
        return;
    }
    setError({});
    attachSession(
        client::ServerAddress(QStringLiteral("ws://127.0.0.1:%1").arg(m_host->port())), name, account->token);
}

void ChatController::stopHosting()
{
    if (!hosting())
        return;
    m_host->stop(); // everyone, this window's session too, hears SERVER_SHUTDOWN
    Q_EMIT hostingChanged();
}

// --- channels -----------------------------------------------------------------

void ChatController::onChannelsChanged()
{
    const QString name = currentChannelName();
    const QString topic = currentChannelTopic();
    const auto list = m_session ? m_session->channels() : QList<client::CachedChannel>();
    m_channels.setChannels(list);
    if (!m_wantedChannelId.isEmpty() && m_channels.indexOf(m_wantedChannelId) >= 0) {
        m_currentChannelId = std::exchange(m_wantedChannelId, QString());
        showChannel();
    } else if (m_channels.indexOf(m_currentChannelId) < 0) {
        m_currentChannelId = m_channels.channelIdAt(0);
        showChannel();
    } else if (name != currentChannelName() || topic != currentChannelTopic()) {
        // Only then: the views keep their scroll position when just counts moved.
        Q_EMIT currentChannelChanged();
    }
}

void ChatController::showWhenJoined(const QString &channelId)
{
    if (m_channels.indexOf(channelId) >= 0)
        selectChannel(channelId);
    else
        m_wantedChannelId = channelId; // once channel:joined lands in the cache
}

void ChatController::selectChannel(const QString &channelId)
{
    if (channelId == m_currentChannelId || m_channels.indexOf(channelId) < 0)
        return;
    m_currentChannelId = channelId;
    showChannel();
}

void ChatController::moveChannel(int delta)
{
    const int count = m_channels.rowCount();
    if (count == 0)
        return;
    const int row = currentChannelIndex();
    const int next = std::clamp(row < 0 ? 0 : row + delta, 0, count - 1);
    selectChannel(m_channels.channelIdAt(next));
}

void ChatController::showChannel()
{
    m_loadingOlder = false;
    m_members.clear(); // not the last channel's members while this one's are asked for
    if (!m_session || m_currentChannelId.isEmpty()) {
        m_messages.clear();
    } else {
        QList<client::OutboxEntry> typed;
        const auto outbox = m_session->outbox();
        for (const auto &entry : outbox) {
            if (entry.channelId == m_currentChannelId)
                typed.append(entry);
        }
        m_messages.reset(m_session->cachedMessages(m_currentChannelId), typed, m_session->user());
        markCurrentRead();
        refreshMembers();
    }
    Q_EMIT currentChannelChanged();
    updateHasOlder();
    Q_EMIT hasOlderChanged();
}

void ChatController::updateHasOlder()
{
    // Seqs start at 1 with no gaps and history is never pruned: anything above 1 has
    // something older. With nothing shown yet, the channel's lastSeq says whether
    // the sync is still bringing its newest page.
    const qint64 oldest = m_messages.oldestSeq();
    const bool older = oldest > 1 || (oldest == 0 && m_channels.lastSeqOf(m_currentChannelId) > 0);
    if (older == m_hasOlder)
        return;
    m_hasOlder = older;
    Q_EMIT hasOlderChanged();
}

void ChatController::markCurrentRead()
{
    const qint64 newest = m_messages.newestSeq();
    if (m_session && newest > 0)
        m_session->markRead(m_currentChannelId, newest);
}

void ChatController::refreshMembers()
{
    if (!m_session || m_currentChannelId.isEmpty() || m_session->stage() != Stage::Ready)
        return;
    fetchMembers(m_currentChannelId, {}, {}, ++m_membersGeneration);
}

// Page by page (at most 200 each), shown once the last page is in.
void ChatController::fetchMembers(
    const QString &channelId, const QString &after, QList<protocol::User> members, quint64 generation)
{
    QJsonObject payload {{QStringLiteral("channelId"), channelId}, {QStringLiteral("limit"), 200}};
    if (!after.isEmpty())
        payload.insert(QStringLiteral("afterUsername"), after);
    m_session->request(protocol::event::ChannelMembers, payload,
        [this, channelId, generation, members = std::move(members)](const client::AckResult &ack) mutable {
            if (generation != m_membersGeneration || channelId != m_currentChannelId)
                return; // another channel, or a newer request, has the list now
            if (!ack.succeeded())
                return; // NoReply: the next Ready asks again
            const auto list = ack.body.value(QStringLiteral("members")).toArray();
            for (const auto &value : list) {
                if (auto user = protocol::User::fromJson(value.toObject()))
                    members.append(*user);
            }
            if (ack.body.value(QStringLiteral("hasMore")).toBool() && !list.isEmpty()) {
                const QString last = members.last().username;
                fetchMembers(channelId, last, std::move(members), generation);
                return;
            }
            m_members.setMembers(members);
        });
}

void ChatController::createChannel(const QString &name, const QString &topic, bool isPrivate)
{
    if (!m_session)
        return;
    m_session->createChannel(
        name.trimmed(), topic.trimmed(), isPrivate, [this](const client::AckResult &ack) {
            if (!ack.succeeded()) {
                Q_EMIT notice(ack.error.message.isEmpty() ? QStringLiteral("The channel was not created.")
                                                          : ack.error.message);
                return;
            }
            const auto channel =
                protocol::Channel::fromJson(ack.body.value(QStringLiteral("channel")).toObject());
            if (channel)
                showWhenJoined(channel->id);
        });
}

void ChatController::browseChannels()
{
    if (!m_session)
        return;
    m_session->request(QStringLiteral("channel:list"), {}, [this](const client::AckResult &ack) {
        if (!ack.succeeded())
            return;
        m_publicChannels.clear();
        const auto list = ack.body.value(QStringLiteral("channels")).toArray();
        for (const auto &value : list) {
            const auto object = value.toObject();
            QVariantMap entry;
            entry.insert(QStringLiteral("channelId"), object.value(QStringLiteral("id")).toString());
            entry.insert(QStringLiteral("name"), object.value(QStringLiteral("name")).toString());
            entry.insert(QStringLiteral("topic"), object.value(QStringLiteral("topic")).toString());
            entry.insert(QStringLiteral("joined"),
                m_channels.indexOf(object.value(QStringLiteral("id")).toString()) >= 0);
            m_publicChannels.append(entry);
        }
        Q_EMIT publicChannelsChanged();
    });
}

void ChatController::joinChannel(const QString &channelId)
{
    if (!m_session)
        return;
    m_session->joinChannel(channelId, [this, channelId](const client::AckResult &ack) {
        if (ack.succeeded())
            showWhenJoined(channelId);
        else
            Q_EMIT notice(ack.error.message);
    });
}

void ChatController::leaveChannel()
{
    if (m_session && !m_currentChannelId.isEmpty())
        m_session->leaveChannel(m_currentChannelId);
}

void ChatController::invite(const QString &username)
{
    if (!m_session || m_currentChannelId.isEmpty())
        return;
    const QJsonObject payload {
        {QStringLiteral("channelId"), m_currentChannelId}, {QStringLiteral("username"), username.trimmed()}};
    m_session->request(
        QStringLiteral("channel:invite"), payload, [this, username](const client::AckResult &ack) {
            Q_EMIT notice(
                ack.succeeded() ? QStringLiteral("%1 was invited.").arg(username) : ack.error.message);
        });
}

// --- messages -----------------------------------------------------------------

bool ChatController::sendMessage(const QString &text)
{
    if (!m_session || m_currentChannelId.isEmpty() || text.trimmed().isEmpty() ||
        text.size() > maxMessageLength())
        return false;
    const QString clientMsgId = m_session->sendMessage(m_currentChannelId, text);
    if (clientMsgId.isEmpty()) {
        Q_EMIT notice(QStringLiteral("The message could not be queued."));
        return false;
    }
    client::OutboxEntry entry;
    entry.clientMsgId = clientMsgId;
    entry.channelId = m_currentChannelId;
    entry.content = text;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    m_messages.addTyped(entry, m_session->user());
    return true;
}

void ChatController::resend(const QString &clientMsgId)
{
    if (!m_session)
        return;
    m_session->resend(clientMsgId);
    m_messages.setState(clientMsgId, client::MessageState::Pending);
}

void ChatController::discard(const QString &clientMsgId)
{
    if (!m_session)
        return;
    m_session->discard(clientMsgId);
    showChannel();
}

void ChatController::loadOlder()
{
    if (!m_session || m_currentChannelId.isEmpty() || !m_hasOlder || m_loadingOlder)
        return;
    const qint64 oldest = m_messages.oldestSeq();
    if (oldest <= 1)
        return; // nothing older, or the newest page is still on its way
    m_loadingOlder = true;
    Q_EMIT hasOlderChanged();
    m_session->loadOlderMessages(m_currentChannelId, oldest); // may answer at once, from the cache
}

void ChatController::onMessagesArrived(const QString &channelId, const QList<protocol::Message> &messages)
{
    for (const auto &message : messages)
        m_channels.noteActivity(channelId, message.createdAt);
    if (channelId != m_currentChannelId) {
        onChannelsChanged(); // the cache has a new lastSeq: the unread badge grows
        return;
    }
    m_messages.addDelivered(messages);
    markCurrentRead();
    updateHasOlder();
}

void ChatController::onOlderLoaded(
    const QString &channelId, const QList<protocol::Message> &messages, bool /*hasMore*/)
{
    if (channelId != m_currentChannelId)
        return;
    m_messages.addOlder(messages);
    m_loadingOlder = false;
    Q_EMIT hasOlderChanged();
    updateHasOlder(); // from the seqs: exact, also offline
}

void ChatController::onStateChanged(const QString &clientMsgId, client::MessageState state)
{
    QString why;
    if (state == client::MessageState::Failed && m_session) {
        const auto outbox = m_session->outbox();
        for (const auto &entry : outbox) {
            if (entry.clientMsgId == clientMsgId && entry.error)
                why = entry.error->message;
        }
    }
    m_messages.setState(clientMsgId, state, why);
}

void ChatController::onEvent(const transport::IncomingEvent &event)
{
    const QJsonObject payload = event.args.isEmpty() ? QJsonObject() : event.args.first().toObject();
    if (payload.value(QStringLiteral("channelId")).toString() != m_currentChannelId)
        return;
    if (event.name == QLatin1String("channel:member_joined")) {
        if (auto user = protocol::User::fromJson(payload.value(QStringLiteral("user")).toObject()))
            m_members.addMember(*user);
    } else if (event.name == QLatin1String("channel:member_left")) {
        m_members.removeMember(payload.value(QStringLiteral("userId")).toString());
    }
}

QString ChatController::toHtml(const QString &plain) const
{
    return messageTextToHtml(plain);
}

// --- small state --------------------------------------------------------------

void ChatController::setError(const QString &text)
{
    if (text == m_errorText)
        return;
    m_errorText = text;
    Q_EMIT errorTextChanged();
}

void ChatController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void ChatController::forgetServer(const QString &server)
{
    QStringList recent = recentServers();
    if (recent.removeAll(server) == 0)
        return;
    QSettings().setValue(recentKey, recent);
    Q_EMIT recentServersChanged();
}

void ChatController::rememberServer(const QString &server)
{
    QStringList recent = recentServers();
    recent.removeAll(server);
    recent.prepend(server);
    while (recent.size() > recentServerCount)
        recent.removeLast();
    QSettings().setValue(recentKey, recent);
    Q_EMIT recentServersChanged();
}

} // namespace parley::ui
