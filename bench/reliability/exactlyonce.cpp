#include "crashlog.h"
#include "databaseview.h"

#include <QHash>
#include <QSqlQuery>

namespace parley::reliability {

namespace {

struct Row
{
    QString channelId;
    qint64 seq = 0;
    QString userId;
    QString clientMsgId;
    QString content;
};

// Collects failures, at most a few of each kind so a broken run stays readable.
class Findings
{
public:
    void add(const QString &kind, const QString &text)
    {
        const int count = ++m_counts[kind];
        if (count <= MaxPerKind)
            m_lines.append(text);
        else if (count == MaxPerKind + 1)
            m_lines.append(QStringLiteral("... more of: %1").arg(kind));
    }
    QStringList lines() const { return m_lines; }

private:
    static constexpr int MaxPerKind = 5;
    QStringList m_lines;
    QHash<QString, int> m_counts;
};

QString keyOf(const QString &userId, const QString &clientMsgId)
{
    return userId + QLatin1Char('/') + clientMsgId;
}

} // namespace

QStringList checkExactlyOnce(const QString &databasePath, const CrashLog &log)
{
    Findings findings;
    for (const QString &mismatch : log.ackMismatches)
        findings.add(QStringLiteral("ack mismatch"), mismatch);

    const DatabaseView db(databasePath);
    if (!db.isOpen())
        return {QStringLiteral("cannot open %1").arg(databasePath)};
    const QString integrity = db.integrityCheck();
    if (integrity != QLatin1String("ok"))
        findings.add(QStringLiteral("integrity"), QStringLiteral("integrity_check: ") + integrity);

    QHash<QString, Row> rows; // by message id
    QHash<QString, QString> idByKey; // "user/clientMsgId" -> message id
    {
        QSqlQuery all = db.query(
            QStringLiteral("SELECT id, channel_id, seq, user_id, client_msg_id, content FROM messages"));
        while (all.next()) {
            const QString id = all.value(0).toString();
            const Row row {all.value(1).toString(), all.value(2).toLongLong(), all.value(3).toString(),
                all.value(4).toString(), all.value(5).toString()};
            rows.insert(id, row);
            const QString key = keyOf(row.userId, row.clientMsgId);
            if (idByKey.contains(key))
                findings.add(QStringLiteral("duplicate"),
                    QStringLiteral("duplicate: %1 stored as %2 and %3").arg(key, idByKey.value(key), id));
            idByKey.insert(key, id);
        }
    }

    QHash<QString, const PlannedMessage *> plannedByKey;
    for (const PlannedMessage &planned : log.planned)
        plannedByKey.insert(keyOf(planned.userId, planned.clientMsgId), &planned);
    for (auto it = idByKey.cbegin(); it != idByKey.cend(); ++it) {
        if (!plannedByKey.contains(it.key()))
            findings.add(QStringLiteral("unplanned"),
                QStringLiteral("row %1 (%2) was never sent").arg(it.value(), it.key()));
    }

    for (const PlannedMessage &planned : log.planned) {
        if (!planned.isAcked())
            continue;
        const QString key = keyOf(planned.userId, planned.clientMsgId);
        const QString storedId = idByKey.value(key);
        if (storedId != planned.messageId) {
            findings.add(QStringLiteral("lost"),
                QStringLiteral("%1 acked as %2, stored as \"%3\"").arg(key, planned.messageId, storedId));
            continue;
        }
        const Row row = rows.value(storedId);
        if (row.seq != planned.seq || row.channelId != planned.channelId || row.content != planned.content)
            findings.add(QStringLiteral("changed"),
                QStringLiteral("%1 acked in channel %2 with seq %3, stored in %4 with seq %5%6")
                    .arg(key, planned.channelId)
                    .arg(planned.seq)
                    .arg(row.channelId)
                    .arg(row.seq)
                    .arg(row.content == planned.content ? QString() : QStringLiteral(", other content")));
    }

    for (const SeenMessage &seen : log.seen) {
        const auto row = rows.constFind(seen.id);
        if (row == rows.cend())
            findings.add(QStringLiteral("phantom"),
                QStringLiteral("message:new %1 (seq %2) has no row").arg(seen.id).arg(seen.seq));
        else if (row->seq != seen.seq || row->channelId != seen.channelId ||
            row->clientMsgId != seen.clientMsgId)
            findings.add(QStringLiteral("phantom"),
                QStringLiteral("message:new %1 said channel %2 seq %3, its row channel %4 seq %5")
                    .arg(seen.id, seen.channelId)
                    .arg(seen.seq)
                    .arg(row->channelId)
                    .arg(row->seq));
    }

    for (const QString &channelId : log.channelIds) {
        QSqlQuery seqs = db.query(QStringLiteral("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) "
                                                 "FROM messages WHERE channel_id = %1")
                                      .arg(channelId.toLongLong()));
        if (!seqs.next())
            continue;
        const qint64 count = seqs.value(0).toLongLong();
        if (count == 0)
            continue;
        if (seqs.value(1).toLongLong() != count || seqs.value(2).toLongLong() != 1 ||
            seqs.value(3).toLongLong() != count)
            findings.add(QStringLiteral("seq"),
                QStringLiteral("channel %1: %2 rows, %3 distinct seq, from %4 to %5 (want 1..%2)")
                    .arg(channelId)
                    .arg(count)
                    .arg(seqs.value(1).toLongLong())
                    .arg(seqs.value(2).toLongLong())
                    .arg(seqs.value(3).toLongLong()));
    }
    return findings.lines();
}

} // namespace parley::reliability
