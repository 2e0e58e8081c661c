#include "hostserver.h"

#include "auth/authenticator.h"
#include "auth/passwordhasher.h"
#include "core/chatserver.h"
#include "store/chatstore.h"

#include <QDir>
#include <QNetworkInterface>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

namespace parley::host {

namespace {

// A new server has nowhere to talk yet: the host's first sign-in opens #general,
// so a teammate who joins finds the conversation at once.
void openFirstChannel(server::ChatServer &chat, const QString &hostId)
{
    auto &channels = chat.store().channels();
    const auto visible = channels.channelsVisibleTo(hostId);
    if (!visible || !visible->isEmpty())
        return;
    store::NewChannel general;
    general.name = QStringLiteral("general");
    general.topic = QStringLiteral("Everything else");
    general.creatorId = hostId;
    if (!channels.createChannel(general))
        qWarning("parley: #general was not created on the new server");
}

} // namespace

// The server thread's end of the handle: holds the ChatServer on that thread.
class HostServer::Keeper : public QObject
{
public:
    server::ChatServer *server = nullptr; // read and written on the server thread only
};

HostServer::HostServer(QObject *parent)
    : QObject(parent)
{ }

HostServer::~HostServer()
{
    if (!m_thread)
        return;
    stop();
    m_thread->wait(); // the server has said goodbye to everyone
    releaseThread();
}

HostServer::StartResult HostServer::start(const server::ServerConfig &config)
{
    if (m_state == State::Running)
        return StartResult(tr("This computer is already hosting."));
    if (m_state == State::Stopping)
        return StartResult(tr("The server is still stopping. Try again in a moment."));
    if (!config.dataDir.isEmpty() && !QDir().mkpath(config.dataDir))
        return StartResult(tr("Cannot create the folder %1.").arg(config.dataDir));

    releaseThread(); // a previous run's thread has ended
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("parley-host"));
    m_keeper = new Keeper;
    m_keeper->moveToThread(m_thread);
    // Whatever is left when the thread ends goes with it, on that thread.
    connect(
        m_thread, &QThread::finished, m_keeper,
        [keeper = m_keeper] {
            delete keeper->server;
            keeper->server = nullptr;
        },
        Qt::DirectConnection);
    const quint64 run = ++m_run;
    connect(m_thread, &QThread::finished, this, [this, run] {
        if (run == m_run)
            onThreadFinished();
    });
    m_thread->start();

    StartResult result {QString()};
    QMetaObject::invokeMethod(
        m_keeper,
        [&config, &result, keeper = m_keeper] {
            auto *chat = new server::ChatServer(config);
            const auto started = chat->start();
            if (!started) {
                result = StartResult(started.error().message);
                delete chat;
                return;
            }
            keeper->server = chat;
            QObject::connect(chat, &server::ChatServer::stopped, keeper, [keeper] {
                keeper->server->deleteLater();
                keeper->server = nullptr;
                // Sockets still saying goodbye get half a second before the thread ends.
                QTimer::singleShot(500, keeper, [] { QThread::currentThread()->quit(); });
            });
            result = StartResult(*started);
        },
        Qt::BlockingQueuedConnection);
    if (!result) {
        m_thread->quit();
        m_thread->wait();
        releaseThread();
        return result;
    }
    m_state = State::Running;
    m_bound = config.address;
    m_port = *result;
    return result;
}

HostServer::StartResult HostServer::start(const Options &options)
{
    server::ServerConfig config;
    config.address = options.bind;
    config.port = options.port;
    config.dataDir = options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir;
    return start(config);
}

HostServer::AccountResult HostServer::hostAccount(const QString &username)
{
    // A blocking call into a thread that is ending would never return.
    if (m_state != State::Running)
        return AccountResult(tr("The server is not running."));
    AccountResult result {QString()};
    QMetaObject::invokeMethod(
        m_keeper,
        [&, keeper = m_keeper] {
            auto *chat = keeper->server;
            if (!chat) {
                result = AccountResult(HostServer::tr("The server is not running."));
                return;
            }
            auto &users = chat->store().users();
            auto account = users.userByUsername(username);
            const bool created = !account;
            if (!account) {
                // A password nobody knows: the host logs in with minted tokens only.
                QByteArray secret(32, Qt::Uninitialized);
                QRandomGenerator::system()->fillRange(
                    reinterpret_cast<quint32 *>(secret.data()), secret.size() / int(sizeof(quint32)));
                const auto hash = auth::PasswordHasher().hashNow(secret.toBase64());
                if (!hash) {
                    result = AccountResult(hash.error());
                    return;
                }
                store::NewUser newUser;
                newUser.username = username;
                newUser.displayName = username;
                newUser.passwordHash = QString::fromLatin1(*hash);
                account = users.createUser(newUser);
            }
            if (!account) {
                result = AccountResult(HostServer::tr("Cannot create the account %1: %2")
                                           .arg(username, account.error().message));
                return;
            }
            if (created)
                openFirstChannel(*chat, account->user.id);
            const auto issued = chat->authenticator().issueToken(account->user.id, account->tokenVersion);
            result = AccountResult(HostAccount {account->user.id, issued.token});
        },
        Qt::BlockingQueuedConnection);
    return result;
}

void HostServer::stop()
{
    if (m_state != State::Running)
        return;
    m_state = State::Stopping;
    QMetaObject::invokeMethod(m_keeper, [keeper = m_keeper] {
        if (keeper->server)
            keeper->server->shutdown();
    });
}

void HostServer::onThreadFinished()
{
    if (m_state == State::Idle)
        return; // a start that failed has cleaned up already
    m_state = State::Idle;
    releaseThread();
    Q_EMIT stopped();
    if (m_stoppedHandler)
        m_stoppedHandler();
}

void HostServer::releaseThread()
{
    if (!m_thread)
        return;
    m_thread->wait(); // finished() is emitted a moment before the thread really ends
    delete m_keeper; // its thread has ended: nothing else can reach it
    m_keeper = nullptr;
    delete m_thread;
    m_thread = nullptr;
}

QStringList HostServer::addresses() const
{
    return addressesFor(m_bound, m_port);
}

QStringList HostServer::addressesFor(const QHostAddress &bound, quint16 port)
{
    QStringList result;
    const auto add = [&](const QHostAddress &address) {
        result.append(QStringLiteral("%1:%2").arg(address.toString()).arg(port));
    };
    if (bound != QHostAddress::Any && bound != QHostAddress::AnyIPv4 && bound != QHostAddress::AnyIPv6) {
        add(bound);
        return result;
    }
    const auto all = QNetworkInterface::allAddresses();
    for (const auto &address : all) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback())
            add(address);
    }
    if (result.isEmpty())
        add(QHostAddress(QHostAddress::LocalHost)); // no network: only this computer can join
    return result;
}

QString HostServer::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
        QStringLiteral("/parley/server");
}

} // namespace parley::host
