#include "messagewriter.h"

#include "faultpoints.h"
#include "serverlogging.h"
#include "store/messagerepository.h"

#include <utility>

namespace parley::server {

MessageWriter::MessageWriter(store::MessageRepository &messages, std::chrono::milliseconds window)
    : m_messages(messages)
{
    m_window.setSingleShot(true);
    m_window.setTimerType(Qt::PreciseTimer);
    m_window.setInterval(std::max(window, std::chrono::milliseconds(0)));
    QObject::connect(&m_window, &QTimer::timeout, &m_window, [this] { flush(); });
}

MessageWriter::~MessageWriter()
{
    // The owner flushes at shutdown; anything still here would lose its answer.
    if (!m_queue.isEmpty())
        qCWarning(lcServer) << "message writer destroyed with" << m_queue.size() << "sends uncommitted";
}

qsizetype MessageWriter::indexOfWaiting(const QString &userId, const QString &clientMsgId) const
{
    if (clientMsgId.isEmpty())
        return -1;
    for (qsizetype i = 0; i < m_queue.size(); ++i) {
        const store::NewMessage &waiting = m_queue.at(i).message;
        if (waiting.userId == userId && waiting.clientMsgId == clientMsgId)
            return i;
    }
    return -1;
}

bool MessageWriter::isWaiting(const QString &userId, const QString &clientMsgId) const
{
    return indexOfWaiting(userId, clientMsgId) >= 0;
}

void MessageWriter::enqueue(const store::NewMessage &message, Committed committed)
{
    if (const qsizetype first = indexOfWaiting(message.userId, message.clientMsgId); first >= 0) {
        m_queue[first].waiters.append(std::move(committed));
        return;
    }
    m_queue.append(Item {message, {std::move(committed)}});
    if (!m_window.isActive())
        m_window.start();
}

void MessageWriter::flush()
{
    m_window.stop();
    if (m_queue.isEmpty())
        return;
    // Taken out first: an answer may lead to new sends being queued meanwhile.
    const QList<Item> batch = std::exchange(m_queue, {});
    QList<store::NewMessage> messages;
    messages.reserve(batch.size());
    for (const Item &item : batch)
        messages.append(item.message);

    PARLEY_FAULT_POINT("before-commit");
    const auto results = m_messages.appendMessages(messages);
    PARLEY_FAULT_POINT("after-commit-before-ack");
    if (!results) {
        qCWarning(lcServer).noquote()
            << "commit of" << batch.size() << "messages failed:" << results.error().message;
    } else if (results->size() != batch.size()) {
        qCCritical(lcServer) << "commit returned" << results->size() << "results for" << batch.size()
                             << "messages";
    }
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const Outcome outcome = !results ? Outcome(results.error())
            : i < results->size()
            ? results->at(i)
            : Outcome(store::StoreError {store::StoreError::Kind::Internal, QStringLiteral("no result")});
        const QList<Committed> &waiters = batch.at(i).waiters;
        for (qsizetype w = 0; w < waiters.size(); ++w) {
            if (w > 0 && outcome) {
                // A repeat within the batch: the first send's message, nothing new written.
                waiters.at(w)(store::AppendedMessage {outcome->message, true});
            } else {
                waiters.at(w)(outcome);
            }
        }
    }
}

} // namespace parley::server
