#include "storefixture.h"

#include <QTest>

using namespace parley::store;
using parley::store::test::StoreFixture;

class TestUserRepository : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        QFETCH_GLOBAL(bool, onFile);
        test::failOnUnexpectedWarnings();
        QVERIFY(m_fixture.open(onFile));
    }
    void cleanup() { m_fixture.reset(); }

    void createdUserIsStoredAsGiven()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        const auto created = users().createUser(
            {QStringLiteral("Alice"), QStringLiteral("Alice A."), QStringLiteral("$argon2id$v=19$stub"), {}});
        PARLEY_VERIFY_OK(created);
        QVERIFY(!created->user.id.isEmpty());
        QCOMPARE(created->user.username, QStringLiteral("Alice"));
        QCOMPARE(created->user.displayName, QStringLiteral("Alice A."));
        QCOMPARE(created->passwordHash, QStringLiteral("$argon2id$v=19$stub"));
        QCOMPARE(created->tokenVersion, 1);
        QVERIFY(!created->disabled);
        QVERIFY(!created->external);
        QCOMPARE(created->createdAt.timeSpec(), Qt::UTC);
        QVERIFY(created->createdAt >= before && created->createdAt <= QDateTime::currentDateTimeUtc());

        const auto byId = users().userById(created->user.id);
        PARLEY_VERIFY_OK(byId);
        QCOMPARE(*byId, *created);
        QCOMPARE(m_fixture.scalar(
                     QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {created->user.id}),
            1);
    }

    void passwordHashMayBeEmpty()
    {
        const auto created = users().createUser({QStringLiteral("sso-user"), {}, {}, {}});
        PARLEY_VERIFY_OK(created);
        const auto stored = users().userById(created->user.id);
        PARLEY_VERIFY_OK(stored);
        QVERIFY(stored->passwordHash.isEmpty());
        QVERIFY(stored->user.displayName.isEmpty());
    }

    void usernameIsUniqueWithoutRegardToCase_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::addColumn<bool>("conflicts");
        QTest::newRow("same") << QStringLiteral("alice") << QStringLiteral("alice") << true;
        QTest::newRow("upper") << QStringLiteral("alice") << QStringLiteral("ALICE") << true;
        QTest::newRow("mixed") << QStringLiteral("a.l-i_ce") << QStringLiteral("A.L-I_Ce") << true;
        QTest::newRow("non-ascii") << QStringLiteral("Ärger") << QStringLiteral("äRGER") << true;
        QTest::newRow("different") << QStringLiteral("alice") << QStringLiteral("alicia") << false;
    }
    void usernameIsUniqueWithoutRegardToCase()
    {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QFETCH(bool, conflicts);
        PARLEY_VERIFY_OK(users().createUser({first, {}, {}, {}}));
        const auto again = users().createUser({second, {}, {}, {}});
        if (conflicts) {
            PARLEY_VERIFY_ERROR(again, StoreError::Kind::Conflict);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 1);
        } else {
            PARLEY_VERIFY_OK(again);
            QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 2);
        }
    }

    void lookupByUsernameIgnoresCase()
    {
        const QString id = m_fixture.createUser(QStringLiteral("CamelCase"));
        for (const QString &spelling :
            {QStringLiteral("CamelCase"), QStringLiteral("camelcase"), QStringLiteral("CAMELCASE")}) {
            const auto found = users().userByUsername(spelling);
            PARLEY_VERIFY_OK(found);
            QCOMPARE(found->user.id, id);
            QCOMPARE(found->user.username, QStringLiteral("CamelCase")); // stored as typed
        }
        PARLEY_VERIFY_ERROR(users().userByUsername(QStringLiteral("camel")), StoreError::Kind::NotFound);
    }

    void externalIdentityIsUniqueAndFindable()
    {
        const ExternalIdentity idp {QStringLiteral("https://idp.example"), QStringLiteral("sub-1")};
        const auto created = users().createUser({QStringLiteral("ext1"), {}, {}, idp});
        PARLEY_VERIFY_OK(created);
        QCOMPARE(created->external, std::optional(idp));

        const auto found = users().userByExternalIdentity(idp);
        PARLEY_VERIFY_OK(found);
        QCOMPARE(found->user.id, created->user.id);
        QCOMPARE(found->external, std::optional(idp));

        // The same pair again is taken, whatever the username.
        PARLEY_VERIFY_ERROR(
            users().createUser({QStringLiteral("ext2"), {}, {}, idp}), StoreError::Kind::Conflict);
        // The same subject from another issuer is someone else.
        const ExternalIdentity otherIssuer {QStringLiteral("https://other.example"), QStringLiteral("sub-1")};
        PARLEY_VERIFY_OK(users().createUser({QStringLiteral("ext3"), {}, {}, otherIssuer}));
        // Users without an external identity never collide with each other.
        PARLEY_VERIFY_OK(users().createUser({QStringLiteral("local1"), {}, {}, {}}));
        PARLEY_VERIFY_OK(users().createUser({QStringLiteral("local2"), {}, {}, {}}));
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 4);

        const ExternalIdentity unknown {QStringLiteral("https://idp.example"), QStringLiteral("sub-2")};
        PARLEY_VERIFY_ERROR(users().userByExternalIdentity(unknown), StoreError::Kind::NotFound);
    }

    void invalidNewUsersAreRefused_data()
    {
        QTest::addColumn<QString>("username");
        QTest::addColumn<std::optional<ExternalIdentity>>("external");
        QTest::newRow("empty username") << QString() << std::optional<ExternalIdentity>();
        QTest::newRow("issuer without subject")
            << QStringLiteral("x") << std::optional(ExternalIdentity {QStringLiteral("iss"), {}});
        QTest::newRow("subject without issuer")
            << QStringLiteral("x") << std::optional(ExternalIdentity {{}, QStringLiteral("sub")});
    }
    void invalidNewUsersAreRefused()
    {
        QFETCH(QString, username);
        QFETCH(std::optional<ExternalIdentity>, external);
        PARLEY_VERIFY_ERROR(
            users().createUser({username, {}, {}, external}), StoreError::Kind::InvalidArgument);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 0);
    }

    void tokenVersionIsBumped()
    {
        const QString id = m_fixture.createUser(QStringLiteral("alice"));
        const QString other = m_fixture.createUser(QStringLiteral("bob"));
        for (int expected : {2, 3, 4}) {
            const auto bumped = users().bumpTokenVersion(id);
            PARLEY_VERIFY_OK(bumped);
            QCOMPARE(*bumped, expected);
        }
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {id}), 4);
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {other}), 1);
        const auto reread = users().userById(id);
        PARLEY_VERIFY_OK(reread);
        QCOMPARE(reread->tokenVersion, 4);
    }

    void passwordHashIsReplaced()
    {
        const auto created =
            users().createUser({QStringLiteral("alice"), {}, QStringLiteral("old-hash"), {}});
        PARLEY_VERIFY_OK(created);
        PARLEY_VERIFY_OK(users().setPasswordHash(created->user.id, QStringLiteral("new-hash")));
        const auto reread = users().userByUsername(QStringLiteral("alice"));
        PARLEY_VERIFY_OK(reread);
        QCOMPARE(reread->passwordHash, QStringLiteral("new-hash"));
        QCOMPARE(reread->tokenVersion, 1); // the authenticator bumps it, not the setter
    }

    void passwordChangeReplacesHashAndBumpsVersion()
    {
        const auto created =
            users().createUser({QStringLiteral("alice"), {}, QStringLiteral("old-hash"), {}});
        PARLEY_VERIFY_OK(created);
        const QString other = m_fixture.createUser(QStringLiteral("bob"));
        const auto version = users().replacePasswordHash(created->user.id, QStringLiteral("new-hash"));
        PARLEY_VERIFY_OK(version);
        QCOMPARE(*version, 2);
        const auto reread = users().userById(created->user.id);
        PARLEY_VERIFY_OK(reread);
        QCOMPARE(reread->passwordHash, QStringLiteral("new-hash"));
        QCOMPARE(reread->tokenVersion, 2);
        QCOMPARE(
            m_fixture.scalar(QStringLiteral("SELECT token_version FROM users WHERE id = ?"), {other}), 1);
        PARLEY_VERIFY_ERROR(users().replacePasswordHash(QStringLiteral("999"), QStringLiteral("x")),
            StoreError::Kind::NotFound);
    }

    void disabledUserStaysDisabled()
    {
        const QString id = m_fixture.createUser(QStringLiteral("alice"));
        const QString other = m_fixture.createUser(QStringLiteral("bob"));
        PARLEY_VERIFY_OK(users().disableUser(id));
        PARLEY_VERIFY_OK(users().disableUser(id)); // again: still fine
        const auto reread = users().userById(id);
        PARLEY_VERIFY_OK(reread);
        QVERIFY(reread->disabled);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT disabled FROM users WHERE id = ?"), {other}), 0);
    }

    void unknownUserIdsAreNotFound_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("missing row") << QStringLiteral("999");
        QTest::newRow("not a number") << QStringLiteral("abc");
        QTest::newRow("empty") << QString();
        QTest::newRow("leading zero") << QStringLiteral("01");
        QTest::newRow("negative") << QStringLiteral("-1");
        QTest::newRow("sql") << QStringLiteral("1 OR 1=1");
    }
    void unknownUserIdsAreNotFound()
    {
        QFETCH(QString, id);
        QVERIFY(!m_fixture.createUser(QStringLiteral("alice")).isEmpty()); // row 1 exists
        PARLEY_VERIFY_ERROR(users().userById(id), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(users().bumpTokenVersion(id), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(users().setPasswordHash(id, QStringLiteral("h")), StoreError::Kind::NotFound);
        PARLEY_VERIFY_ERROR(users().disableUser(id), StoreError::Kind::NotFound);
        QCOMPARE(m_fixture.scalar(QStringLiteral("SELECT token_version FROM users WHERE id = 1")), 1);
    }

    void listUsersIsOrderedByUsername()
    {
        for (const QString &name : {QStringLiteral("carol"), QStringLiteral("Bob"), QStringLiteral("alice")})
            QVERIFY(!m_fixture.createUser(name).isEmpty());
        const auto listed = users().listUsers();
        PARLEY_VERIFY_OK(listed);
        QStringList names;
        for (const UserAccount &account : *listed)
            names << account.user.username;
        QCOMPARE(
            names, (QStringList {QStringLiteral("alice"), QStringLiteral("Bob"), QStringLiteral("carol")}));
    }

private:
    UserRepository &users() { return m_fixture.store().users(); }

    StoreFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestUserRepository)
#include "tst_userrepository.moc"
