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

namespace parley::ui {

HostServer::HostServer(QObject *parent)
    : QObject(parent)
{ }

HostServer::~HostServer()
{
    if (!m_thread)
        return;
    if (m_server) {
        disconnect(m_server, nullptr, this, nullptr);
        stop();
    } else {
        m_thread->quit();
    }
    m_thread->wait();
}

HostServer::StartResult HostServer::start(const server::ServerConfig &config)
{
    if (m_server)
        return StartResult(QStringLiteral("This computer is already hosting."));
    if (!config.dataDir.isEmpty() && !QDir().mkpath(config.dataDir))
        return StartResult(QStringLiteral("Cannot create the folder %1.").arg(config.dataDir));

    if (!m_thread) {
        m_thread = new QThread(this);
        m_thread->setObjectName(QStringLiteral("parley-host"));
        m_thread->start();
    }
    // A context object on the server thread, so the lambdas below run there.
    auto *onThread = new QObject;
    onThread->moveToThread(m_thread);
    server::ChatServer *created = nullptr;
    StartResult result {QString()};
    QMetaObject::invokeMethod(
        onThread,
        [&] {
            auto *chat = new server::ChatServer(config);
            const auto started = chat->start();
            if (!started) {
                result = StartResult(started.error().message);
                delete chat;
                return;
            }
            created = chat;
            result = StartResult(*started);
        },
        Qt::BlockingQueuedConnection);
    onThread->deleteLater(); // on the server thread
    if (!created)
        return result;

    m_server = created;
    m_bound = config.address;
    m_port = *result;
    connect(m_server, &server::ChatServer::stopped, m_server, &QObject::deleteLater);
    // Quit from the server thread itself: the destructor may be blocked in wait().
    QThread *serverThread = m_thread;
    // Sockets still saying goodbye get half a second before the thread ends.
    connect(
        m_server, &QObject::destroyed, m_server,
        [serverThread] { QTimer::singleShot(500, [serverThread] { serverThread->quit(); }); },
        Qt::DirectConnection);
    connect(m_server, &QObject::destroyed, this, [this] {
        m_server = nullptr;
        Q_EMIT stopped();
    });
    return result;
}

HostServer::AccountResult HostServer::hostAccount(const QString &username)
{
    if (!m_server)
        return AccountResult(QStringLiteral("The server is not running."));
    AccountResult result {QString()};
    auto *chat = m_server;
    QMetaObject::invokeMethod(
        chat,
        [&] {
            auto &users = chat->store().users();
            auto account = users.userByUsername(username);
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
                result = AccountResult(QStringLiteral("Cannot create the account %1: %2")
                                           .arg(username, account.error().message));
                return;
            }
            const auto issued = chat->authenticator().issueToken(account->user.id, account->tokenVersion);
            result = AccountResult(HostAccount {account->user.id, issued.token});
        },
        Qt::BlockingQueuedConnection);
    return result;
}

void HostServer::stop()
{
    if (!m_server)
        return;
    QMetaObject::invokeMethod(m_server, [chat = m_server] { chat->shutdown(); });
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

} // namespace parley::ui
