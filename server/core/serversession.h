#pragma once

#include "protocol/catalogue.h"
#include "protocol/jsonwriter.h"
#include "roomregistry.h"
#include "servercontext.h"
#include "transport/singleshottimer.h"
#include "transport/socketioconnection.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>

#include <memory>

namespace parley::transport {
class FrameChannel;
struct SharedTextMessage;
} // namespace parley::transport

namespace parley::server {

class EventRoutes;

// One client connection, from the Engine.IO open packet to the close. It walks the
// contract's stages (docs/protocol.md section 3): open → authenticating (the one
// Authenticator call, at CONNECT on `/`) → joining rooms → ready, and routes
// events to the handler families. It never checks a token anywhere else: an event
// on `/` arrives only after that namespace was accepted.
//
// `/auth` needs no token and may be used at any stage. A token that expires while
// connected ends `/` for this socket (auth:expired, then DISCONNECT); the socket
// stays open for a CONNECT with a new token.
//
// It hears from its connection as its Observer (direct calls, not four signal
// connections per session).
class ServerSession : public QObject, private transport::SocketIoConnection::Observer
{
    Q_OBJECT
public:
    enum class Stage
    {
        Open, // Engine.IO open sent; no authenticated namespace
        Authenticating,
        JoiningRooms,
        Ready,
        Closed,
    };
    Q_ENUM(Stage)

    ServerSession(ConnectionId id, transport::FrameChannel *channel, ServerContext &context,
        const EventRoutes &routes, QObject *parent = nullptr);
    ~ServerSession() override;

    ConnectionId id() const { return m_id; }
    Stage stage() const { return m_stage; }
    QString userId() const { return m_userId; } // set from Ready until `/` ends
    QString sessionId() const { return m_sessionId; } // the `/` namespace sid
    QString peerAddress() const { return m_peerAddress; }
    QDateTime tokenExpiresAt() const { return m_tokenExpiresAt; }

    // Server events on `/`; dropped when `/` is not connected.
    void emitEvent(const QString &event, const QJsonValue &payload);
    // A broadcast encoded once for many (Broadcaster::encodeEvent): channels that write
    // their own frames get the same frame bytes, others the message text.
    void sendEncodedEvent(const transport::SharedTextMessage &encoded);
    void sendAck(const QString &nsp, qint64 ackId, const QJsonObject &ack);
    void sendAck(const QString &nsp, qint64 ackId, const protocol::JsonText &ack);

    // Tells the client why (connection:closing {code, message}) and closes.
    void closeWith(protocol::ErrorCode code, const QString &message);
    // Ends `/` for this socket: leaves every room, DISCONNECT.
    void endMainNamespace();

Q_SIGNALS:
    void stageChanged(parley::server::ServerSession::Stage stage);
    // The connection is gone and its rooms are left; the owner deletes the session.
    void finished(parley::server::ConnectionId id);

private:
    // transport::SocketIoConnection::Observer
    void namespaceConnectRequested(const QString &nsp, const QJsonValue &auth) override
    {
        onConnectRequested(nsp, auth);
    }
    void eventReceived(const transport::IncomingEvent &event) override { onEvent(event); }
    void namespaceDisconnected(const QString &nsp) override { onNamespaceDisconnected(nsp); }
    void connectionClosed(const QString &reason) override { onClosed(reason); }

    void setStage(Stage stage);
    void onConnectRequested(const QString &nsp, const QJsonValue &auth);
    void authenticateMain(const QJsonValue &auth);
    void joinRoomsAndGetReady(const QString &userId);
    void refuseMain(protocol::ErrorCode code, const QString &message);
    void onEvent(const transport::IncomingEvent &event);
    void onNamespaceDisconnected(const QString &nsp);
    void onClosed(const QString &reason);
    void scheduleExpiry();
    void onExpiryTimer();
    void onReadyTimeout();
    void leaveRooms();
    bool admitFrame();
    static QString newSessionId();

    ConnectionId m_id;
    ServerContext &m_context;
    const EventRoutes &m_routes;
    transport::SocketIoConnection *m_connection; // child
    Stage m_stage = Stage::Open;
    QString m_userId;
    QString m_sessionId;
    QString m_peerAddress;
    QDateTime m_tokenExpiresAt;
    transport::SingleShotTimer m_expiryTimer;
    transport::SingleShotTimer m_readyTimer; // runs while not Ready on `/`
    bool m_closing = false;
};

} // namespace parley::server
