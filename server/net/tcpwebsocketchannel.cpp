#include "tcpwebsocketchannel.h"

#include "netlogging.h"
#include "socketcloser.h"

#include <QEvent>
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

// A socket notifier that calls its channel, instead of the activated() signal: one
// signal connection per notifier costs ~250 bytes (the connection and the notifier's
// connection lists) on every idle connection.
class TcpWebSocketChannel::Notifier final : public QSocketNotifier
{
public:
    using Handler = void (TcpWebSocketChannel::*)();
    Notifier(int fd, Type type, TcpWebSocketChannel *channel, Handler handler)
        : QSocketNotifier(fd, type, channel)
        , m_channel(channel)
        , m_handler(handler)
    { }

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::SockAct && event->type() != QEvent::SockClose)
            return QSocketNotifier::event(event);
        (m_channel->*m_handler)(); // may delete this notifier
        return true;
    }

private:
    TcpWebSocketChannel *m_channel;
    Handler m_handler;
};

UpgradeRequest::UpgradeRequest(QByteArray head, QString peerAddress)
    : m_head(std::move(head))
    , m_peerAddress(std::move(peerAddress))
{
    m_head.squeeze();
}

QUrl UpgradeRequest::url() const
{
    // "GET <target> HTTP/1.1": the target is the second word of the first line.
    const qsizetype lineEnd = m_head.indexOf('\r');
    const QByteArrayView line = QByteArrayView(m_head).first(lineEnd < 0 ? m_head.size() : lineEnd);
    const qsizetype start = line.indexOf(' ') + 1;
    const qsizetype end = start > 0 ? line.indexOf(' ', start) : -1;
    const QByteArrayView target =
        start > 0 ? line.sliced(start, (end < 0 ? line.size() : end) - start) : line;
    const QUrl url(
        QStringLiteral("ws://%1%2").arg(QString::fromLatin1(header("host")), QString::fromLatin1(target)));
    return url.isValid() ? url : QUrl(QString::fromLatin1(target));
}

QByteArray UpgradeRequest::header(QByteArrayView name) const
{
    QByteArray value;
    bool found = false;
    qsizetype lineStart = m_head.indexOf("\r\n");
    while (lineStart >= 0) {
        lineStart += 2;
        const qsizetype lineEnd = m_head.indexOf("\r\n", lineStart);
        const QByteArrayView line =
            QByteArrayView(m_head).sliced(lineStart, (lineEnd < 0 ? m_head.size() : lineEnd) - lineStart);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0) {
            if (found)
                value += ',';
            value += line.sliced(colon + 1).trimmed();
            found = true;
        }
        lineStart = lineEnd;
    }
    return value;
}

// The channels of this thread with frames waiting for the end of the turn. One posted
// event per turn flushes them all; events posted during a turn are sent at the start of
// the next, after the ready sockets of this one were handled.
class TcpWebSocketChannel::TurnFlusher
{
public:
    static void schedule(TcpWebSocketChannel *channel)
    {
        TurnFlusher &self = instance();
        self.m_channels.push_back(channel);
        if (!self.m_posted) {
            self.m_posted = true;
            QMetaObject::invokeMethod(
                &self.m_context, [] { instance().flushAll(); }, Qt::QueuedConnection);
        }
    }
    static void cancel(TcpWebSocketChannel *channel)
    {
        for (TcpWebSocketChannel *&waiting : instance().m_channels) {
            if (waiting == channel)
                waiting = nullptr;
        }
    }

private:
    static TurnFlusher &instance()
    {
        thread_local TurnFlusher flusher;
        return flusher;
    }
    void flushAll()
    {
        m_posted = false;
        std::vector<TcpWebSocketChannel *> channels;
        channels.swap(m_channels);
        for (TcpWebSocketChannel *channel : channels) {
            if (channel)
                channel->flushPendingFrames();
        }
    }

    QObject m_context;
    std::vector<TcpWebSocketChannel *> m_channels;
    bool m_posted = false;
};

TcpWebSocketChannel::TcpWebSocketChannel(int fd, UpgradeRequest request, qint64 maxPayload,
    const QByteArray &greeting, const QByteArray &received, QObject *parent)
    : FrameChannel(parent)
    , m_fd(fd)
    , m_request(std::move(request))
    , m_maxPayload(maxPayload)
    , m_decoder(maxPayload)
    , m_readNotifier(new Notifier(fd, QSocketNotifier::Read, this, &TcpWebSocketChannel::onReadable))
{
    if (!greeting.isEmpty())
        send(greeting, {});
    // Bytes that came with the request head are decoded once the owner is connected: from
    // the event loop, or before anything newer if the socket turns readable first.
    if (!received.isEmpty()) {
        m_early = received;
        QMetaObject::invokeMethod(this, &TcpWebSocketChannel::consumeEarly, Qt::QueuedConnection);
    }
}

TcpWebSocketChannel::~TcpWebSocketChannel()
{
    if (m_liveCounter)
        --*m_liveCounter;
    // Deleted while still open: say goodbye as QWebSocket would (1001 going away).
    if (m_fd >= 0)
        release(ws::encodeFrame(ws::Opcode::Close, ws::closePayload(ws::CloseGoingAway, {})));
}

bool TcpWebSocketChannel::setReceiver(Receiver *receiver)
{
    m_receiver = receiver;
    return true;
}

void TcpWebSocketChannel::countIn(std::shared_ptr<qsizetype> counter)
{
    if (m_liveCounter)
        --*m_liveCounter;
    m_liveCounter = std::move(counter);
    if (m_liveCounter)
        ++*m_liveCounter;
}

void TcpWebSocketChannel::sendText(const QByteArray &utf8)
{
    send(ws::frameHeader(ws::Opcode::Text, utf8.size()), utf8);
}

void TcpWebSocketChannel::sendBinary(const QByteArray &bytes)
{
    send(ws::frameHeader(ws::Opcode::Binary, bytes.size()), bytes);
}

void TcpWebSocketChannel::sendShared(const transport::SharedTextMessage &message)
{
    send(message.webSocketFrame, {});
}

qint64 TcpWebSocketChannel::queuedBytes() const
{
    return m_queue.size() - m_queueOffset;
}

// Frames sent during one event-loop turn are collected (shared, not copied) and written
// with one sendmsg() per channel when the turn is over: a broadcast burst then costs each
// recipient one system call and one TCP segment instead of one per frame. Whatever the
// kernel does not take is copied into the queue and waits for the socket to be writable.
void TcpWebSocketChannel::send(const QByteArray &head, const QByteArray &body)
{
    if (m_fd < 0)
        return;
    if (m_queue.size() > m_queueOffset) { // already waiting for the kernel: keep the order
        const bool over = overQueueLimit();
        // Queued even when over the limit: the last frames (connection:closing, say) go
        // to the socket's closer, which the peer may still read them from.
        m_queue.append(head);
        m_queue.append(body);
        if (over) {
            qCInfo(lcNet) << "closing websocket to" << peerAddress() << "with" << queuedBytes()
                          << "bytes it does not read";
            failLater(QStringLiteral("send queue over its limit"));
        }
        return;
    }
    m_pending.append(head);
    if (!body.isEmpty())
        m_pending.append(body);
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        TurnFlusher::schedule(this);
    }
}

void TcpWebSocketChannel::flushPendingFrames()
{
    m_flushScheduled = false;
    if (m_fd < 0 || m_pending.isEmpty())
        return;
    constexpr qsizetype MaxParts = 64;
    qsizetype first = 0;
    while (first < m_pending.size()) {
        iovec parts[MaxParts];
        const qsizetype count = std::min(MaxParts, m_pending.size() - first);
        qint64 bytes = 0;
        for (qsizetype i = 0; i < count; ++i) {
            const QByteArray &part = m_pending.at(first + i);
            parts[i] = {const_cast<char *>(part.constData()), size_t(part.size())};
            bytes += part.size();
        }
        msghdr message {};
        message.msg_iov = parts;
        message.msg_iovlen = size_t(count);
        ssize_t sent;
        do {
            sent = ::sendmsg(m_fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0 && !wouldBlock(errno)) {
            m_pending.clear();
            failLater(QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        qint64 done = std::max<qint64>(sent, 0);
        if (done == bytes) {
            first += count;
            continue;
        }
        // The kernel is full: the rest, in order, goes to the queue.
        m_queue.clear();
        m_queueOffset = 0;
        for (qsizetype i = first; i < m_pending.size(); ++i) {
            const QByteArray &part = m_pending.at(i);
            if (done >= part.size()) {
                done -= part.size();
                continue;
            }
            m_queue.append(part.constData() + done, part.size() - done);
            done = 0;
        }
        break;
    }
    m_pending = {}; // not clear(): an idle connection keeps no spare capacity
    if (m_queue.size() > m_queueOffset) {
        if (!m_writeNotifier) {
            m_writeNotifier =
                new Notifier(m_fd, QSocketNotifier::Write, this, &TcpWebSocketChannel::flushQueue);
        }
        m_writeNotifier->setEnabled(true);
    }
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

bool TcpWebSocketChannel::consumeEarly()
{
    if (m_early.isEmpty())
        return true;
    return consume(std::exchange(m_early, QByteArray()));
}

void TcpWebSocketChannel::onReadable()
{
    if (!consumeEarly())
        return;
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
        if (m_receiver)
            m_receiver->receivedText(incoming.payload);
        else
            Q_EMIT textReceived(incoming.payload);
        return true;
    case Kind::Binary:
        if (m_receiver)
            m_receiver->receivedBinary(incoming.payload);
        else
            Q_EMIT binaryReceived(incoming.payload);
        return true;
    case Kind::Ping:
        // A peer that pings without reading would otherwise grow the queue with pongs.
        if (!overQueueLimit())
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
    if (m_flushScheduled) {
        TurnFlusher::cancel(this);
        m_flushScheduled = false;
    }
    QByteArray unsent = m_queue.mid(m_queueOffset);
    for (const QByteArray &part : std::as_const(m_pending))
        unsent += part;
    m_pending.clear();
    unsent += finalFrame;
    m_queue = QByteArray();
    m_queueOffset = 0;
    m_incomplete = QByteArray();
    m_early = QByteArray();
    SocketCloser::start(std::exchange(m_fd, -1), std::move(unsent));
}

void TcpWebSocketChannel::reportDisconnected(const QString &reason)
{
    if (m_disconnectedReported)
        return;
    m_disconnectedReported = true;
    qCDebug(lcNet) << "websocket to" << peerAddress() << "gone:" << reason;
    if (m_receiver)
        m_receiver->channelDisconnected(reason);
    else
        Q_EMIT disconnected(reason);
}

} // namespace parley::net
