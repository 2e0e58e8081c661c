#include "tcpwebsocketchannel.h"

#include "netlogging.h"
#include "socketcloser.h"

#include <QPointer>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace parley::net {

namespace {

// Reads go through one buffer per thread; a channel copies only an incomplete frame.
constexpr qsizetype ReadChunk = 64 * 1024;

char *readBuffer()
{
    thread_local std::unique_ptr<char[]> buffer(new char[ReadChunk]);
    return buffer.get();
}

bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}

} // namespace

TcpWebSocketChannel::TcpWebSocketChannel(int fd, UpgradeRequest request, qint64 maxPayload,
    const QByteArray &greeting, const QByteArray &received, QObject *parent)
    : FrameChannel(parent)
    , m_fd(fd)
    , m_request(std::move(request))
    , m_maxPayload(maxPayload)
    , m_decoder(maxPayload)
    , m_readNotifier(new QSocketNotifier(fd, QSocketNotifier::Read, this))
{
    connect(m_readNotifier, &QSocketNotifier::activated, this, &TcpWebSocketChannel::onReadable);
    if (!greeting.isEmpty())
        send(greeting, {});
    // Bytes that came with the request head are read once the owner is connected.
    if (!received.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, received] { consume(received); }, Qt::QueuedConnection);
    }
}

TcpWebSocketChannel::~TcpWebSocketChannel()
{
    // Deleted while still open: say goodbye as QWebSocket would (1001 going away).
    if (m_fd >= 0)
        release(ws::encodeFrame(ws::Opcode::Close, ws::closePayload(ws::CloseGoingAway, {})));
}

void TcpWebSocketChannel::sendText(const QByteArray &utf8)
{
    send(ws::frameHeader(ws::Opcode::Text, utf8.size()), utf8);
}

void TcpWebSocketChannel::sendBinary(const QByteArray &bytes)
{
    send(ws::frameHeader(ws::Opcode::Binary, bytes.size()), bytes);
}

void TcpWebSocketChannel::sendEncodedFrame(const QByteArray &frame)
{
    send(frame, {});
}

qint64 TcpWebSocketChannel::queuedBytes() const
{
    return m_queue.size() - m_queueOffset;
}

QByteArray TcpWebSocketChannel::requestHeader(const QByteArray &name) const
{
    return m_request.headers.value(name.toLower());
}

// One sendmsg() for header and payload while nothing is queued (the common case: no
// copy at all); whatever the kernel does not take waits, in order, for the socket to
// become writable.
void TcpWebSocketChannel::send(const QByteArray &head, const QByteArray &body)
{
    if (m_fd < 0)
        return;
    qsizetype skip = 0;
    if (queuedBytes() == 0) {
        iovec parts[2] = {{const_cast<char *>(head.constData()), size_t(head.size())},
            {const_cast<char *>(body.constData()), size_t(body.size())}};
        msghdr message {};
        message.msg_iov = parts;
        message.msg_iovlen = body.isEmpty() ? 1 : 2;
        ssize_t sent;
        do {
            sent = ::sendmsg(m_fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0 && !wouldBlock(errno)) {
            failLater(QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        skip = std::max<qsizetype>(sent, 0);
        if (skip == head.size() + body.size())
            return;
        m_queue.clear();
        m_queueOffset = 0;
    }
    if (skip < head.size()) {
        m_queue.append(head.constData() + skip, head.size() - skip);
        m_queue.append(body);
    } else {
        m_queue.append(body.constData() + (skip - head.size()), body.size() - (skip - head.size()));
    }
    if (!m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this, &TcpWebSocketChannel::flushQueue);
    }
    m_writeNotifier->setEnabled(true);
}

void TcpWebSocketChannel::flushQueue()
{
    while (queuedBytes() > 0) {
        const ssize_t sent = ::send(
            m_fd, m_queue.constData() + m_queueOffset, size_t(queuedBytes()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            m_queueOffset += sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && wouldBlock(errno))
            return;
        m_writeNotifier->setEnabled(false);
        failLater(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    // Drained: give the memory back, idle connections should hold none.
    m_queue = QByteArray();
    m_queueOffset = 0;
    m_writeNotifier->setEnabled(false);
}

void TcpWebSocketChannel::onReadable()
{
    char *buffer = readBuffer();
    // A few chunks per turn at most, so one fast sender cannot starve the others.
    for (int round = 0; round < 4 && m_fd >= 0; ++round) {
        const ssize_t got = ::recv(m_fd, buffer, size_t(ReadChunk), MSG_DONTWAIT);
        if (got > 0) {
            if (!consume(QByteArrayView(buffer, got)))
                return;
            if (got < ReadChunk)
                return;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && wouldBlock(errno))
            return;
        const QString reason = got == 0 ? QStringLiteral("connection closed by peer")
                                        : QString::fromLocal8Bit(std::strerror(errno));
        release({});
        reportDisconnected(reason);
        return;
    }
}

bool TcpWebSocketChannel::consume(QByteArrayView bytes)
{
    if (m_fd < 0)
        return false;
    std::vector<ws::Incoming> incoming;
    if (m_incomplete.isEmpty()) {
        const qsizetype used = m_decoder.decode(bytes, incoming);
        if (used < bytes.size() && !m_decoder.isFinished())
            m_incomplete = bytes.sliced(used).toByteArray();
    } else {
        m_incomplete.append(bytes);
        const qsizetype used = m_decoder.decode(m_incomplete, incoming);
        m_incomplete.remove(0, used);
        if (m_incomplete.isEmpty() || m_decoder.isFinished())
            m_incomplete = QByteArray();
    }
    QPointer<TcpWebSocketChannel> self(this);
    for (ws::Incoming &message : incoming) {
        if (!handle(message) || !self || m_fd < 0)
            return false;
    }
    return true;
}

bool TcpWebSocketChannel::handle(ws::Incoming &incoming)
{
    using Kind = ws::Incoming::Kind;
    switch (incoming.kind) {
    case Kind::Text:
        Q_EMIT textReceived(incoming.payload);
        return true;
    case Kind::Binary:
        Q_EMIT binaryReceived(incoming.payload);
        return true;
    case Kind::Ping:
        send(ws::frameHeader(ws::Opcode::Pong, incoming.payload.size()), incoming.payload);
        return true;
    case Kind::Pong:
        return true;
    case Kind::Close: {
        // Echo the peer's code (RFC 6455 section 5.5.1); a close without one gets none.
        const QByteArray answer =
            incoming.closeCode == ws::CloseNoStatus ? QByteArray() : ws::closePayload(incoming.closeCode, {});
        const QString reason = incoming.payload.isEmpty()
            ? QStringLiteral("closed by peer (%1)").arg(incoming.closeCode)
            : QString::fromUtf8(incoming.payload);
        release(ws::encodeFrame(ws::Opcode::Close, answer));
        reportDisconnected(reason);
        return false;
    }
    case Kind::Failure:
        qCDebug(lcNet) << "closing websocket from" << peerAddress() << "with" << incoming.closeCode << ':'
                       << incoming.payload;
        closeWith(incoming.closeCode, incoming.payload, QString::fromUtf8(incoming.payload));
        return false;
    }
    return false;
}

void TcpWebSocketChannel::close(const QString &reason)
{
    if (m_disconnectedReported)
        return;
    closeWith(ws::CloseNormal, reason.toUtf8(), reason);
}

void TcpWebSocketChannel::closeWith(quint16 code, const QByteArray &reason, const QString &reportedReason)
{
    if (m_fd >= 0)
        release(ws::encodeFrame(ws::Opcode::Close, ws::closePayload(code, reason)));
    reportDisconnected(reportedReason);
}

// A send failed deep inside the owner's call: report it once control is back in the loop.
void TcpWebSocketChannel::failLater(const QString &reason)
{
    release({});
    QMetaObject::invokeMethod(
        this, [this, reason] { reportDisconnected(reason); }, Qt::QueuedConnection);
}

// Hands the descriptor and the unsent bytes (plus a last frame) to a SocketCloser.
void TcpWebSocketChannel::release(const QByteArray &finalFrame)
{
    if (m_fd < 0)
        return;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    QByteArray unsent = m_queue.mid(m_queueOffset);
    unsent += finalFrame;
    m_queue = QByteArray();
    m_queueOffset = 0;
    m_incomplete = QByteArray();
    SocketCloser::start(std::exchange(m_fd, -1), std::move(unsent));
}

void TcpWebSocketChannel::reportDisconnected(const QString &reason)
{
    if (m_disconnectedReported)
        return;
    m_disconnectedReported = true;
    qCDebug(lcNet) << "websocket to" << peerAddress() << "gone:" << reason;
    Q_EMIT disconnected(reason);
}

} // namespace parley::net
