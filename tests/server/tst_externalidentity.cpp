#include "../auth/idpforge.h"
#include "core/externalusers.h"
#include "serverharness.h"
#include "store/chatstore.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>

using namespace parley;
using namespace parley::server;
using namespace parley::server::test;

// Users of an external identity provider (--jwt-public-key): provisioned on first
// sight, keyed by (iss, sub), named after their profile, and connected live with
// the provider's RS256 token beside Parley's own HS256 ones.
class TestExternalIdentity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void usernameBase_data();
    void usernameBase();
    void provisionsOncePerIdentity();
    void suffixFitsTheLongestName();
    void connectsLiveWithAnRs256Token();
    void refusesBadKeysAtStart_data();
    void refusesBadKeysAtStart();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);

    QTemporaryDir m_dir;
    idpforge::Key m_rsa;
};

namespace {

const QString Issuer = QStringLiteral("https://clerk.example.org");

auth::TokenClaims identity(const QString &sub, const QString &name, const QString &preferred = {})
{
    auth::TokenClaims claims;
    claims.issuer = Issuer;
    claims.subject = sub;
    claims.name = name;
    claims.preferredUsername = preferred;
    claims.expiresAt = QDateTime::currentSecsSinceEpoch() + 600;
    return claims;
}

QString usernameOf(store::ChatStore &store, const QString &userId)
{
    const auto account = store.users().userById(userId);
    return account ? account->user.username : QString();
}

} // namespace

void TestExternalIdentity::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_rsa = idpforge::rsaKey();
    QVERIFY(!m_rsa.publicPem.isEmpty());
}

QString TestExternalIdentity::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestExternalIdentity::usernameBase_data()
{
    QTest::addColumn<QString>("preferred");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");

    QTest::newRow("name") << QString() << QStringLiteral("Ada Lovelace") << QStringLiteral("adalovelace");
    QTest::newRow("preferred wins") << QStringLiteral("Grace.Hopper_1") << QStringLiteral("Grace Hopper")
                                    << QStringLiteral("grace.hopper_1");
    QTest::newRow("non-ASCII dropped")
        << QString() << QStringLiteral("Zoë Ångström-K") << QStringLiteral("zongstrm-k");
    QTest::newRow("Kelvin sign is not k") << QString() << QStringLiteral("\u212Aim") << QStringLiteral("im");
    QTest::newRow("preferred too short, name used")
        << QStringLiteral("!") << QStringLiteral("Bo") << QStringLiteral("bo");
    QTest::newRow("nothing usable") << QStringLiteral("?") << QStringLiteral("李") << QStringLiteral("user");
    QTest::newRow("nothing at all") << QString() << QString() << QStringLiteral("user");
    QTest::newRow("cut to 32") << QString(40, QLatin1Char('a')) << QString() << QString(32, QLatin1Char('a'));
}

void TestExternalIdentity::usernameBase()
{
    QFETCH(QString, preferred);
    QFETCH(QString, name);
    QFETCH(QString, expected);
    QCOMPARE(externalUsernameBase(preferred, name), expected);
}

void TestExternalIdentity::provisionsOncePerIdentity()
{
    store::ChatStore store;
    QVERIFY(store.open(QStringLiteral(":memory:")));
    // A local account already holds the name the third provider user would get.
    store::NewUser local;
    local.username = QStringLiteral("adalovelace-3");
    local.displayName = QStringLiteral("Local Ada");
    local.passwordHash = QStringLiteral("x");
    QVERIFY(store.users().createUser(local));

    const auto first =
        resolveExternalUser(store, identity(QStringLiteral("user_1"), QStringLiteral("Ada Lovelace")));
    QVERIFY(first);
    QCOMPARE(usernameOf(store, *first), QStringLiteral("adalovelace"));
    const auto account = store.users().userById(*first);
    QVERIFY(account);
    QCOMPARE(account->user.displayName, QStringLiteral("Ada Lovelace"));
    QVERIFY(account->passwordHash.isEmpty());
    QCOMPARE(account->external, std::optional(store::ExternalIdentity {Issuer, QStringLiteral("user_1")}));

    const auto second =
        resolveExternalUser(store, identity(QStringLiteral("user_2"), QStringLiteral("Ada Lovelace")));
    QVERIFY(second);
    QVERIFY(*second != *first);
    QCOMPARE(usernameOf(store, *second), QStringLiteral("adalovelace-2"));

    const auto third =
        resolveExternalUser(store, identity(QStringLiteral("user_3"), QStringLiteral("ADA lovelace")));
    QVERIFY(third);
    QCOMPARE(usernameOf(store, *third), QStringLiteral("adalovelace-4"));

    // The same (iss, sub) again, even renamed at the provider: the same user.
    const auto again =
        resolveExternalUser(store, identity(QStringLiteral("user_1"), QStringLiteral("Ada King")));
    QVERIFY(again);
    QCOMPARE(*again, *first);
    QCOMPARE(usernameOf(store, *again), QStringLiteral("adalovelace"));

    // The same sub from another issuer is another person.
    auth::TokenClaims foreign = identity(QStringLiteral("user_1"), QStringLiteral("Ada Lovelace"));
    foreign.issuer = QStringLiteral("https://other.example.org");
    const auto other = resolveExternalUser(store, foreign);
    QVERIFY(other);
    QVERIFY(*other != *first);
    QCOMPARE(usernameOf(store, *other), QStringLiteral("adalovelace-5"));

    const auto users = store.users().listUsers();
    QVERIFY(users);
    QCOMPARE(users->size(), 5);
}

void TestExternalIdentity::suffixFitsTheLongestName()
{
    store::ChatStore store;
    QVERIFY(store.open(QStringLiteral(":memory:")));
    const QString longName(40, QLatin1Char('z'));
    const auto first = resolveExternalUser(store, identity(QStringLiteral("a"), longName));
    const auto second = resolveExternalUser(store, identity(QStringLiteral("b"), longName));
    QVERIFY(first);
    QVERIFY(second);
    QCOMPARE(usernameOf(store, *first), QString(32, QLatin1Char('z')));
    QCOMPARE(usernameOf(store, *second), QString(30, QLatin1Char('z')) + QStringLiteral("-2"));
}

void TestExternalIdentity::connectsLiveWithAnRs256Token()
{
    ServerConfig config;
    config.jwtPublicKeyFile = writeFile(QStringLiteral("idp.pem"), m_rsa.publicPem);
    config.jwtIssuer = Issuer;
    config.jwtAudience = QStringLiteral("parley");
    config.jwtKeyId = QStringLiteral("ins_1");
    TestServer server(TestServer::Storage::Memory, config);
    QVERIFY(server.start());

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto tokenFor = [&](const QByteArray &sub, const QByteArray &kid = "ins_1") {
        return QString::fromLatin1(idpforge::sign(m_rsa, idpforge::header(m_rsa, kid),
            idpforge::claims(Issuer.toLatin1(), "parley", sub, now + 600, now, "\"name\":\"Ada Lovelace\"")));
    };

    TestClient ada(server.url());
    const auto ready = ada.connectMain(tokenFor("user_ada"));
    QVERIFY2(ready, qPrintable(QString::fromUtf8(QJsonDocument(ada.refusal().toObject()).toJson())));
    const QJsonObject user = ready->value(QStringLiteral("user")).toObject();
    QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("adalovelace"));
    QCOMPARE(user.value(QStringLiteral("displayName")).toString(), QStringLiteral("Ada Lovelace"));
    const QString adaId = user.value(QStringLiteral("id")).toString();
    QVERIFY(!adaId.isEmpty());

    // The same identity again: the same Parley user, no new account.
    TestClient again(server.url());
    const auto readyAgain = again.connectMain(tokenFor("user_ada"));
    QVERIFY(readyAgain);
    QCOMPARE(
        readyAgain->value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString(), adaId);

    // A namesake from another sub.
    TestClient namesake(server.url());
    const auto readyNamesake = namesake.connectMain(tokenFor("user_other"));
    QVERIFY(readyNamesake);
    QCOMPARE(
        readyNamesake->value(QStringLiteral("user")).toObject().value(QStringLiteral("username")).toString(),
        QStringLiteral("adalovelace-2"));

    // Parley's own tokens keep working on the same server.
    const auto bob = server.createUser(QStringLiteral("bob"));
    TestClient bobClient(server.url());
    QVERIFY(bobClient.connectMain(bob.token));

    const auto refusedWith = [&](const QString &token) {
        TestClient client(server.url());
        if (client.connectMain(token))
            return QStringLiteral("accepted");
        return client.refusal()
            .toObject()
            .value(QStringLiteral("data"))
            .toObject()
            .value(QStringLiteral("code"))
            .toString();
    };
    QCOMPARE(refusedWith(tokenFor("user_ada", "ins_2")), QStringLiteral("AUTH_INVALID"));
    const QByteArray confused = idpforge::b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + '.' +
        idpforge::b64(idpforge::claims(Issuer.toLatin1(), "parley", "user_ada", now + 600, now));
    QCOMPARE(refusedWith(QString::fromLatin1(confused + '.' +
                 idpforge::b64(QMessageAuthenticationCode::hash(
                     confused, m_rsa.publicPem, QCryptographicHash::Sha256)))),
        QStringLiteral("AUTH_INVALID"));

    // auth:refresh trades a provider token for a Parley token of the same account.
    TestClient refresher(server.url());
    QVERIFY(refresher.connectAuth());
    const auto refreshed = refresher.request(QStringLiteral("/auth"), QStringLiteral("auth:refresh"),
        QJsonObject {{QStringLiteral("token"), tokenFor("user_ada")}});
    QVERIFY(isSuccess(refreshed));
    const QString parleyToken = refreshed->value(QStringLiteral("token")).toString();
    QVERIFY(parleyToken.count(QLatin1Char('.')) == 2);
    TestClient withParleyToken(server.url());
    const auto readyParley = withParleyToken.connectMain(parleyToken);
    QVERIFY(readyParley);
    QCOMPARE(
        readyParley->value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString(), adaId);

    // A disabled provider user is refused although the provider still vouches for them.
    QVERIFY(server.server().store().users().disableUser(adaId));
    QCOMPARE(refusedWith(tokenFor("user_ada")), QStringLiteral("AUTH_INVALID"));
}

void TestExternalIdentity::refusesBadKeysAtStart_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("issuer");
    QTest::addColumn<QString>("expected"); // in the start error

    QTest::newRow("missing file") << m_dir.filePath(QStringLiteral("nope.pem")) << Issuer
                                  << QStringLiteral("cannot read");
    QTest::newRow("not PEM") << writeFile(QStringLiteral("junk.pem"), "junk") << Issuer
                             << QStringLiteral("not a PEM public key");
    std::shared_ptr<EVP_PKEY> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), EVP_PKEY_free);
    QTest::newRow("EC P-384") << writeFile(QStringLiteral("p384.pem"), idpforge::publicPemOf(p384.get()))
                              << Issuer << QStringLiteral("P-256");
    QTest::newRow("no issuer") << writeFile(QStringLiteral("good.pem"), m_rsa.publicPem) << QString()
                               << QStringLiteral("--jwt-issuer");
}

void TestExternalIdentity::refusesBadKeysAtStart()
{
    QFETCH(QString, file);
    QFETCH(QString, issuer);
    QFETCH(QString, expected);
    ServerConfig config;
    config.port = 0;
    config.jwtPublicKeyFile = file;
    config.jwtIssuer = issuer;
    ChatServer server(config);
    const auto started = server.start();
    QVERIFY(!started);
    QVERIFY2(started.error().message.contains(expected), qPrintable(started.error().message));
}

QTEST_GUILESS_MAIN(TestExternalIdentity)
#include "tst_externalidentity.moc"
