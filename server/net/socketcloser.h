#pragma once

#include <QByteArray>
#include <QObject>

#include <chrono>

class QSocketNotifier;

namespace parley::net {

// Ends a TCP connection the polite way once nobody needs it any more: sends what is
// still queued (a close frame, typically), shuts the sending side, and reads and drops
// whatever the peer still sends until it closes too or the linger time runs out. Closing
// a socket with unread data would make the kernel reset the connection, and the peer
// could lose the last frame. Owns the descriptor and deletes itself.
class SocketCloser final : public QObject
{
    Q_OBJECT
public:
    static void start(int fd, QByteArray unsent, std::chrono::milliseconds linger = std::chrono::seconds(5));
    // Closers still waiting for their peer (tests use it to prove nothing lingers).
    static int lingeringCount();

    ~SocketCloser() override;

private:
    SocketCloser(int fd, QByteArray unsent, std::chrono::milliseconds linger);
    void flush();
    void drain();
    void finish();

    int m_fd;
    QByteArray m_unsent;
    qsizetype m_sentOffset = 0;
    QSocketNotifier *m_readNotifier;
    QSocketNotifier *m_writeNotifier = nullptr;
};

} // namespace parley::net
