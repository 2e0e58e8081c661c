#include "accountcontroller.h"

#include "chatapp.h"
#include "session/authclient.h"
#include "session/tokenstore.h"
#include "stagetext.h"

#include <QSettings>

namespace parley::ui {

using client::ClientSession;
using Stage = ClientSession::Stage;

namespace {

constexpr int recentServerCount = 8;
const QString recentKey = QStringLiteral("recentServers");

} // namespace

AccountController *AccountController::create(QQmlEngine *engine, QJSEngine *)
{
    return ChatApp::of(engine)->exposed(&ChatApp::account);
}

AccountController::AccountController(QObject *parent)
    : QObject(parent)
{ }

AccountController::~AccountController() = default;

Stage AccountController::stage() const
{
    return m_session ? m_session->stage() : Stage::Disconnected;
}

QString AccountController::stageText() const
{
    return describeSession(m_session.get(), m_serverText);
}

QStringList AccountController::recentServers() const
{
    return QSettings().value(recentKey).toStringList();
}

void AccountController::logIn(const QString &server, const QString &username, const QString &password)
{
    authenticate(server, username, password, false);
}

void AccountController::createAccount(const QString &server, const QString &username, const QString &password)
{
    authenticate(server, username, password, true);
}

void AccountController::authenticate(
    const QString &server, const QString &username, const QString &password, bool create)
{
    const client::ServerAddress address(server.trimmed());
    if (!address.isValid()) {
        setError(tr("“%1” is not a server address. Try host:7275.").arg(server));
        return;
    }
    if (username.trimmed().isEmpty() || password.isEmpty()) {
        setError(tr("Enter a username and a password."));
        return;
    }
    if (create && password.size() < 8) {
        setError(tr("Choose a password of at least 8 characters."));
        return;
    }
    setError({});
    setBusy(true);
    delete m_auth;
    m_auth = new client::AuthClient(address, {}, this);
    const QString name = username.trimmed();
    auto done = [this, address, server](const client::AuthResult &result) {
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

void AccountController::signInWithToken(const QString &server, const QString &username, const QString &token)
{
    attachSession(client::ServerAddress(server), username, token);
}

void AccountController::attachSession(
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
    connect(session, &ClientSession::stageChanged, this, &AccountController::stageChanged);
    connect(session, &ClientSession::secondsToReconnectChanged, this, &AccountController::stageChanged);
    connect(session, &ClientSession::errorOccurred, this, &AccountController::stageChanged);
    // Everything bound to the session sees it before it makes its first move.
    Q_EMIT sessionChanged();
    session->start(token);
    Q_EMIT stageChanged();
}

void AccountController::logOut()
{
    if (m_session)
        m_session->logOut();
    m_session.reset();
    Q_EMIT sessionChanged();
    Q_EMIT stageChanged();
}

void AccountController::reconnectNow()
{
    if (m_session)
        m_session->reconnectNow();
}

void AccountController::setError(const QString &text)
{
    if (text == m_errorText)
        return;
    m_errorText = text;
    Q_EMIT errorTextChanged();
}

void AccountController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void AccountController::forgetServer(const QString &server)
{
    QStringList recent = recentServers();
    if (recent.removeAll(server) == 0)
        return;
    QSettings().setValue(recentKey, recent);
    Q_EMIT recentServersChanged();
}

void AccountController::rememberServer(const QString &server)
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
