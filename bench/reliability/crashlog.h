#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace parley::reliability {

// One message a sender must get acknowledged, and what the ack said.
struct PlannedMessage
{
    QString userId;
    QString clientMsgId;
    QString channelId;
    QString content;
    QString messageId; // from the success ack; empty while unacknowledged
    qint64 seq = 0;
    bool isAcked() const { return !messageId.isEmpty(); }
};

// A message:new some client saw.
struct SeenMessage
{
    QString id;
    QString channelId;
    qint64 seq = 0;
    QString clientMsgId;
};

// What the clients of a crash run were told and saw: the input to the
// exactly-once check against the database the server left behind.
struct CrashLog
{
    QList<PlannedMessage> planned;
    QList<SeenMessage> seen;
    QStringList channelIds; // every channel the plan sends to
    QStringList ackMismatches; // success acks that contradicted their own request
};

// Every acked message stored once with its acked id, channel, seq and content;
// no second row for a (user, clientMsgId); no row nobody planned; every
// message:new seen has its row; seq 1..n without gaps in every channel;
// PRAGMA integrity_check ok. Returns what is wrong (the first few of each kind),
// empty when all holds.
QStringList checkExactlyOnce(const QString &databasePath, const CrashLog &log);

} // namespace parley::reliability
