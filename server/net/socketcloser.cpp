#include "socketcloser.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace parley::net {

namespace {

// Each closer lives on one thread, but the desktop app's host server runs on a thread of its own.
std::atomic<int> g_lingering {0};

QObject *ownerOnThisThread()
{
    QCoreApplication *app = QCoreApplication::instance();
    return app && app->thread() == QThread::currentThread() ? app : nullptr;
}

} // namespace

void SocketCloser::start(int fd, QByteArray unsent, std::chrono::milliseconds linger)
{
    if (fd < 0)
        return;
    new SocketCloser(fd, std::move(unsent), linger);
}

int SocketCloser::lingeringCount()
{
    return g_lingering;
}

// A child of the application, so that closers still waiting at exit are freed with it. A
// QObject cannot have a parent on another thread: there, the closer goes when its thread ends.
SocketCloser::SocketCloser(int fd, QByteArray unsent, std::chrono::milliseconds linger)
    : QObject(ownerOnThisThread())
    , m_fd(fd)
    , m_unsent(std::move(unsent))
    , m_readNotifier(new QSocketNotifier(fd, QSocketNotifier::Read, this))
{
    ++g_lingering;
    if (!parent()) {
        connect(
            QThread::currentThread(), &QThread::finished, this, &QObject::deleteLater, Qt::DirectConnection);
    }
    connect(m_readNotifier, &QSocketNotifier::activated, this, &SocketCloser::drain);
    QTimer::singleShot(linger, this, &SocketCloser::finish);
    flush();
}

SocketCloser::~SocketCloser()
{
    --g_lingering;
    delete m_readNotifier;
    delete m_writeNotifier;
    if (m_fd >= 0)
        ::close(m_fd);
}

void SocketCloser::flush()
{
    // An offset, not remove(0, sent): removing from the front moves the rest every time,
    // quadratic in the queue for a peer that takes a little at a time.
    while (m_sentOffset < m_unsent.size()) {
        const ssize_t sent = ::send(m_fd, m_unsent.constData() + m_sentOffset,
            size_t(m_unsent.size() - m_sentOffset), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            m_sentOffset += sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!m_writeNotifier) {
                m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
                connect(m_writeNotifier, &QSocketNotifier::activated, this, &SocketCloser::flush);
            }
            m_writeNotifier->setEnabled(true);
            return;
        }
        finish(); // the peer is gone: nothing more to say
        return;
    }
    m_unsent = QByteArray();
    m_sentOffset = 0;
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    ::shutdown(m_fd, SHUT_WR);
}

void SocketCloser::drain()
{
    char discard[4096];
    for (;;) {
        const ssize_t got = ::recv(m_fd, discard, sizeof discard, 0);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        finish(); // end of stream or an error: the peer has closed
        return;
    }
}

void SocketCloser::finish()
{
    m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    deleteLater();
}

} // namespace parley::net
