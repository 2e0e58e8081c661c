#include "hostingcontroller.h"

#include "accountcontroller.h"
#include "chatapp.h"

namespace parley::ui {

namespace {

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

HostingController *HostingController::create(QQmlEngine *engine, QJSEngine *)
{
    return ChatApp::of(engine)->exposed(&ChatApp::hosting);
}

HostingController::HostingController(AccountController &account, QObject *parent)
    : QObject(parent)
    , m_account(account)
{
    connect(&m_account, &AccountController::sessionChanged, this, &HostingController::askingUsernameChanged);
}

void HostingController::setServer(LocalServer *server)
{
    if (m_server)
        m_server->setStoppedHandler({});
    m_server = server;
    if (m_server) {
        m_server->setStoppedHandler([this] {
            Q_EMIT hostingChanged();
            Q_EMIT askingUsernameChanged();
        });
    }
}

QStringList HostingController::addresses() const
{
    return hosting() ? m_server->addresses() : QStringList();
}

bool HostingController::askingUsername() const
{
    return hosting() && !m_account.signedIn();
}

QString HostingController::suggestedUsername() const
{
    return loginName();
}

QString HostingController::start(const HostOptions &options)
{
    if (!m_server) {
        setError(tr("This build of Parley cannot host."));
        return m_errorText;
    }
    LocalServer::Options server;
    server.bind = options.bind;
    server.port = options.port;
    server.dataDir = options.dataDir;
    const auto started = m_server->start(server);
    if (!started) {
        setError(started.error());
        return started.error();
    }
    setError({});
    Q_EMIT hostingChanged();
    Q_EMIT askingUsernameChanged();
    if (!options.username.isEmpty())
        continueAs(options.username);
    return {};
}

void HostingController::hostHere(bool thisComputerOnly, int port)
{
    HostOptions options;
    options.port = quint16(port > 0 && port < 65536 ? port : 7275);
    options.bind =
        thisComputerOnly ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(QHostAddress::AnyIPv4);
    start(options);
}

void HostingController::continueAs(const QString &username)
{
    if (!hosting())
        return;
    const QString name = username.trimmed().isEmpty() ? loginName() : username.trimmed();
    const auto account = m_server->hostAccount(name);
    if (!account) {
        setError(account.error());
        return;
    }
    setError({});
    m_account.signInWithToken(
        QStringLiteral("ws://127.0.0.1:%1").arg(m_server->port()), name, account->token);
}

void HostingController::stop()
{
    if (!hosting())
        return;
    m_server->stop(); // everyone, this window's session too, hears SERVER_SHUTDOWN
    Q_EMIT hostingChanged();
    Q_EMIT askingUsernameChanged();
}

void HostingController::setError(const QString &text)
{
    if (text == m_errorText)
        return;
    m_errorText = text;
    Q_EMIT errorTextChanged();
}

} // namespace parley::ui
