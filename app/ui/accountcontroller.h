#pragma once

#include "session/clientsession.h"
#include "sessiontypes.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace parley::client {
class AuthClient;
class TokenStore;
} // namespace parley::client

namespace parley::ui {

// Signing in and out: logging in or creating an account on a server, the
// session that results (the one everything else binds to), its stage in words,
// and the servers that worked before. QML knows it as the singleton `Account`.
class AccountController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Account)
    QML_SINGLETON
    Q_PROPERTY(parley::client::ClientSession *session READ session NOTIFY sessionChanged)
    Q_PROPERTY(bool signedIn READ signedIn NOTIFY sessionChanged)
    Q_PROPERTY(QString username READ username NOTIFY sessionChanged)
    Q_PROPERTY(QString serverAddress READ serverAddress NOTIFY sessionChanged)
    Q_PROPERTY(parley::client::ClientSession::Stage stage READ stage NOTIFY stageChanged)
    Q_PROPERTY(QString stageText READ stageText NOTIFY stageChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    Q_PROPERTY(QStringList recentServers READ recentServers NOTIFY recentServersChanged)
public:
    // The instance of the ChatApp attached to `engine` (C++ keeps ownership).
    static AccountController *create(QQmlEngine *engine, QJSEngine *);

    // No default constructor: Qt 6.4 would build a second instance with it
    // instead of calling create().
    explicit AccountController(QObject *parent);
    ~AccountController() override;

    // Where the client cache lives (empty: the session's default).
    void setCacheDir(const QString &dir) { m_cacheDir = dir; }
    void setTokenStore(client::TokenStore *store) { m_tokenStore = store; }
    // An already minted token (hosting, tests): no password round trip.
    void signInWithToken(const QString &server, const QString &username, const QString &token);

    client::ClientSession *session() const { return m_session.get(); }
    bool signedIn() const { return m_session != nullptr; }
    QString username() const { return m_username; }
    QString serverAddress() const { return m_serverText; }
    client::ClientSession::Stage stage() const;
    QString stageText() const;
    bool busy() const { return m_busy; }
    QString errorText() const { return m_errorText; }
    QStringList recentServers() const;

    Q_INVOKABLE void logIn(const QString &server, const QString &username, const QString &password);
    Q_INVOKABLE void createAccount(const QString &server, const QString &username, const QString &password);
    Q_INVOKABLE void forgetServer(const QString &server);
    Q_INVOKABLE void logOut();
    Q_INVOKABLE void reconnectNow();

Q_SIGNALS:
    void sessionChanged();
    void stageChanged();
    void busyChanged();
    void errorTextChanged();
    void recentServersChanged();

private:
    void authenticate(const QString &server, const QString &username, const QString &password, bool create);
    void attachSession(const client::ServerAddress &server, const QString &username, const QString &token);
    void setError(const QString &text);
    void setBusy(bool busy);
    void rememberServer(const QString &server);

    std::unique_ptr<client::ClientSession> m_session;
    client::AuthClient *m_auth = nullptr;
    client::TokenStore *m_tokenStore = nullptr;
    QString m_cacheDir;
    QString m_serverText;
    QString m_username;
    QString m_errorText;
    bool m_busy = false;
};

} // namespace parley::ui
