// The QML adapters: every model passes QAbstractItemModelTester while it changes,
// message text is shown literally with only http(s) links added, and the stage
// banner names every stage in words.
#include "ui/channellistmodel.h"
#include "ui/memberlistmodel.h"
#include "ui/messagelistmodel.h"
#include "ui/messagetext.h"
#include "ui/stagetext.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace parley;
using namespace parley::ui;

namespace {

protocol::User user(const QString &id, const QString &name)
{
    return {id, name, name};
}

protocol::Message message(qint64 seq, const protocol::User &author, const QDateTime &at,
    const QString &text = QStringLiteral("hi"), const QString &clientMsgId = {})
{
    protocol::Message m;
    m.id = QStringLiteral("m%1").arg(seq);
    m.channelId = QStringLiteral("c1");
    m.seq = seq;
    m.userId = author.id;
    m.author = author;
    m.content = text;
    m.createdAt = at;
    m.clientMsgId = clientMsgId;
    return m;
}

client::CachedChannel channel(const QString &id, const QString &name, qint64 lastSeq, qint64 read)
{
    client::CachedChannel c;
    c.channel.id = id;
    c.channel.name = name;
    c.channel.topic = QStringLiteral("topic of ") + name;
    c.channel.lastSeq = lastSeq;
    c.lastReadSeq = read;
    return c;
}

QVariant roleAt(const QAbstractItemModel &model, int row, int role)
{
    return model.data(model.index(row, 0), role);
}

} // namespace

class TestUiModels : public QObject
{
    Q_OBJECT
private slots:
    void channelsSortedWithUnreadCounts()
    {
        ChannelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setChannels({channel(QStringLiteral("c2"), QStringLiteral("random"), 5, 5),
            channel(QStringLiteral("c1"), QStringLiteral("General"), 12, 9)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(roleAt(model, 0, ChannelListModel::NameRole).toString(), QStringLiteral("General"));
        QCOMPARE(roleAt(model, 0, ChannelListModel::UnreadRole).toInt(), 3);
        QCOMPARE(roleAt(model, 1, ChannelListModel::UnreadRole).toInt(), 0);
        QCOMPARE(
            roleAt(model, 0, ChannelListModel::TopicRole).toString(), QStringLiteral("topic of General"));
        QCOMPARE(roleAt(model, 0, ChannelListModel::PrivateRole).toBool(), false);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setChannels({channel(QStringLiteral("c2"), QStringLiteral("random"), 7, 5),
            channel(QStringLiteral("c1"), QStringLiteral("General"), 12, 12)});
        QCOMPARE(changed.size(), 1); // same rows: updated in place
        QCOMPARE(roleAt(model, 0, ChannelListModel::UnreadRole).toInt(), 0);
        QCOMPARE(roleAt(model, 1, ChannelListModel::UnreadRole).toInt(), 2);
        QCOMPARE(model.totalUnread(), 2);

        const QDateTime when = QDateTime::currentDateTimeUtc();
        model.noteActivity(QStringLiteral("c2"), when);
        QCOMPARE(roleAt(model, 1, ChannelListModel::LastActivityRole).toDateTime(), when);
        model.setChannels({channel(QStringLiteral("c3"), QStringLiteral("a-new-one"), 0, 0)});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.indexOf(QStringLiteral("c3")), 0);
        QCOMPARE(model.indexOf(QStringLiteral("c1")), -1);
    }

    void membersJoinAndLeave()
    {
        MemberListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMembers({user(QStringLiteral("u1"), QStringLiteral("alice"))});
        model.addMember(user(QStringLiteral("u2"), QStringLiteral("bob")));
        model.addMember(user(QStringLiteral("u2"), QStringLiteral("bob"))); // once only
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(roleAt(model, 1, MemberListModel::UsernameRole).toString(), QStringLiteral("bob"));
        model.removeMember(QStringLiteral("u1"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(roleAt(model, 0, MemberListModel::UserIdRole).toString(), QStringLiteral("u2"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void messagesGroupByAuthorAndDay()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto alice = user(QStringLiteral("u1"), QStringLiteral("alice"));
        const auto bob = user(QStringLiteral("u2"), QStringLiteral("bob"));
        const QDateTime day1 = QDateTime(QDate(2026, 11, 20), QTime(10, 0)).toUTC();
        const QDateTime day2 = day1.addDays(1);
        model.reset({message(3, bob, day1.addSecs(120)), message(1, alice, day1),
                        message(2, alice, day1.addSecs(60)), message(4, bob, day2)},
            {}, alice);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(roleAt(model, 0, MessageListModel::SeqRole).toLongLong(), 1);
        QCOMPARE(roleAt(model, 0, MessageListModel::FirstOfDayRole).toBool(), true);
        QCOMPARE(roleAt(model, 0, MessageListModel::GroupedRole).toBool(), false);
        QCOMPARE(
            roleAt(model, 1, MessageListModel::GroupedRole).toBool(), true); // alice again, a minute later
        QCOMPARE(roleAt(model, 2, MessageListModel::GroupedRole).toBool(), false); // bob
        QCOMPARE(roleAt(model, 3, MessageListModel::FirstOfDayRole).toBool(), true); // next day
        QCOMPARE(roleAt(model, 3, MessageListModel::GroupedRole).toBool(), false);
        QCOMPARE(roleAt(model, 0, MessageListModel::AuthorRole).toString(), QStringLiteral("alice"));
        QCOMPARE(model.oldestSeq(), 1);
        QCOMPARE(model.newestSeq(), 4);

        // Older pages go on top, repeats are dropped.
        model.addOlder({message(0, bob, day1.addSecs(-600)), message(1, alice, day1)});
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.oldestSeq(), 0);
        QCOMPARE(roleAt(model, 1, MessageListModel::FirstOfDayRole).toBool(), false);
    }

    void typedMessageGoesPendingSentThenDelivered()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto me = user(QStringLiteral("u1"), QStringLiteral("me"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        model.reset({message(1, me, now)}, {}, me);
        client::OutboxEntry typed;
        typed.clientMsgId = QStringLiteral("cm-1");
        typed.channelId = QStringLiteral("c1");
        typed.content = QStringLiteral("hello");
        typed.createdAt = now;
        model.addTyped(typed, me);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(roleAt(model, 1, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Pending));
        model.setState(QStringLiteral("cm-1"), client::MessageState::Failed, QStringLiteral("Too fast."));
        QCOMPARE(roleAt(model, 1, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Failed));
        QCOMPARE(roleAt(model, 1, MessageListModel::ErrorRole).toString(), QStringLiteral("Too fast."));
        model.setState(QStringLiteral("cm-1"), client::MessageState::Sent);
        QCOMPARE(roleAt(model, 1, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Sent));
        QCOMPARE(roleAt(model, 1, MessageListModel::ErrorRole).toString(), QString());

        // Someone else's message lands before the typed one; then ours is delivered.
        model.addDelivered({message(2, user(QStringLiteral("u2"), QStringLiteral("bob")), now)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(roleAt(model, 1, MessageListModel::SeqRole).toLongLong(), 2);
        QCOMPARE(roleAt(model, 2, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Sent));
        model.addDelivered({message(3, me, now, QStringLiteral("hello"), QStringLiteral("cm-1"))});
        QCOMPARE(model.rowCount(), 3); // replaced, not added
        QCOMPARE(roleAt(model, 2, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivered));
        QCOMPARE(roleAt(model, 2, MessageListModel::SeqRole).toLongLong(), 3);
        model.addDelivered({message(3, me, now, QStringLiteral("hello"), QStringLiteral("cm-1"))});
        QCOMPARE(model.rowCount(), 3); // a repeat changes nothing
    }

    void stateChangeNamesItsRowAndRole()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto me = user(QStringLiteral("u1"), QStringLiteral("me"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        model.reset({message(1, me, now), message(2, me, now)}, {}, me);
        client::OutboxEntry typed;
        typed.clientMsgId = QStringLiteral("cm-9");
        typed.content = QStringLiteral("on its way");
        model.addTyped(typed, me);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setState(QStringLiteral("cm-9"), client::MessageState::Sent);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 2);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 2);
        QVERIFY(changed.first().at(2).value<QList<int>>().contains(MessageListModel::DeliveryRole));
        QCOMPARE(roleAt(model, 2, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Sent));
    }

    void deliveredMessageNeverLeavesAPendingCopy()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto me = user(QStringLiteral("u1"), QStringLiteral("me"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        // The cache has message:new already while the outbox waits for the ack.
        client::OutboxEntry typed;
        typed.clientMsgId = QStringLiteral("cm-1");
        typed.content = QStringLiteral("hello");
        const auto delivered = message(1, me, now, QStringLiteral("hello"), QStringLiteral("cm-1"));
        model.reset({delivered}, {typed}, me);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(roleAt(model, 0, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivered));

        // A typed row whose message is held already goes when the message comes again.
        model.addTyped(typed, me);
        QCOMPARE(model.rowCount(), 1); // held: not typed twice
        client::OutboxEntry second;
        second.clientMsgId = QStringLiteral("cm-2");
        second.content = QStringLiteral("again");
        model.reset({message(2, me, now, QStringLiteral("again"), QStringLiteral("cm-2"))}, {}, me);
        model.addTyped(second, me);
        QCOMPARE(model.rowCount(), 1);
        model.reset({}, {second}, me);
        QCOMPARE(model.rowCount(), 1);
        model.addDelivered({message(2, me, now, QStringLiteral("again"), QStringLiteral("cm-2"))});
        model.addDelivered({message(2, me, now, QStringLiteral("again"), QStringLiteral("cm-2"))});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(roleAt(model, 0, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Delivered));

        // Someone else's message with the same clientMsgId leaves ours alone.
        client::OutboxEntry third;
        third.clientMsgId = QStringLiteral("cm-3");
        third.content = QStringLiteral("mine");
        model.addTyped(third, me);
        model.addDelivered({message(3, user(QStringLiteral("u2"), QStringLiteral("bob")), now,
            QStringLiteral("bob's"), QStringLiteral("cm-3"))});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(roleAt(model, 2, MessageListModel::DeliveryRole).toInt(), int(MessageListModel::Pending));
    }

    void linksTakeTheThemeColour()
    {
        const QColor darkLink(QStringLiteral("#8cb4ff"));
        QCOMPARE(messageTextToHtml(QStringLiteral("see https://example.org"), darkLink),
            QStringLiteral(
                "see <a href=\"https://example.org\" style=\"color:#8cb4ff\">https://example.org</a>"));

        MessageListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto me = user(QStringLiteral("u1"), QStringLiteral("me"));
        model.reset(
            {message(1, me, QDateTime::currentDateTimeUtc(), QStringLiteral("https://example.org"))}, {}, me);
        QVERIFY(!roleAt(model, 0, MessageListModel::HtmlRole).toString().contains(QStringLiteral("color:")));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setLinkColor(darkLink);
        QCOMPARE(changed.size(), 1);
        QVERIFY(changed.first().at(2).value<QList<int>>().contains(MessageListModel::HtmlRole));
        QVERIFY(roleAt(model, 0, MessageListModel::HtmlRole)
                    .toString()
                    .contains(QStringLiteral("color:#8cb4ff")));
        model.setLinkColor(darkLink);
        QCOMPARE(changed.size(), 1); // unchanged: no signal
    }

    void markupIsShownLiterally()
    {
        const QString html = messageTextToHtml(QStringLiteral("<b>x</b><img src=\"http://e.vil/a.png\">"));
        QVERIFY(!html.contains(QStringLiteral("<b>")));
        QVERIFY(!html.contains(QStringLiteral("<img")));
        QVERIFY(html.startsWith(QStringLiteral("&lt;b&gt;x&lt;/b&gt;&lt;img src=")));
    }

    void httpUrlsBecomeLinks()
    {
        QCOMPARE(messageTextToHtml(QStringLiteral("see https://example.org/a?b=1&c=2.")),
            QStringLiteral(
                "see <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a>."));
        QCOMPARE(messageTextToHtml(QStringLiteral("javascript:alert(1) ftp://x.y")),
            QStringLiteral("javascript:alert(1) ftp://x.y"));
        QCOMPARE(messageTextToHtml(QStringLiteral("a\nb")), QStringLiteral("a<br>b"));
        QCOMPARE(messageTextToHtml(QStringLiteral("\"http://x.org/\"onmouseover")),
            QStringLiteral("&quot;<a href=\"http://x.org/\">http://x.org/</a>&quot;onmouseover"));
    }

    void stageTextsNameEveryStage()
    {
        const QString server = QStringLiteral("chat.example:7275");
        QCOMPARE(describeStage(client::ClientSession::Stage::Disconnected, 0, server, {}),
            QStringLiteral("Not connected."));
        QCOMPARE(describeStage(client::ClientSession::Stage::Connecting, 0, server, {}),
            QStringLiteral("Connecting to chat.example:7275…"));
        QCOMPARE(describeStage(client::ClientSession::Stage::Authenticating, 0, server, {}),
            QStringLiteral("Signing in…"));
        QCOMPARE(describeStage(client::ClientSession::Stage::JoiningRooms, 0, server, {}),
            QStringLiteral("Catching up on your channels…"));
        QCOMPARE(describeStage(client::ClientSession::Stage::Ready, 0, server, {}),
            QStringLiteral("Connected to chat.example:7275."));
        QCOMPARE(describeStage(client::ClientSession::Stage::Reconnecting, 7, server, {}),
            QStringLiteral("Connection lost. Reconnecting in 7 seconds…"));
        QCOMPARE(describeStage(client::ClientSession::Stage::Reconnecting, 1, server, {}),
            QStringLiteral("Connection lost. Reconnecting in 1 second…"));
        QCOMPARE(
            describeStage(client::ClientSession::Stage::Failed, 0, server, QStringLiteral("Wrong password.")),
            QStringLiteral("Cannot connect: Wrong password."));
    }
};

QTEST_GUILESS_MAIN(TestUiModels)
#include "tst_uimodels.moc"
