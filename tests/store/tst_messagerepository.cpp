#include "storefixture.h"

#include <QTest>

using namespace parley::store;
using parley::protocol::Message;
using parley::store::test::StoreFixture;

using SeqList = QList<qint64>;
using OptionalSeq = std::optional<qint64>;

namespace {
SeqList seqsOf(const QList<Message> &messages)
{
    SeqList seqs;
    for (const Message &message : messages)
        seqs << message.seq;
    return seqs;
}
} // namespace

class TestMessageRepository : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        QFETCH_GLOBAL(bool, onFile);
        test::failOnUnexpectedWarnings();
        QVERIFY(m_fixture.open(onFile));
        m_alice = m_fixture.createUser(QStringLiteral("alice"));
        m_bob = m_fixture.createUser(QStringLiteral("bob"));
        m_general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        m_random = m_fixture.createChannel(QStringLiteral("random"), m_alice);
        QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty() && !m_general.isEmpty() && !m_random.isEmpty());
    }
    void cleanup() { m_fixture.reset(); }

    void appendedMessageIsComplete()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        const auto appended = messages().appendMessage(
            m_general, m_alice, QStringLiteral("  hello\n wörld ✓ "), QStringLiteral("c1"));
        PARLEY_VERIFY_OK(appended);
        QVERIFY(!appended->duplicate);
        const Message &message = appended->message;
        QVERIFY(!message.id.isEmpty());
        QCOMPARE(message.channelId, m_general);
        QCOMPARE(message.seq, 1);
        QCOMPARE(message.userId, m_alice);
        QCOMPARE(message.author,
            (parley::protocol::User {m_alice, QStringLiteral("alice"), QStringLiteral("alice Display")}));
        QCOMPARE(message.content, QStringLiteral("  hello\n wörld ✓ ")); // stored unchanged
        QCOMPARE(message.clientMsgId, QStringLiteral("c1"));
        QCOMPARE(message.createdAt.timeSpec(), Qt::UTC);
        QVERIFY(message.createdAt >= before && message.createdAt <= QDateTime::currentDateTimeUtc());

        // What history reads back is exactly what the append returned (ms precision survives).
        const auto history = messages().history(m_general, {}, {}, 10);
        PARLEY_VERIFY_OK(history);
        QCOMPARE(history->messages.size(), 1);
        QCOMPARE(history->messages.first(), message);
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT created_at FROM messages WHERE id = ?"), {message.id}),
            message.createdAt.toMSecsSinceEpoch());
    }

    void seqIsGaplessPerChannel()
    {
        // Interleaved channels each count 1, 2, 3, ... on their own.
        const QStringList order {m_general, m_random, m_general, m_general, m_random, m_general};
        SeqList generalSeqs;
        SeqList randomSeqs;
        for (const QString &channel : order) {
            const auto appended = messages().appendMessage(channel, m_alice, QStringLiteral("x"));
            PARLEY_VERIFY_OK(appended);
            (channel == m_general ? generalSeqs : randomSeqs) << appended->message.seq;
        }
        QCOMPARE(generalSeqs, (SeqList {1, 2, 3, 4}));
        QCOMPARE(randomSeqs, (SeqList {1, 2}));
        QCOMPARE(storedSeqs(m_general), (SeqList {1, 2, 3, 4}));
        QCOMPARE(storedSeqs(m_random), (SeqList {1, 2}));
        QCOMPARE(lastSeq(m_general), 4);
        QCOMPARE(lastSeq(m_random), 2);
        const auto channel = m_fixture.store().channels().channelById(m_general);
        PARLEY_VERIFY_OK(channel);
        QCOMPARE(channel->lastSeq, 4);
    }

    void failedAppendLeavesNoGap()
    {
        PARLEY_VERIFY_OK(messages().appendMessage(m_general, m_alice, QStringLiteral("one")));
        PARLEY_VERIFY_ERROR(
            messages().appendMessage(m_general, QStringLiteral("999"), QStringLiteral("ghost")),
            StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(
            messages().appendMessage(QStringLiteral("999"), m_alice, QStringLiteral("nowhere")),
            StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(messages().appendMessage(QStringLiteral("x"), m_alice, QStringLiteral("bad id")),
            StoreError::Kind::NotFound);
        const auto next = messages().appendMessage(m_general, m_alice, QStringLiteral("two"));
        PARLEY_VERIFY_OK(next);
        QCOMPARE(next->message.seq, 2);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 2);
    }

    void seqContinuesAfterReopen()
    {
        PARLEY_FILE_ROW_ONLY();
        for (int i = 0; i < 3; ++i)
            PARLEY_VERIFY_OK(messages().appendMessage(m_general, m_alice, QStringLiteral("before")));
        QVERIFY(m_fixture.reopen());
        QCOMPARE(lastSeq(m_general), 3);
        const auto appended = messages().appendMessage(m_general, m_alice, QStringLiteral("after"));
        PARLEY_VERIFY_OK(appended);
        QCOMPARE(appended->message.seq, 4);
        // A clientMsgId used before the restart is still known after it.
        PARLEY_VERIFY_OK(
            messages().appendMessage(m_general, m_alice, QStringLiteral("x"), QStringLiteral("k")));
        QVERIFY(m_fixture.reopen());
        const auto again =
            messages().appendMessage(m_general, m_alice, QStringLiteral("x"), QStringLiteral("k"));
        PARLEY_VERIFY_OK(again);
        QVERIFY(again->duplicate);
        QCOMPARE(again->message.seq, 5);
        QCOMPARE(storedSeqs(m_general), (SeqList {1, 2, 3, 4, 5}));
    }

    void twoConnectionsShareOneSequence()
    {
        PARLEY_FILE_ROW_ONLY();
        ChatStore second;
        PARLEY_VERIFY_OK(second.open(m_fixture.path()));
        SeqList seqs;
        for (int i = 0; i < 6; ++i) {
            ChatStore &writer = i % 2 ? second : m_fixture.store();
            const auto appended = writer.messages().appendMessage(m_general, m_bob, QStringLiteral("m"));
            PARLEY_VERIFY_OK(appended);
            seqs << appended->message.seq;
        }
        QCOMPARE(seqs, (SeqList {1, 2, 3, 4, 5, 6}));
        QCOMPARE(storedSeqs(m_general), seqs);
    }

    void repeatedClientMsgIdWritesNothing()
    {
        const auto first =
            messages().appendMessage(m_general, m_alice, QStringLiteral("first"), QStringLiteral("c1"));
        PARLEY_VERIFY_OK(first);
        PARLEY_VERIFY_OK(messages().appendMessage(m_general, m_bob, QStringLiteral("between")));

        // Same sender, same id: the first message comes back, whatever the new content.
        const auto again =
            messages().appendMessage(m_general, m_alice, QStringLiteral("second"), QStringLiteral("c1"));
        PARLEY_VERIFY_OK(again);
        QVERIFY(again->duplicate);
        QCOMPARE(again->message, first->message);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 2);
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE content = 'second'")), 0);
        QCOMPARE(lastSeq(m_general), 2);

        // The repeat is recognised before the channel is looked at (the contract's order).
        const auto elsewhere = messages().appendMessage(
            QStringLiteral("999"), m_alice, QStringLiteral("x"), QStringLiteral("c1"));
        PARLEY_VERIFY_OK(elsewhere);
        QVERIFY(elsewhere->duplicate);
        QCOMPARE(elsewhere->message.id, first->message.id);
    }

    void clientMsgIdIsPerSender()
    {
        const auto fromAlice =
            messages().appendMessage(m_general, m_alice, QStringLiteral("a"), QStringLiteral("same"));
        const auto fromBob =
            messages().appendMessage(m_general, m_bob, QStringLiteral("b"), QStringLiteral("same"));
        PARLEY_VERIFY_OK(fromAlice);
        PARLEY_VERIFY_OK(fromBob);
        QVERIFY(!fromAlice->duplicate);
        QVERIFY(!fromBob->duplicate);
        QVERIFY(fromAlice->message.id != fromBob->message.id);
        QCOMPARE(fromBob->message.seq, 2);
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_msg_id = 'same'")),
            2);
    }

    void noClientMsgIdNeverDeduplicates()
    {
        for (int i = 0; i < 2; ++i) {
            const auto appended = messages().appendMessage(m_general, m_alice, QStringLiteral("same text"));
            PARLEY_VERIFY_OK(appended);
            QVERIFY(!appended->duplicate);
            QVERIFY(appended->message.clientMsgId.isEmpty());
        }
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_msg_id IS NULL")), 2);
    }

    void findByClientMsgIdLooksUpTheSendersMessage()
    {
        const auto sent =
            messages().appendMessage(m_general, m_alice, QStringLiteral("first"), QStringLiteral("c1"));
        PARLEY_VERIFY_OK(sent);

        const auto found = messages().findByClientMsgId(m_alice, QStringLiteral("c1"));
        PARLEY_VERIFY_OK(found);
        QVERIFY(found->has_value());
        QCOMPARE(**found, sent->message);

        // Per sender, exact id, and nothing for ids no user or message can have.
        for (const auto &[user, clientMsgId] :
            {std::pair {m_bob, QStringLiteral("c1")}, std::pair {m_alice, QStringLiteral("C1")},
                std::pair {m_alice, QString()}, std::pair {QStringLiteral("not-an-id"), QStringLiteral("c1")},
                std::pair {QStringLiteral("999"), QStringLiteral("c1")}}) {
            const auto none = messages().findByClientMsgId(user, clientMsgId);
            PARLEY_VERIFY_OK(none);
            QVERIFY2(!none->has_value(), qPrintable(user + QLatin1Char('/') + clientMsgId));
        }
    }

    void batchCommitsEachItemOnItsOwn()
    {
        PARLEY_VERIFY_OK(
            messages().appendMessage(m_general, m_bob, QStringLiteral("earlier"), QStringLiteral("b0")));
        const QList<NewMessage> batch {
            {m_general, m_alice, QStringLiteral("g1"), QStringLiteral("a1")},
            {m_random, m_alice, QStringLiteral("r1"), {}},
            {QStringLiteral("999"), m_alice, QStringLiteral("lost"), QStringLiteral("a2")}, // no such channel
            {m_general, m_bob, QStringLiteral("again"), QStringLiteral("b0")}, // stored before the batch
            {m_general, m_alice, QStringLiteral("g1 again"), QStringLiteral("a1")}, // earlier in this batch
            {m_general, QStringLiteral("404"), QStringLiteral("ghost"), {}}, // no such user
            {m_general, m_bob, QStringLiteral("g2"), {}},
        };
        const auto results = messages().appendMessages(batch);
        PARLEY_VERIFY_OK(results);
        QCOMPARE(results->size(), batch.size());

        const auto &items = *results;
        PARLEY_VERIFY_OK(items[0]);
        QCOMPARE(items[0]->message.seq, 2);
        QVERIFY(!items[0]->duplicate);
        PARLEY_VERIFY_OK(items[1]);
        QCOMPARE(items[1]->message.seq, 1);
        PARLEY_VERIFY_ERROR(items[2], StoreError::Kind::NotFound);
        PARLEY_VERIFY_OK(items[3]);
        QVERIFY(items[3]->duplicate);
        QCOMPARE(items[3]->message.content, QStringLiteral("earlier"));
        PARLEY_VERIFY_OK(items[4]);
        QVERIFY(items[4]->duplicate);
        QCOMPARE(items[4]->message, items[0]->message);
        PARLEY_VERIFY_ERROR(items[5], StoreError::Kind::NotFound);
        PARLEY_VERIFY_OK(items[6]);
        QCOMPARE(items[6]->message.seq, 3); // no gap where items failed
        QCOMPARE(items[6]->message.author.username, QStringLiteral("bob"));

        QCOMPARE(storedSeqs(m_general), (SeqList {1, 2, 3}));
        QCOMPARE(storedSeqs(m_random), (SeqList {1}));
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 4);
        QCOMPARE(lastSeq(m_general), 3);

        // What the batch returned is what history reads.
        const auto history = messages().history(m_general, {}, OptionalSeq(1), 10);
        PARLEY_VERIFY_OK(history);
        QCOMPARE(history->messages, (QList<Message> {items[0]->message, items[6]->message}));
    }

    void batchItemFailingAfterItsFirstWriteIsUndoneAlone()
    {
        // The INSERT fails after the channel's seq was bumped: that bump must go
        // with it, the other items stay, and each failure is logged once.
        PARLEY_VERIFY_OK(m_fixture.store().database().run(
            QStringLiteral("CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.content LIKE 'poison%'"
                           " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("poisoned row")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("poisoned row")));
        const QList<NewMessage> batch {
            {m_general, m_alice, QStringLiteral("g1"), QStringLiteral("a1")},
            {m_general, m_alice, QStringLiteral("poison 1"), QStringLiteral("a2")},
            {m_general, m_bob, QStringLiteral("g2"), {}},
            {m_random, m_bob, QStringLiteral("poison 2"), {}},
            {m_random, m_alice, QStringLiteral("r1"), {}},
        };
        const auto results = messages().appendMessages(batch);
        PARLEY_VERIFY_OK(results);
        QCOMPARE(results->size(), batch.size());
        const auto &items = *results;
        PARLEY_VERIFY_OK(items[0]);
        QCOMPARE(items[0]->message.seq, 1);
        PARLEY_VERIFY_ERROR(items[1], StoreError::Kind::Internal);
        PARLEY_VERIFY_OK(items[2]);
        QCOMPARE(items[2]->message.seq, 2);
        PARLEY_VERIFY_ERROR(items[3], StoreError::Kind::Internal);
        PARLEY_VERIFY_OK(items[4]);
        QCOMPARE(items[4]->message.seq, 1);

        QCOMPARE(storedSeqs(m_general), (SeqList {1, 2}));
        QCOMPARE(storedSeqs(m_random), (SeqList {1}));
        QCOMPARE(lastSeq(m_general), 2);
        QCOMPARE(lastSeq(m_random), 1);
        // The failed clientMsgId was never stored: a retry is a new message.
        const auto retried = messages().findByClientMsgId(m_alice, QStringLiteral("a2"));
        PARLEY_VERIFY_OK(retried);
        QVERIFY(!retried->has_value());
    }

    void emptyBatchIsEmpty()
    {
        const auto results = messages().appendMessages({});
        PARLEY_VERIFY_OK(results);
        QVERIFY(results->isEmpty());
    }

    void historyPages_data()
    {
        QTest::addColumn<OptionalSeq>("beforeSeq");
        QTest::addColumn<OptionalSeq>("afterSeq");
        QTest::addColumn<int>("limit");
        QTest::addColumn<SeqList>("expected");
        QTest::addColumn<bool>("hasMore");
        // The channel holds seqs 1..10.
        const OptionalSeq none;
        QTest::newRow("newest, older remain") << none << none << 3 << SeqList {8, 9, 10} << true;
        QTest::newRow("newest, exactly all")
            << none << none << 10 << SeqList {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << false;
        QTest::newRow("newest, more than all")
            << none << none << 50 << SeqList {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << false;
        QTest::newRow("after 0") << none << OptionalSeq(0) << 3 << SeqList {1, 2, 3} << true;
        QTest::newRow("after 6, newer remain") << none << OptionalSeq(6) << 3 << SeqList {7, 8, 9} << true;
        QTest::newRow("after 7, reaches newest")
            << none << OptionalSeq(7) << 3 << SeqList {8, 9, 10} << false;
        QTest::newRow("after newest") << none << OptionalSeq(10) << 3 << SeqList {} << false;
        QTest::newRow("after beyond") << none << OptionalSeq(99) << 3 << SeqList {} << false;
        QTest::newRow("before 5, older remain") << OptionalSeq(5) << none << 3 << SeqList {2, 3, 4} << true;
        QTest::newRow("before 4, reaches oldest")
            << OptionalSeq(4) << none << 3 << SeqList {1, 2, 3} << false;
        QTest::newRow("before 1") << OptionalSeq(1) << none << 3 << SeqList {} << false;
        QTest::newRow("before beyond") << OptionalSeq(99) << none << 3 << SeqList {8, 9, 10} << true;
        QTest::newRow("before 11, all")
            << OptionalSeq(11) << none << 10 << SeqList {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << false;
        QTest::newRow("limit 1 before") << OptionalSeq(10) << none << 1 << SeqList {9} << true;
        QTest::newRow("limit 1 after") << none << OptionalSeq(9) << 1 << SeqList {10} << false;
    }
    void historyPages()
    {
        QFETCH(OptionalSeq, beforeSeq);
        QFETCH(OptionalSeq, afterSeq);
        QFETCH(int, limit);
        QFETCH(SeqList, expected);
        QFETCH(bool, hasMore);
        for (int i = 1; i <= 10; ++i) {
            PARLEY_VERIFY_OK(
                messages().appendMessage(m_general, i % 2 ? m_alice : m_bob, QStringLiteral("m%1").arg(i)));
            // Noise in another channel must never leak into the page.
            PARLEY_VERIFY_OK(messages().appendMessage(m_random, m_alice, QStringLiteral("noise")));
        }

        const auto page = messages().history(m_general, beforeSeq, afterSeq, limit);
        PARLEY_VERIFY_OK(page);
        QCOMPARE(seqsOf(page->messages), expected);
        QCOMPARE(page->hasMore, hasMore);
        for (const Message &message : page->messages) {
            QCOMPARE(message.channelId, m_general);
            QCOMPARE(message.content, QStringLiteral("m%1").arg(message.seq));
            QCOMPARE(
                message.author.username, message.seq % 2 ? QStringLiteral("alice") : QStringLiteral("bob"));
        }
    }

    void historyOfEmptyChannel()
    {
        for (const auto &[before, after] : {std::pair {OptionalSeq(), OptionalSeq()},
                 std::pair {OptionalSeq(5), OptionalSeq()}, std::pair {OptionalSeq(), OptionalSeq(0)}}) {
            const auto page = messages().history(m_general, before, after, 50);
            PARLEY_VERIFY_OK(page);
            QVERIFY(page->messages.isEmpty());
            QVERIFY(!page->hasMore);
        }
    }

    void historyRefusesBadRequests_data()
    {
        QTest::addColumn<QString>("channel"); // "general" stands for the real channel
        QTest::addColumn<OptionalSeq>("beforeSeq");
        QTest::addColumn<OptionalSeq>("afterSeq");
        QTest::addColumn<int>("limit");
        QTest::addColumn<StoreError::Kind>("expectedKind");
        const QString general = QStringLiteral("general");
        QTest::newRow("both cursors")
            << general << OptionalSeq(5) << OptionalSeq(1) << 10 << StoreError::Kind::InvalidArgument;
        QTest::newRow("limit 0") << general << OptionalSeq() << OptionalSeq() << 0
                                 << StoreError::Kind::InvalidArgument;
        QTest::newRow("negative limit")
            << general << OptionalSeq() << OptionalSeq() << -1 << StoreError::Kind::InvalidArgument;
        QTest::newRow("negative cursor")
            << general << OptionalSeq(-1) << OptionalSeq() << 10 << StoreError::Kind::InvalidArgument;
        QTest::newRow("unknown channel")
            << QStringLiteral("999") << OptionalSeq() << OptionalSeq() << 10 << StoreError::Kind::NotFound;
        QTest::newRow("malformed channel id") << QStringLiteral("1; DROP TABLE messages") << OptionalSeq()
                                              << OptionalSeq() << 10 << StoreError::Kind::NotFound;
    }
    void historyRefusesBadRequests()
    {
        QFETCH(QString, channel);
        QFETCH(OptionalSeq, beforeSeq);
        QFETCH(OptionalSeq, afterSeq);
        QFETCH(int, limit);
        QFETCH(StoreError::Kind, expectedKind);
        PARLEY_VERIFY_OK(messages().appendMessage(m_general, m_alice, QStringLiteral("x")));
        const QString channelId = channel == QStringLiteral("general") ? m_general : channel;
        PARLEY_VERIFY_ERROR(messages().history(channelId, beforeSeq, afterSeq, limit), expectedKind);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 1);
    }

    void lastSeqOfUnknownChannel()
    {
        QCOMPARE(lastSeq(m_general), 0);
        PARLEY_VERIFY_ERROR(messages().lastSeq(QStringLiteral("999")), StoreError::Kind::NotFound);
    }

private:
    MessageRepository &messages() { return m_fixture.store().messages(); }

    qint64 lastSeq(const QString &channelId)
    {
        const auto seq = messages().lastSeq(channelId);
        return seq ? *seq : -1;
    }

    // The seqs as stored, straight from the table.
    SeqList storedSeqs(const QString &channelId)
    {
        SeqList seqs;
        auto query = m_fixture.store().database().run(
            QStringLiteral("SELECT seq FROM messages WHERE channel_id = ? ORDER BY seq"), {channelId});
        if (!query)
            return {-1};
        while (query->next())
            seqs << query->value(0).toLongLong();
        return seqs;
    }

    StoreFixture m_fixture;
    QString m_alice;
    QString m_bob;
    QString m_general;
    QString m_random;
};

QTEST_GUILESS_MAIN(TestMessageRepository)
#include "tst_messagerepository.moc"
