#include "qmlfixture.h"

#include "auth/passwordhasher.h"
#include "protocol/catalogue.h"
#include "store/chatstore.h"

#include <QSettings>
#include <QTcpSocket>

namespace parley::ui::test {

using server::test::TestClient;
using server::test::TestServer;

void CountingTokenStore::readToken(const QString &key, ReadCallback callback)
{
    if (!callback) {
        ++m_callsWithoutCallback;
        return;
    }
    const auto found = m_tokens.constFind(key);
    if (found == m_tokens.constEnd())
        callback(client::TokenStoreError {client::TokenStoreError::Kind::NotFound, QStringLiteral("none")});
    else
        callback(*found);
}

void CountingTokenStore::writeToken(const QString &key, const QString &token, DoneCallback callback)
{
    m_tokens.insert(key, token);
    if (callback)
        callback(std::nullopt);
    else
        ++m_callsWithoutCallback;
}

void CountingTokenStore::deleteToken(const QString &key, DoneCallback callback)
{
    m_tokens.remove(key);
    if (callback)
        callback(std::nullopt);
    else
        ++m_callsWithoutCallback;
}

QmlFixture::QmlFixture(QObject *parent)
    : QObject(parent)
    , m_server(std::make_unique<TestServer>(TestServer::Storage::TemporaryFile))
    , m_tokens(std::make_unique<CountingTokenStore>())
    , m_host(std::make_unique<host::HostServer>())
{
    // Every test file starts with no theme and no recent servers remembered.
    QSettings().clear();
    m_app = std::make_unique<ChatApp>();
    m_app->account().setCacheDir(m_dir.filePath(QStringLiteral("client")));
    m_app->account().setTokenStore(m_tokens.get());
    m_app->hosting().setServer(m_host.get());
    if (!m_dir.isValid() || !startServer())
        return;

    // alice logs in through the connect page, so her account has a real password.
    store::NewUser alice;
    alice.username = username();
    alice.displayName = QStringLiteral("Alice");
    const auto hash = auth::PasswordHasher().hashNow(password().toUtf8());
    if (!hash) {
        qWarning().noquote() << "cannot hash the test password:" << hash.error();
        return;
    }
    alice.passwordHash = QString::fromLatin1(*hash);
    const auto created = m_server->server().store().users().createUser(alice);
    if (!created) {
        qWarning().noquote() << "cannot create alice:" << created.error().message;
        return;
    }
    m_accounts.insert(username(), {created->user, m_server->tokenFor(created->user.id)});
    m_accounts.insert(
        QStringLiteral("bob"), m_server->createUser(QStringLiteral("bob"), QStringLiteral("Bob")));

    const QString aliceId = userId(username());
    const QString bobId = userId(QStringLiteral("bob"));
    for (const QString &name : {QStringLiteral("general"), QStringLiteral("random")}) {
        const auto channel =
            m_server->createChannel(name, aliceId, false, QStringLiteral("About %1").arg(name));
        m_server->addMember(channel.id, bobId);
        m_channels.insert(name, channel.id);
    }
    m_ready = !aliceId.isEmpty() && !bobId.isEmpty() && m_channels.size() == 2 &&
        !m_channels.value(QStringLiteral("random")).isEmpty();
}

QmlFixture::~QmlFixture()
{
    // The client goes first, so its socket closes while the servers still run.
    m_app.reset();
    m_host.reset();
    qDeleteAll(m_clients);
    m_clients.clear();
    m_server.reset();
}

QString QmlFixture::serverUrl() const
{
    return QStringLiteral("ws://%1").arg(serverHostAndPort());
}

QString QmlFixture::serverHostAndPort() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_server->port());
}

QString QmlFixture::userId(const QString &username) const
{
    return m_accounts.value(username).user.id;
}

QString QmlFixture::channelId(const QString &name) const
{
    return m_channels.value(name);
}

QString QmlFixture::savedToken() const
{
    return m_tokens->token(client::accountKey(client::ServerAddress(serverUrl()), username()));
}

void QmlFixture::signIn()
{
    m_app->account().signInWithToken(serverUrl(), username(), m_accounts.value(username()).token);
}

void QmlFixture::signInWithToken(const QString &token)
{
    m_app->account().signInWithToken(serverUrl(), username(), token);
}

bool QmlFixture::stopServer()
{
    m_serverUp = false;
    return m_server->stop();
}

bool QmlFixture::startServer()
{
    m_serverUp = m_server->start();
    return m_serverUp;
}

TestClient *QmlFixture::clientFor(const QString &username)
{
    TestClient *client = m_clients.value(username);
    if (client && !client->isClosed())
        return client;
    delete client;
    m_clients.remove(username);
    if (!m_accounts.contains(username))
        return nullptr;
    auto *fresh = new TestClient(m_server->url());
    if (!fresh->connectMain(m_accounts.value(username).token)) {
        qWarning().noquote() << username << "could not connect:" << fresh->refusal();
        delete fresh;
        return nullptr;
    }
    m_clients.insert(username, fresh);
    return fresh;
}

bool QmlFixture::postAs(const QString &username, const QString &channel, const QString &text)
{
    TestClient *client = m_serverUp ? clientFor(username) : nullptr;
    if (!client || channelId(channel).isEmpty())
        return false;
    const auto ack = client->request(QString(protocol::event::MessageSend),
        QJsonObject {{QStringLiteral("channelId"), channelId(channel)}, {QStringLiteral("content"), text}});
    if (!server::test::isSuccess(ack))
        qWarning().noquote() << username << "could not post:" << server::test::errorCode(ack);
    return server::test::isSuccess(ack);
}

bool QmlFixture::setMember(const QString &username, const QString &channel, bool member)
{
    if (!m_serverUp)
        return false;
    server::ChatServer &chat = m_server->server();
    auto &channels = chat.store().channels();
    const auto changed = member ? channels.addMember(channelId(channel), userId(username))
                                : channels.removeMember(channelId(channel), userId(username));
    chat.refreshMembership(userId(username), channelId(channel)); // behind the client's back
    return changed && *changed;
}

QStringList QmlFixture::storedTexts(const QString &channel)
{
    if (!m_serverUp)
        return {QStringLiteral("(the server is stopped)")};
    QStringList texts;
    const auto page =
        m_server->server().store().messages().history(channelId(channel), std::nullopt, std::nullopt, 100);
    if (!page)
        return {QStringLiteral("(history failed: %1)").arg(page.error().message)};
    for (const auto &message : page->messages)
        texts.append(message.content);
    return texts;
}

QString QmlFixture::startHosting()
{
    HostOptions options;
    options.port = 0;
    options.bind = QHostAddress(QHostAddress::LocalHost);
    options.dataDir = m_dir.filePath(QStringLiteral("hosted"));
    return m_app->hosting().start(options);
}

bool QmlFixture::accepts(const QString &hostAndPort)
{
    const qsizetype colon = hostAndPort.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const quint16 port = hostAndPort.mid(colon + 1).toUShort(&portOk);
    if (colon <= 0 || !portOk)
        return false;
    // The hosted server runs on its own thread, so waiting here does not stall it.
    QTcpSocket socket;
    socket.connectToHost(hostAndPort.left(colon), port);
    return socket.waitForConnected(5000);
}

} // namespace parley::ui::test
