#pragma once

#include "host/hostserver.h"
#include "serverharness.h"
#include "session/tokenstore.h"
#include "ui/chatapp.h"

#include <QHash>
#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace parley::ui::test {

// Tokens in memory, like client::MemoryTokenStore, except that a call without a
// callback is counted instead of ending the process with std::bad_function_call
// (every real store calls its callback), so a test can show the call.
class CountingTokenStore final : public client::TokenStore
{
    Q_OBJECT
public:
    using TokenStore::TokenStore;

    void readToken(const QString &key, ReadCallback callback) override;
    void writeToken(const QString &key, const QString &token, DoneCallback callback) override;
    void deleteToken(const QString &key, DoneCallback callback) override;

    int callsWithoutCallback() const { return m_callsWithoutCallback; }
    QString token(const QString &key) const { return m_tokens.value(key); }

private:
    QHash<QString, QString> m_tokens;
    int m_callsWithoutCallback = 0;
};

// The world one tst_*.qml file runs against, one per QML engine so every file
// starts from the same state: a real ChatServer on 127.0.0.1 with its database in
// a temporary SQLite file; alice (who signs in through the views, with a password)
// and bob (who posts over a real Socket.IO client); channels #general and #random
// with both in them; and the ChatApp whose objects the views know as Account,
// Hosting, Channels and Appearance, with an in-memory token store, its cache in a
// temporary folder and a HostServer to host with. The QML tests reach the fixture
// as the context property `fixture`.
class QmlFixture : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString serverUrl READ serverUrl CONSTANT)
    Q_PROPERTY(QString serverHostAndPort READ serverHostAndPort CONSTANT)
    Q_PROPERTY(QString username READ username CONSTANT)
    Q_PROPERTY(QString password READ password CONSTANT)
    Q_PROPERTY(int tokenStoreCallsWithoutCallback READ tokenStoreCallsWithoutCallback)
public:
    explicit QmlFixture(QObject *parent = nullptr);
    ~QmlFixture() override;

    bool isReady() const { return m_ready; }
    ChatApp *app() const { return m_app.get(); }

    QString serverUrl() const; // ws://127.0.0.1:PORT, as a person would type it
    QString serverHostAndPort() const; // 127.0.0.1:PORT, as the banner names it
    QString username() const { return QStringLiteral("alice"); }
    QString password() const { return QStringLiteral("correct horse battery staple"); }
    int tokenStoreCallsWithoutCallback() const { return m_tokens->callsWithoutCallback(); }
    // The token the app saved for alice on this server ("" when none).
    Q_INVOKABLE QString savedToken() const;

    // alice signs in with a token the server minted (no password round trip).
    Q_INVOKABLE void signIn();
    // Any token, e.g. one the server refuses.
    Q_INVOKABLE void signInWithToken(const QString &token);
    // Stop sends SERVER_SHUTDOWN to everyone; start listens again on the same port
    // and database.
    Q_INVOKABLE bool stopServer();
    Q_INVOKABLE bool startServer();
    // `username` posts `text` to #`channel` over its own Socket.IO connection; true
    // once the server acknowledged it.
    Q_INVOKABLE bool postAs(const QString &username, const QString &channel, const QString &text);
    // Membership changed in the database only: no event tells the client.
    Q_INVOKABLE bool setMember(const QString &username, const QString &channel, bool member);
    // Every message stored in #`channel`, oldest first.
    Q_INVOKABLE QStringList storedTexts(const QString &channel);
    // What `parley --host --port 0 --bind 127.0.0.1` does: "" or why not.
    Q_INVOKABLE QString startHosting();
    // True when something accepts a TCP connection at "host:port".
    Q_INVOKABLE bool accepts(const QString &hostAndPort);

private:
    QString userId(const QString &username) const;
    QString channelId(const QString &name) const;
    server::test::TestClient *clientFor(const QString &username);

    QTemporaryDir m_dir; // the client cache and the hosted server's data
    std::unique_ptr<server::test::TestServer> m_server;
    std::unique_ptr<CountingTokenStore> m_tokens;
    std::unique_ptr<host::HostServer> m_host; // outlives the app
    std::unique_ptr<ChatApp> m_app;
    QHash<QString, server::test::TestServer::Account> m_accounts; // by username
    QHash<QString, QString> m_channels; // name → id
    QHash<QString, server::test::TestClient *> m_clients; // by username, owned by this
    bool m_serverUp = false;
    bool m_ready = false;
};

} // namespace parley::ui::test
