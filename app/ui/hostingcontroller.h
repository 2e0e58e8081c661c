#pragma once

#include "localserver.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace parley::ui {

class AccountController;

// How `parley --host` (or the connect page's button) wants to host.
struct HostOptions
{
    quint16 port = 7275;
    QHostAddress bind = QHostAddress::AnyIPv4; // the LAN; LocalHost: this computer only
    QString dataDir; // empty: the server's default
    QString username; // empty: ask (the login name is offered)
};

// "Host on this computer": starts the LocalServer the app was given, shows the
// addresses teammates type, asks once for the host's name and signs the host in
// with a token minted in-process. QML knows it as the singleton `Hosting`.
class HostingController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Hosting)
    QML_SINGLETON
    Q_PROPERTY(bool available READ available CONSTANT)
    Q_PROPERTY(bool hosting READ hosting NOTIFY hostingChanged)
    Q_PROPERTY(QStringList addresses READ addresses NOTIFY hostingChanged)
    Q_PROPERTY(bool askingUsername READ askingUsername NOTIFY askingUsernameChanged)
    Q_PROPERTY(QString suggestedUsername READ suggestedUsername CONSTANT)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
public:
    static HostingController *create(QQmlEngine *engine, QJSEngine *);

    explicit HostingController(AccountController &account, QObject *parent = nullptr);

    // Not owned; it outlives this controller. Without one, nothing can be hosted.
    void setServer(LocalServer *server);
    // The server listens before this returns; the error is a sentence. With a
    // username the host signs in at once; without, the view asks.
    QString start(const HostOptions &options);

    bool available() const { return m_server != nullptr; }
    bool hosting() const { return m_server && m_server->isRunning(); }
    QStringList addresses() const;
    bool askingUsername() const;
    QString suggestedUsername() const;
    QString errorText() const { return m_errorText; }

    Q_INVOKABLE void hostHere(bool thisComputerOnly, int port);
    Q_INVOKABLE void continueAs(const QString &username);
    Q_INVOKABLE void stop();

Q_SIGNALS:
    void hostingChanged();
    void askingUsernameChanged();
    void errorTextChanged();

private:
    void setError(const QString &text);

    AccountController &m_account;
    LocalServer *m_server = nullptr;
    QString m_errorText;
};

} // namespace parley::ui
