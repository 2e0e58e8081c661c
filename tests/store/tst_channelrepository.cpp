#include "storefixture.h"

#include <QTest>

using namespace parley::store;
using parley::protocol::Channel;
using parley::store::test::StoreFixture;

namespace {
QStringList namesOf(const QList<Channel> &channels)
{
    QStringList names;
    for (const Channel &channel : channels)
        names << channel.name;
    return names;
}
} // namespace

class TestChannelRepository : public QObject
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
        QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
    }
    void cleanup() { m_fixture.reset(); }

    void creatorBecomesFirstMember()
    {
        const auto created = channels().createChannel(
            {QStringLiteral("General"), QStringLiteral("Talk about anything"), false, m_alice});
        PARLEY_VERIFY_OK(created);
        QCOMPARE(created->name, QStringLiteral("General"));
        QCOMPARE(created->topic, QStringLiteral("Talk about anything"));
        QVERIFY(!created->isPrivate);
        QCOMPARE(created->memberCount, 1);
        QCOMPARE(created->lastSeq, 0);

        const auto byId = channels().channelById(created->id);
        PARLEY_VERIFY_OK(byId);
        QCOMPARE(*byId, *created);
        QCOMPARE(m_fixture.scalar(
                     QStringLiteral("SELECT COUNT(*) FROM memberships WHERE channel_id = ? AND user_id = ?"),
                     {created->id, m_alice}),
            1);
        const auto member = channels().isMember(created->id, m_alice);
        PARLEY_VERIFY_OK(member);
        QVERIFY(*member);
        const auto notMember = channels().isMember(created->id, m_bob);
        PARLEY_VERIFY_OK(notMember);
        QVERIFY(!*notMember);
    }

    void channelFieldRules_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty name") << QString() << QString() << false;
        QTest::newRow("1 character") << QStringLiteral("x") << QString() << true;
        QTest::newRow("64 characters") << QString(64, u'n') << QString() << true;
        QTest::newRow("65 characters") << QString(65, u'n') << QString() << false;
        QTest::newRow("256 topic") << QStringLiteral("t") << QString(256, u't') << true;
        QTest::newRow("257 topic") << QStringLiteral("t") << QString(257, u't') << false;
    }
    void channelFieldRules()
    {
        QFETCH(QString, name);
        QFETCH(QString, topic);
        QFETCH(bool, valid);
        const auto created = channels().createChannel({name, topic, false, m_alice});
        if (valid) {
            PARLEY_VERIFY_OK(created);
            QCOMPARE(created->topic, topic);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM channels")), 1);
        } else {
            PARLEY_VERIFY_ERROR(created, StoreError::Kind::InvalidArgument);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM channels")), 0);
        }
    }

    void nameIsUniqueWithoutRegardToCase_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::addColumn<bool>("conflicts");
        QTest::newRow("same") << QStringLiteral("general") << QStringLiteral("general") << true;
        QTest::newRow("upper") << QStringLiteral("general") << QStringLiteral("GENERAL") << true;
        QTest::newRow("non-ascii") << QStringLiteral("Ärger") << QStringLiteral("äRGER") << true;
        QTest::newRow("greek") << QStringLiteral("ΣΟΦΙΑ") << QStringLiteral("σοφια") << true;
        QTest::newRow("different") << QStringLiteral("general") << QStringLiteral("general-2") << false;
    }
    void nameIsUniqueWithoutRegardToCase()
    {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QFETCH(bool, conflicts);
        PARLEY_VERIFY_OK(channels().createChannel({first, {}, false, m_alice}));
        const auto taken = channels().nameTaken(second);
        PARLEY_VERIFY_OK(taken);
        QCOMPARE(*taken, conflicts);
        // Private or not, by whoever: a name is a name.
        const auto again = channels().createChannel({second, {}, true, m_bob});
        if (conflicts) {
            PARLEY_VERIFY_ERROR(again, StoreError::Kind::Conflict);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM channels")), 1);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM memberships")), 1);
        } else {
            PARLEY_VERIFY_OK(again);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM channels")), 2);
        }
    }

    void unknownCreatorIsNotFound()
    {
        PARLEY_VERIFY_ERROR(channels().createChannel({QStringLiteral("x"), {}, false, QStringLiteral("999")}),
            StoreError::Kind::NotFound);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM channels")), 0);
    }

    void privateChannelsAreVisibleToMembersOnly()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        const QString secret = m_fixture.createChannel(QStringLiteral("secret"), m_alice, true);
        const QString bobsOwn = m_fixture.createChannel(QStringLiteral("bobs-den"), m_bob, true);
        QVERIFY(!general.isEmpty() && !secret.isEmpty() && !bobsOwn.isEmpty());

        auto visibleToBob = channels().channelsVisibleTo(m_bob);
        PARLEY_VERIFY_OK(visibleToBob);
        QCOMPARE(
            namesOf(*visibleToBob), (QStringList {QStringLiteral("bobs-den"), QStringLiteral("general")}));
        auto visibleToAlice = channels().channelsVisibleTo(m_alice);
        PARLEY_VERIFY_OK(visibleToAlice);
        QCOMPARE(
            namesOf(*visibleToAlice), (QStringList {QStringLiteral("general"), QStringLiteral("secret")}));

        // An invitation makes it visible; only then.
        const auto added = channels().addMember(secret, m_bob);
        PARLEY_VERIFY_OK(added);
        QVERIFY(*added);
        visibleToBob = channels().channelsVisibleTo(m_bob);
        PARLEY_VERIFY_OK(visibleToBob);
        QCOMPARE(namesOf(*visibleToBob),
            (QStringList {QStringLiteral("bobs-den"), QStringLiteral("general"), QStringLiteral("secret")}));

        PARLEY_VERIFY_ERROR(channels().channelsVisibleTo(QStringLiteral("999")), StoreError::Kind::NotFound);
    }

    void membershipsCarryCountsAndLastSeq()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        const QString secret = m_fixture.createChannel(QStringLiteral("secret"), m_alice, true);
        m_fixture.createChannel(QStringLiteral("elsewhere"), m_bob);
        const QString carol = m_fixture.createUser(QStringLiteral("carol"));
        PARLEY_VERIFY_OK(channels().addMember(general, m_bob));
        PARLEY_VERIFY_OK(channels().addMember(general, carol));
        for (int i = 0; i < 3; ++i)
            PARLEY_VERIFY_OK(store().messages().appendMessage(general, m_bob, QStringLiteral("m%1").arg(i)));
        PARLEY_VERIFY_OK(store().messages().appendMessage(secret, m_alice, QStringLiteral("s")));

        const auto memberships = channels().membershipsOf(m_alice);
        PARLEY_VERIFY_OK(memberships);
        QCOMPARE(memberships->size(), 2); // not "elsewhere"
        const Channel &first = memberships->at(0);
        const Channel &second = memberships->at(1);
        QCOMPARE(first, (Channel {general, QStringLiteral("general"), {}, false, 3, 3}));
        QCOMPARE(second, (Channel {secret, QStringLiteral("secret"), {}, true, 1, 1}));

        const auto ofCarol = channels().membershipsOf(carol);
        PARLEY_VERIFY_OK(ofCarol);
        QCOMPARE(namesOf(*ofCarol), QStringList {QStringLiteral("general")});
    }

    void addMemberIsIdempotent()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        const auto first = channels().addMember(general, m_bob);
        PARLEY_VERIFY_OK(first);
        QVERIFY(*first);
        const auto second = channels().addMember(general, m_bob);
        PARLEY_VERIFY_OK(second);
        QVERIFY(!*second);
        const auto creatorAgain = channels().addMember(general, m_alice);
        PARLEY_VERIFY_OK(creatorAgain);
        QVERIFY(!*creatorAgain);
        QCOMPARE(m_fixture.scalar(
                     QStringLiteral("SELECT COUNT(*) FROM memberships WHERE channel_id = ?"), {general}),
            2);
        const auto channel = channels().channelById(general);
        PARLEY_VERIFY_OK(channel);
        QCOMPARE(channel->memberCount, 2);
    }

    void leaveAndRejoin()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        PARLEY_VERIFY_OK(channels().addMember(general, m_bob));

        const auto left = channels().removeMember(general, m_bob);
        PARLEY_VERIFY_OK(left);
        QVERIFY(*left);
        const auto leftAgain = channels().removeMember(general, m_bob);
        PARLEY_VERIFY_OK(leftAgain);
        QVERIFY(!*leftAgain);
        const auto member = channels().isMember(general, m_bob);
        PARLEY_VERIFY_OK(member);
        QVERIFY(!*member);
        auto channel = channels().channelById(general);
        PARLEY_VERIFY_OK(channel);
        QCOMPARE(channel->memberCount, 1);
        const auto memberships = channels().membershipsOf(m_bob);
        PARLEY_VERIFY_OK(memberships);
        QVERIFY(memberships->isEmpty());

        const auto rejoined = channels().addMember(general, m_bob);
        PARLEY_VERIFY_OK(rejoined);
        QVERIFY(*rejoined);
        channel = channels().channelById(general);
        PARLEY_VERIFY_OK(channel);
        QCOMPARE(channel->memberCount, 2);

        // The last member leaving keeps the channel row.
        PARLEY_VERIFY_OK(channels().removeMember(general, m_alice));
        PARLEY_VERIFY_OK(channels().removeMember(general, m_bob));
        channel = channels().channelById(general);
        PARLEY_VERIFY_OK(channel);
        QCOMPARE(channel->memberCount, 0);
    }

    void unknownChannelOrUserIsNotFound()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        const QString missing = QStringLiteral("999");
        PARLEY_VERIFY_ERROR(channels().channelById(missing), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().channelById(QStringLiteral("general")), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().isMember(missing, m_alice), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().addMember(missing, m_alice), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().addMember(general, missing), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().removeMember(missing, m_alice), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().members(missing, {}, 10), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(channels().membershipsOf(missing), StoreError::Kind::NotFound);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM memberships")), 1);
    }

    void membersArePagedByUsername_data()
    {
        QTest::addColumn<std::optional<QString>>("afterUsername");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<bool>("hasMore");
        // Members: alice, bob (from init), Carol, dave, Eve; ordered without regard to case.
        QTest::newRow("first page") << std::optional<QString>() << 2
                                    << QStringList {QStringLiteral("alice"), QStringLiteral("bob")} << true;
        QTest::newRow("middle page") << std::optional(QStringLiteral("bob")) << 2
                                     << QStringList {QStringLiteral("Carol"), QStringLiteral("dave")} << true;
        QTest::newRow("last page exactly")
            << std::optional(QStringLiteral("dave")) << 1 << QStringList {QStringLiteral("Eve")} << false;
        QTest::newRow("cursor in other case")
            << std::optional(QStringLiteral("CAROL")) << 5
            << QStringList {QStringLiteral("dave"), QStringLiteral("Eve")} << false;
        QTest::newRow("cursor between names")
            << std::optional(QStringLiteral("c")) << 1 << QStringList {QStringLiteral("Carol")} << true;
        QTest::newRow("everyone") << std::optional<QString>() << 200
                                  << QStringList {QStringLiteral("alice"), QStringLiteral("bob"),
                                         QStringLiteral("Carol"), QStringLiteral("dave"),
                                         QStringLiteral("Eve")}
                                  << false;
        QTest::newRow("past the end") << std::optional(QStringLiteral("eve")) << 10 << QStringList() << false;
    }
    void membersArePagedByUsername()
    {
        QFETCH(std::optional<QString>, afterUsername);
        QFETCH(int, limit);
        QFETCH(QStringList, expected);
        QFETCH(bool, hasMore);
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        for (const QString &name : {QStringLiteral("Eve"), QStringLiteral("Carol"), QStringLiteral("dave")})
            PARLEY_VERIFY_OK(channels().addMember(general, m_fixture.createUser(name)));
        PARLEY_VERIFY_OK(channels().addMember(general, m_bob));
        m_fixture.createUser(QStringLiteral("outsider")); // not a member: never listed

        const auto page = channels().members(general, afterUsername, limit);
        PARLEY_VERIFY_OK(page);
        QStringList names;
        for (const auto &user : page->members) {
            names << user.username;
            QCOMPARE(user.displayName, user.username + QStringLiteral(" Display"));
        }
        QCOMPARE(names, expected);
        QCOMPARE(page->hasMore, hasMore);
    }

    void membersPageNeedsAPositiveLimit()
    {
        const QString general = m_fixture.createChannel(QStringLiteral("general"), m_alice);
        PARLEY_VERIFY_ERROR(channels().members(general, {}, 0), StoreError::Kind::InvalidArgument);
    }

private:
    ChatStore &store() { return m_fixture.store(); }
    ChannelRepository &channels() { return m_fixture.store().channels(); }

    StoreFixture m_fixture;
    QString m_alice;
    QString m_bob;
};

QTEST_GUILESS_MAIN(TestChannelRepository)
#include "tst_channelrepository.moc"
