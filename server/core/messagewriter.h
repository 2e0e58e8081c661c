#pragma once

#include "store/records.h"
#include "store/storeerror.h"

#include <QList>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>

namespace parley::store {
class MessageRepository;
}

namespace parley::server {

// Group commit for message:send. Sends that arrive within the commit window go
// into one transaction (one fsync for many messages); only once that COMMIT has
// returned is each caller told its outcome, in the order the sends arrived, so
// nothing is acked or broadcast that a crash could take back.
//
// A send repeating a (user, clientMsgId) that is still waiting joins the first
// one instead of becoming a second item: it is told the same outcome, marked as
// a duplicate, and never writes a row of its own.
class MessageWriter
{
public:
    using Outcome = store::StoreResult<store::AppendedMessage>;
    using Committed = std::function<void(const Outcome &)>;

    MessageWriter(store::MessageRepository &messages, std::chrono::milliseconds window);
    ~MessageWriter();
    Q_DISABLE_COPY_MOVE(MessageWriter)

    void enqueue(const store::NewMessage &message, Committed committed);
    // True while a send with this (user, clientMsgId) waits for its commit.
    bool isWaiting(const QString &userId, const QString &clientMsgId) const;
    qsizetype waitingCount() const { return m_queue.size(); }

    // Commits what is waiting now and reports each outcome (the window's end,
    // and shutdown).
    void flush();

private:
    struct Item
    {
        store::NewMessage message;
        QList<Committed> waiters; // the first send, then any repeats of it
    };
    qsizetype indexOfWaiting(const QString &userId, const QString &clientMsgId) const; // -1: none

    store::MessageRepository &m_messages;
    QList<Item> m_queue;
    QTimer m_window;
};

} // namespace parley::server
