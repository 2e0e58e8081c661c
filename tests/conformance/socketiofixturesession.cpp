#include "socketiofixturesession.h"

#include <QRandomGenerator>

namespace parley::conformance {

namespace {

QString randomSocketId()
{
    QByteArray bytes(15, Qt::Uninitialized);
    QRandomGenerator::global()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

SocketIoFixtureSession::SocketIoFixtureSession(
    transport::FrameChannel *channel, const transport::ConnectionOptions &options, QObject *parent)
    : QObject(parent)
    , m_connection(new transport::SocketIoConnection(
          transport::SocketIoConnection::Role::Server, channel, options, this))
{
    connect(m_connection, &transport::SocketIoConnection::namespaceConnectRequested, this,
        &SocketIoFixtureSession::onConnectRequested);
    connect(
        m_connection, &transport::SocketIoConnection::eventReceived, this, &SocketIoFixtureSession::onEvent);
    connect(m_connection, &transport::SocketIoConnection::closed, this, &QObject::deleteLater);
    m_connection->open();
}

void SocketIoFixtureSession::onConnectRequested(const QString &nsp, const QJsonValue &auth)
{
    if (nsp != QLatin1String("/") && nsp != QLatin1String("/custom")) {
        m_connection->refuseNamespace(
            nsp, QJsonObject {{QStringLiteral("message"), QStringLiteral("Invalid namespace")}});
        return;
    }
    m_connection->acceptNamespace(nsp, randomSocketId());
    const QJsonValue payload = auth.isObject() ? auth : QJsonValue(QJsonObject());
    m_connection->emitEvent(nsp, QStringLiteral("auth"), QJsonArray {payload});
}

void SocketIoFixtureSession::onEvent(const transport::IncomingEvent &event)
{
    if (event.nsp != QLatin1String("/"))
        return;
    if (event.name == QLatin1String("message")) {
        m_connection->emitEvent(event.nsp, QStringLiteral("message-back"), event.args, event.attachments);
    } else if (event.name == QLatin1String("message-with-ack") && event.ackId) {
        m_connection->sendAck(event.nsp, *event.ackId, event.args, event.attachments);
    }
}

} // namespace parley::conformance
