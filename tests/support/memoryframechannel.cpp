#include "memoryframechannel.h"

#include <QMetaObject>

namespace parley::test {

MemoryFrameChannel::Pair MemoryFrameChannel::makePair(const QUrl &requestUrl)
{
    auto *server = new MemoryFrameChannel(requestUrl);
    auto *client = new MemoryFrameChannel(requestUrl);
    server->m_peer = client;
    client->m_peer = server;
    QMetaObject::invokeMethod(
        client,
        [client] {
            if (!client->m_closed)
                Q_EMIT client->opened();
        },
        Qt::QueuedConnection);
    return {server, client};
}

MemoryFrameChannel::MemoryFrameChannel(QUrl requestUrl)
    : m_requestUrl(std::move(requestUrl))
{ }

MemoryFrameChannel::~MemoryFrameChannel()
{
    if (!m_closed && m_peer) {
        MemoryFrameChannel *peer = m_peer;
        QMetaObject::invokeMethod(
            peer, [peer] { peer->reportClosed(QStringLiteral("peer gone")); }, Qt::QueuedConnection);
    }
}

void MemoryFrameChannel::sendText(const QByteArray &utf8)
{
    post({utf8, false});
}

void MemoryFrameChannel::sendBinary(const QByteArray &bytes)
{
    post({bytes, true});
}

void MemoryFrameChannel::sendShared(const transport::SharedTextMessage &message)
{
    ++m_sharedSends;
    post({message.text, false});
}

void MemoryFrameChannel::post(Message message)
{
    if (m_closed || !m_peer)
        return;
    m_queuedBytes += message.bytes.size();
    m_peer->m_inbox.append(std::move(message));
    // One queued call per message: delivery keeps the order of sending.
    QMetaObject::invokeMethod(m_peer.data(), &MemoryFrameChannel::deliverOne, Qt::QueuedConnection);
}

void MemoryFrameChannel::deliverOne()
{
    if (m_inbox.isEmpty())
        return;
    const Message message = m_inbox.takeFirst();
    if (m_peer)
        m_peer->m_queuedBytes -= message.bytes.size();
    if (m_closed)
        return;
    if (m_receiver) {
        if (message.binary)
            m_receiver->receivedBinary(message.bytes);
        else
            m_receiver->receivedText(message.bytes);
    } else if (message.binary) {
        Q_EMIT binaryReceived(message.bytes);
    } else {
        Q_EMIT textReceived(message.bytes);
    }
}

void MemoryFrameChannel::close(const QString &reason)
{
    if (m_closed)
        return;
    if (m_peer) {
        MemoryFrameChannel *peer = m_peer;
        // After whatever was sent before the close, like a close frame.
        QMetaObject::invokeMethod(
            peer, [peer] { peer->reportClosed(QStringLiteral("closed by peer")); }, Qt::QueuedConnection);
    }
    reportClosed(reason);
}

void MemoryFrameChannel::reportClosed(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_receiver)
        m_receiver->channelDisconnected(reason);
    else
        Q_EMIT disconnected(reason);
}

bool MemoryFrameChannel::setReceiver(Receiver *receiver)
{
    m_receiver = receiver;
    return true;
}

QByteArray MemoryFrameChannel::requestHeader(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void MemoryFrameChannel::setRequestHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.append({name, value});
}

} // namespace parley::test
