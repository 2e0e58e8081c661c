#pragma once

#include "transport/socketioconnection.h"

#include <QObject>

namespace parley::conformance {

// One connection of the socket.io test suite, on the real SocketIoConnection:
// namespaces "/" and "/custom" (any other is refused with "Invalid namespace"); each
// accepted namespace gets an "auth" event carrying the CONNECT payload; on "/",
// "message" is answered with "message-back" and "message-with-ack" is acknowledged,
// both with the same arguments and binaries. It deletes itself when the connection
// closes.
class SocketIoFixtureSession : public QObject
{
public:
    SocketIoFixtureSession(transport::FrameChannel *channel, const transport::ConnectionOptions &options,
        QObject *parent = nullptr);

private:
    void onConnectRequested(const QString &nsp, const QJsonValue &auth);
    void onEvent(const transport::IncomingEvent &event);

    transport::SocketIoConnection *m_connection;
};

} // namespace parley::conformance
