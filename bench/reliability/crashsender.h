#pragma once

#include "crashlog.h"

#include <QObject>
#include <QUrl>

namespace parley::transport {
class SocketIoConnection;
struct AckReply;
} // namespace parley::transport

namespace parley::reliability {

// One user sending its planned messages one at a time, each retried with the
// same clientMsgId (on the next connection if the server went away) until a
// success ack names it. Sends as soon as connection:ready arrives and again as
// soon as each ack does; records every message:new it sees.
class CrashSender : public QObject
{
    Q_OBJECT
public:
    CrashSender(QString token, QList<PlannedMessage> plan, QObject *parent = nullptr);
    ~CrashSender() override;

    // A new connection (the old one, if any, is dropped first).
    void connectTo(const QUrl &url);
    // Closes the connection: a send still waiting for its ack fails and goes again later.
    void disconnectFromServer();

    bool isReady() const { return m_ready; }
    bool isDone() const { return m_next >= m_plan.size(); }
    qsizetype ackedCount() const { return m_next; }
    qsizetype retries() const { return m_retries; } // failed sends, each sent again
    qsizetype errorAcks() const { return m_errorAcks; } // of those, refused by the server
    const QList<PlannedMessage> &plan() const { return m_plan; }
    const QList<SeenMessage> &seen() const { return m_seen; }
    const QStringList &ackMismatches() const { return m_ackMismatches; }

Q_SIGNALS:
    void becameReady(); // connection:ready arrived on the current connection

private:
    void sendNext();
    void onAck(qsizetype index, quint64 generation, const transport::AckReply &reply);

    QString m_token;
    QList<PlannedMessage> m_plan;
    qsizetype m_next = 0; // the first not yet acknowledged
    bool m_inFlight = false;
    bool m_ready = false;
    quint64 m_generation = 0; // which connection a callback belongs to
    transport::SocketIoConnection *m_connection = nullptr;
    QList<SeenMessage> m_seen;
    QStringList m_ackMismatches;
    qsizetype m_retries = 0;
    qsizetype m_errorAcks = 0;
};

} // namespace parley::reliability
