#include "session/clientcache.h"

#include <QTemporaryDir>
#include <QTest>

using namespace parley::client;
using parley::protocol::Channel;
using parley::protocol::ErrorCode;
using parley::protocol::Message;

namespace {

Channel channel(const QString &id, qint64 lastSeq)
{
    Channel c;
    c.id = id;
    c.name = QStringLiteral("c") + id;
    c.lastSeq = lastSeq;
    return c;
}

Message message(const QString &channelId, qint64 seq)
{
    Message m;
    m.id = QStringLiteral("m%1-%2").arg(channelId).arg(seq);
    m.channelId = channelId;
    m.seq = seq;
    m.userId = QStringLiteral("1");
    m.author = {QStringLiteral("1"), QStringLiteral("alice"), QStringLiteral("Alice")};
    m.content = QStringLiteral("message %1").arg(seq);
    m.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000000 + seq, Qt::UTC);
    return m;
}

} // namespace

class TestClientCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void outboxSurvivesReopeningInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("deep/folder/a.sqlite"));
        QStringList ids;
        {
            auto cache = ClientCache::open(path);
            QVERIFY2(cache, qPrintable(cache ? QString() : cache.error().message));
            for (int i = 0; i < 5; ++i) {
                auto entry = (*cache)->addToOutbox(QStringLiteral("7"), QStringLiteral("typed %1").arg(i));
                QVERIFY(entry);
                QVERIFY(!entry->clientMsgId.isEmpty() && entry->clientMsgId.size() <= 64);
                ids.append(entry->clientMsgId);
            }
            QVERIFY((*cache)->setOutboxState(ids[1], MessageState::Failed,
                SessionError {ErrorCode::Forbidden, QStringLiteral("no"), false}));
            QVERIFY((*cache)->removeFromOutbox(ids[3]));
        }
        auto reopened = ClientCache::open(path);
        QVERIFY(reopened);
        auto entries = (*reopened)->outbox();
        QVERIFY(entries);
        QCOMPARE(entries->size(), 4);
        QCOMPARE((*entries)[0].clientMsgId, ids[0]);
        QCOMPARE((*entries)[1].clientMsgId, ids[1]);
        QCOMPARE((*entries)[1].state, MessageState::Failed);
        QVERIFY((*entries)[1].error.has_value());
        QCOMPARE((*entries)[1].error->code, ErrorCode::Forbidden);
        QCOMPARE((*entries)[2].clientMsgId, ids[2]);
        QCOMPARE((*entries)[2].content, QStringLiteral("typed 2"));
        QCOMPARE((*entries)[3].clientMsgId, ids[4]);
        QCOMPARE((*entries)[3].state, MessageState::Pending);
    }

    void messagesStoredOnceAndPagedOldestFirst()
    {
        auto cache = ClientCache::open(QStringLiteral(":memory:"));
        QVERIFY(cache);
        QVERIFY((*cache)->upsertChannel(channel(QStringLiteral("1"), 10)));
        QList<Message> batch;
        for (int seq = 1; seq <= 10; ++seq)
            batch.append(message(QStringLiteral("1"), seq));
        QVERIFY((*cache)->storeMessages(batch));
        QVERIFY((*cache)->storeMessages({message(QStringLiteral("1"), 5)})); // again: no change
        auto after = (*cache)->messagesAfter(QStringLiteral("1"), 7);
        QVERIFY(after);
        QCOMPARE(after->size(), 3);
        QCOMPARE(after->first().seq, 8);
        QCOMPARE(after->first(), message(QStringLiteral("1"), 8));
        auto before = (*cache)->messagesBefore(QStringLiteral("1"), 6, 3);
        QVERIFY(before);
        QCOMPARE(before->size(), 3);
        QCOMPARE(before->at(0).seq, 3);
        QCOMPARE(before->at(2).seq, 5);
    }

    void channelSyncStateAndUnread()
    {
        auto cache = ClientCache::open(QStringLiteral(":memory:"));
        QVERIFY(cache);
        QVERIFY(
            (*cache)->replaceChannels({channel(QStringLiteral("1"), 4), channel(QStringLiteral("2"), 0)}));
        auto one = (*cache)->channel(QStringLiteral("1"));
        QVERIFY(one && *one);
        QVERIFY(!(*one)->syncedSeq.has_value());
        QCOMPARE((*one)->unreadCount(), 4);
        QVERIFY((*cache)->setSyncedSeq(QStringLiteral("1"), 4));
        QVERIFY((*cache)->setLastReadSeq(QStringLiteral("1"), 3));
        QVERIFY((*cache)->setLastReadSeq(QStringLiteral("1"), 1)); // never goes back
        QVERIFY((*cache)->noteServerSeq(QStringLiteral("1"), 9));
        QVERIFY((*cache)->noteServerSeq(QStringLiteral("1"), 2)); // never goes back
        // A stale channel object from the server keeps the higher seq we know.
        QVERIFY((*cache)->replaceChannels({channel(QStringLiteral("1"), 6)}));
        one = (*cache)->channel(QStringLiteral("1"));
        QVERIFY(one && *one);
        QCOMPARE((*one)->syncedSeq, std::optional<qint64>(4));
        QCOMPARE((*one)->lastReadSeq, 3);
        QCOMPARE((*one)->channel.lastSeq, 9);
        QCOMPARE((*one)->unreadCount(), 6);
        auto all = (*cache)->channels();
        QVERIFY(all);
        QCOMPARE(all->size(), 1); // channel 2 left with the membership
    }
};

QTEST_GUILESS_MAIN(TestClientCache)
#include "tst_clientcache.moc"
