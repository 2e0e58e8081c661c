#include "protocol/catalogue.h"
#include "serverharness.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <csignal>
#include <sys/types.h>

using namespace parley;
using namespace parley::server::test;
using namespace std::chrono_literals;

namespace {

const QString Binary = QStringLiteral(PARLEY_SERVER_BINARY);
constexpr int ProcessTimeoutMs = 60000; // Argon2id and ASan make a command take a few seconds

struct Finished
{
    int exitCode = -1;
    QString out;
    QString err;
};

// A parley-server that serves: started with --listen 127.0.0.1:0, it is ready
// once it has printed "listening on 127.0.0.1:PORT".
class ServerProcess
{
public:
    ServerProcess() { m_process.setProgram(Binary); }
    ~ServerProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(ProcessTimeoutMs);
        }
    }

    // The port it announced, or 0 when it ended (or said nothing) instead.
    quint16 start(const QString &dataDir, const QStringList &extra = {})
    {
        m_process.setArguments(QStringList {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                   QStringLiteral("--data-dir"), dataDir} +
            extra);
        m_process.start();
        if (!m_process.waitForStarted(ProcessTimeoutMs))
            return 0;
        static const QRegularExpression announcement(
            QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)\\n$"));
        // One whole line: "canReadLine" waits across partial reads.
        [[maybe_unused]] const bool ended = QTest::qWaitFor(
            [this] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; },
            ProcessTimeoutMs);
        if (!m_process.canReadLine())
            return 0;
        m_line = QString::fromUtf8(m_process.readLine());
        const auto match = announcement.match(m_line);
        return match.hasMatch() ? match.captured(1).toUShort() : 0;
    }

    QString firstLine() const { return m_line; }
    QProcess &process() { return m_process; }

    // Waits for the process to end on its own.
    Finished finish()
    {
        [[maybe_unused]] const bool ended =
            QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, ProcessTimeoutMs);
        Finished finished;
        if (m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::NormalExit)
            finished.exitCode = m_process.exitCode();
        finished.out = QString::fromUtf8(m_process.readAllStandardOutput());
        finished.err = QString::fromUtf8(m_process.readAllStandardError());
        return finished;
    }

private:
    QProcess m_process;
    QString m_line;
};

QUrl socketUrl(quint16 port)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(port));
}

} // namespace

// The real parley-server executable: serving, refusing a second instance and a
// short key, stopping on SIGTERM, and the admin commands and their effect on a
// freshly started server.
class TestParleyServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void helpVersionAndBadValues();
    void servesWithAnAdminIssuedToken();
    void secretFileAndClosedRegistration();
    void secondInstanceAndAdminCommandsAreRefused();
    void shortSecretFileIsRefused();
    void sigtermTellsClientsAndExitsCleanly();
    void userCommands();
    void channelCommands();
    void disabledUserLosesTokens();

private:
    // One parley-server run to its end, with `input` on its stdin.
    Finished run(const QStringList &arguments, const QByteArray &input = {});
    Finished admin(const QStringList &arguments, const QByteArray &input = {})
    {
        return run(QStringList {QStringLiteral("--data-dir"), m_dataDir->path()} + arguments, input);
    }
    void addUser(const QString &name, const QByteArray &password = QByteArrayLiteral("correct horse\n"));
    QString tokenFor(const QString &name);

    std::unique_ptr<QTemporaryDir> m_dataDir;
};

void TestParleyServer::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
}

Finished TestParleyServer::run(const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.start(Binary, arguments);
    if (!process.waitForStarted(ProcessTimeoutMs))
        return {};
    process.write(input);
    process.closeWriteChannel();
    Finished finished;
    if (process.waitForFinished(ProcessTimeoutMs) && process.exitStatus() == QProcess::NormalExit)
        finished.exitCode = process.exitCode();
    finished.out = QString::fromUtf8(process.readAllStandardOutput());
    finished.err = QString::fromUtf8(process.readAllStandardError());
    return finished;
}

void TestParleyServer::addUser(const QString &name, const QByteArray &password)
{
    const Finished added = admin(
        {QStringLiteral("user"), QStringLiteral("add"), name, QStringLiteral("--password-stdin")}, password);
    QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    QVERIFY2(added.out.startsWith(QStringLiteral("created user %1 (id ").arg(name.toLower())),
        qPrintable(added.out));
}

QString TestParleyServer::tokenFor(const QString &name)
{
    const Finished issued = admin({QStringLiteral("token"), name});
    if (issued.exitCode != 0) {
        qWarning().noquote() << "token failed:" << issued.err;
        return {};
    }
    return issued.out.trimmed();
}

void TestParleyServer::helpVersionAndBadValues()
{
    const Finished help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(QLatin1String("--listen <HOST:PORT>")));
    QVERIFY(help.out.contains(QLatin1String("Examples:")));

    const Finished version = run({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("parley-server 0.1.0\n"));

    const Finished bad = run({QStringLiteral("--event-rate"), QStringLiteral("fast")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.out.isEmpty());
    QCOMPARE(bad.err,
        QStringLiteral("parley-server: --event-rate expects a whole number from 1 to 10000, got \"fast\"\n"));

    const Finished badAdmin = admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("x")});
    QCOMPARE(badAdmin.exitCode, 2);
    QVERIFY(badAdmin.err.contains(QLatin1String("NAME must be 2-32")));
}

void TestParleyServer::servesWithAnAdminIssuedToken()
{
    addUser(QStringLiteral("alice"));
    const QString token = tokenFor(QStringLiteral("alice"));
    QCOMPARE(token.count(QLatin1Char('.')), 2);

    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path());
    if (port == 0)
        QFAIL(qPrintable(server.firstLine() + server.finish().err));
    QVERIFY(QFile::exists(m_dataDir->filePath(QStringLiteral("parley.db"))));

    TestClient client(socketUrl(port));
    const auto ready = client.connectMain(token);
    QVERIFY(ready);
    const QJsonObject user = ready->value(QStringLiteral("user")).toObject();
    QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("alice"));
    QCOMPARE(user.value(QStringLiteral("displayName")).toString(), QStringLiteral("alice"));

    // The password given on stdin (without its newline) is the account's password.
    TestClient login(socketUrl(port));
    QVERIFY(login.connectAuth());
    const auto ack = login.request(QStringLiteral("/auth"), QStringLiteral("auth:login"),
        QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")},
            {QStringLiteral("password"), QStringLiteral("correct horse")}});
    QVERIFY(isSuccess(ack));
}

void TestParleyServer::secretFileAndClosedRegistration()
{
    addUser(QStringLiteral("alice"));
    const QString secretPath = m_dataDir->filePath(QStringLiteral("secret"));
    QFile secret(secretPath);
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write(QByteArray("0123456789abcdef").repeated(4) + '\n');
    secret.close();
    const QStringList secretOption {QStringLiteral("--jwt-secret-file"), secretPath};

    const Finished signedWithFile =
        admin(QStringList {QStringLiteral("token"), QStringLiteral("alice")} + secretOption);
    QCOMPARE(signedWithFile.exitCode, 0);
    const QString dataDirToken = tokenFor(QStringLiteral("alice")); // signed with DIR/jwt-secret instead

    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path(),
        secretOption + QStringList {QStringLiteral("--registration"), QStringLiteral("closed")});
    QVERIFY(port != 0);
    TestClient client(socketUrl(port));
    QVERIFY(client.connectMain(signedWithFile.out.trimmed()));
    TestClient wrongKey(socketUrl(port));
    QVERIFY(!wrongKey.connectMain(dataDirToken));
    QCOMPARE(wrongKey.refusal()
                 .toObject()
                 .value(QStringLiteral("data"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
        QStringLiteral("AUTH_INVALID"));

    TestClient newcomer(socketUrl(port));
    QVERIFY(newcomer.connectAuth());
    const auto registered = newcomer.request(QStringLiteral("/auth"), QStringLiteral("auth:register"),
        QJsonObject {{QStringLiteral("username"), QStringLiteral("carol")},
            {QStringLiteral("password"), QStringLiteral("correct horse")}});
    QCOMPARE(errorCode(registered), QStringLiteral("REGISTRATION_CLOSED"));
}

void TestParleyServer::secondInstanceAndAdminCommandsAreRefused()
{
    addUser(QStringLiteral("alice"));
    ServerProcess first;
    QVERIFY(first.start(m_dataDir->path()) != 0);
    const QString pid = QString::number(first.process().processId());

    ServerProcess second;
    QCOMPARE(second.start(m_dataDir->path()), quint16(0));
    const Finished refused = second.finish();
    QCOMPARE(refused.exitCode, 1);
    QVERIFY(refused.out.isEmpty());
    QVERIFY2(refused.err.contains(
                 QStringLiteral("Another Parley server (process %1) is using the data directory").arg(pid)),
        qPrintable(refused.err));

    const QList<QStringList> commands {
        {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob"),
            QStringLiteral("--password-stdin")},
        {QStringLiteral("user"), QStringLiteral("list")},
        {QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("alice")},
        {QStringLiteral("token"), QStringLiteral("alice")},
        {QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("general"),
            QStringLiteral("--member"), QStringLiteral("alice")},
        {QStringLiteral("channel"), QStringLiteral("list")},
    };
    for (const QStringList &command : commands) {
        const Finished result = admin(command, QByteArrayLiteral("correct horse\n"));
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.out.isEmpty());
        QVERIFY2(result.err.contains(
                     QStringLiteral("a Parley server (process %1) is using the data directory").arg(pid)),
            qPrintable(result.err));
    }
    QCOMPARE(first.process().state(), QProcess::Running);
}

void TestParleyServer::shortSecretFileIsRefused()
{
    const QString secretPath = m_dataDir->filePath(QStringLiteral("short-secret"));
    QFile secret(secretPath);
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("only-20-bytes-long!!\n");
    secret.close();

    ServerProcess server;
    QCOMPARE(server.start(m_dataDir->filePath(QStringLiteral("data")),
                 {QStringLiteral("--jwt-secret-file"), secretPath}),
        quint16(0));
    const Finished refused = server.finish();
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QLatin1String("20 bytes long; at least 32 are required")),
        qPrintable(refused.err));
}

void TestParleyServer::sigtermTellsClientsAndExitsCleanly()
{
    addUser(QStringLiteral("alice"));
    const QString token = tokenFor(QStringLiteral("alice"));
    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path());
    QVERIFY(port != 0);
    TestClient client(socketUrl(port));
    QVERIFY(client.connectMain(token));

    server.process().terminate(); // SIGTERM
    QVERIFY(client.waitForEvents(protocol::event::ConnectionClosing));
    const auto closing = client.eventsNamed(protocol::event::ConnectionClosing);
    QCOMPARE(closing.size(), 1);
    QCOMPARE(closing.first().payload.toObject().value(QStringLiteral("code")).toString(),
        QStringLiteral("SERVER_SHUTDOWN"));
    QVERIFY(client.waitForClose());
    const Finished finished = server.finish();
    QVERIFY2(finished.exitCode == 0, qPrintable(finished.err));

    // The lock and the database were let go: the admin commands work again.
    const Finished users = admin({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(users.exitCode, 0);

    // SIGINT (Ctrl+C) as well, with nobody connected.
    ServerProcess again;
    QVERIFY(again.start(m_dataDir->path()) != 0);
    ::kill(static_cast<pid_t>(again.process().processId()), SIGINT);
    QCOMPARE(again.finish().exitCode, 0);
}

void TestParleyServer::userCommands()
{
    addUser(QStringLiteral("Bob")); // stored folded, as auth:register stores it
    const Finished withDisplayName =
        admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                  QStringLiteral("--display-name"), QStringLiteral("Alice Liddell"),
                  QStringLiteral("--password-stdin")},
            QByteArrayLiteral("through the looking glass\r\n"));
    QCOMPARE(withDisplayName.exitCode, 0);

    const Finished taken = admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ALICE"),
                                     QStringLiteral("--password-stdin")},
        QByteArrayLiteral("another password\n"));
    QCOMPARE(taken.exitCode, 1);
    QCOMPARE(taken.err, QStringLiteral("parley-server: user add: the username alice is taken\n"));

    const Finished shortPassword = admin({QStringLiteral("user"), QStringLiteral("add"),
                                             QStringLiteral("carol"), QStringLiteral("--password-stdin")},
        QByteArrayLiteral("short\n"));
    QCOMPARE(shortPassword.exitCode, 1);
    QVERIFY(
        shortPassword.err.contains(QLatin1String("the password on standard input must be 8 to 1024 bytes")));
    const Finished noPassword = admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("carol"),
        QStringLiteral("--password-stdin")});
    QCOMPARE(noPassword.exitCode, 1);

    const Finished listed = admin({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(listed.exitCode, 0);
    const QStringList lines = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith(QLatin1String("ID")));
    const QRegularExpression alice(QStringLiteral("^\\d+\\s+alice\\s+active\\s+Alice Liddell$"));
    const QRegularExpression bob(QStringLiteral("^\\d+\\s+bob\\s+active\\s+bob$"));
    QVERIFY2(alice.match(lines[1]).hasMatch(), qPrintable(lines[1]));
    QVERIFY2(bob.match(lines[2]).hasMatch(), qPrintable(lines[2]));

    const Finished unknown =
        admin({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("nobody")});
    QCOMPARE(unknown.exitCode, 1);
    QCOMPARE(unknown.err, QStringLiteral("parley-server: user disable: no user named nobody\n"));
    QCOMPARE(admin({QStringLiteral("token"), QStringLiteral("nobody")}).exitCode, 1);

    // The CRLF-terminated password works without its line end.
    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path());
    QVERIFY(port != 0);
    TestClient client(socketUrl(port));
    QVERIFY(client.connectAuth());
    const auto ack = client.request(QStringLiteral("/auth"), QStringLiteral("auth:login"),
        QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")},
            {QStringLiteral("password"), QStringLiteral("through the looking glass")}});
    QVERIFY(isSuccess(ack));
    QCOMPARE(ack->value(QStringLiteral("user")).toObject().value(QStringLiteral("displayName")).toString(),
        QStringLiteral("Alice Liddell"));
}

void TestParleyServer::channelCommands()
{
    addUser(QStringLiteral("alice"));
    addUser(QStringLiteral("bob"));
    const Finished general =
        admin({QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("general"),
            QStringLiteral("--topic"), QStringLiteral("Say hi"), QStringLiteral("--member"),
            QStringLiteral("alice"), QStringLiteral("--member"), QStringLiteral("bob")});
    QVERIFY2(general.exitCode == 0, qPrintable(general.err));
    QVERIFY2(general.out.startsWith(QLatin1String("created public channel general (id ")),
        qPrintable(general.out));
    const Finished secret =
        admin({QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("secret"),
            QStringLiteral("--private"), QStringLiteral("--member"), QStringLiteral("alice")});
    QCOMPARE(secret.exitCode, 0);

    const Finished duplicate = admin({QStringLiteral("channel"), QStringLiteral("create"),
        QStringLiteral("GENERAL"), QStringLiteral("--member"), QStringLiteral("bob")});
    QCOMPARE(duplicate.exitCode, 1);
    QCOMPARE(
        duplicate.err, QStringLiteral("parley-server: channel create: a channel named GENERAL exists\n"));
    const Finished unknownMember = admin({QStringLiteral("channel"), QStringLiteral("create"),
        QStringLiteral("other"), QStringLiteral("--member"), QStringLiteral("alice"),
        QStringLiteral("--member"), QStringLiteral("nobody")});
    QCOMPARE(unknownMember.exitCode, 1);
    QCOMPARE(unknownMember.err, QStringLiteral("parley-server: channel create: no user named nobody\n"));

    const Finished listed = admin({QStringLiteral("channel"), QStringLiteral("list")});
    QCOMPARE(listed.exitCode, 0);
    const QStringList lines = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header, general, secret: "other" was never created
    QVERIFY(lines[0].startsWith(QLatin1String("ID")));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\s+general\\s+public\\s+2\\s+0\\s+Say hi$"))
                 .match(lines[1])
                 .hasMatch(),
        qPrintable(lines[1]));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\s+secret\\s+private\\s+1\\s+0$"))
                 .match(lines[2])
                 .hasMatch(),
        qPrintable(lines[2]));

    // A server started on the data dir sees the channels and memberships.
    const QString aliceToken = tokenFor(QStringLiteral("alice"));
    const QString bobToken = tokenFor(QStringLiteral("bob"));
    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path());
    QVERIFY(port != 0);
    const auto channelNames = [](const QJsonObject &ready) {
        QStringList names;
        for (const QJsonValue channel : ready.value(QStringLiteral("channels")).toArray())
            names.append(channel.toObject().value(QStringLiteral("name")).toString());
        return names;
    };
    TestClient alice(socketUrl(port));
    const auto aliceReady = alice.connectMain(aliceToken);
    QVERIFY(aliceReady);
    QCOMPARE(channelNames(*aliceReady), QStringList({QStringLiteral("general"), QStringLiteral("secret")}));
    TestClient bob(socketUrl(port));
    const auto bobReady = bob.connectMain(bobToken);
    QVERIFY(bobReady);
    QCOMPARE(channelNames(*bobReady), QStringList({QStringLiteral("general")}));
    const QJsonObject generalChannel =
        bobReady->value(QStringLiteral("channels")).toArray().first().toObject();
    QCOMPARE(generalChannel.value(QStringLiteral("topic")).toString(), QStringLiteral("Say hi"));
    QCOMPARE(generalChannel.value(QStringLiteral("isPrivate")).toBool(), false);
}

void TestParleyServer::disabledUserLosesTokens()
{
    addUser(QStringLiteral("alice"));
    const QString oldToken = tokenFor(QStringLiteral("alice"));
    QVERIFY(!oldToken.isEmpty());

    const Finished disabled =
        admin({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("alice")});
    QCOMPARE(disabled.exitCode, 0);
    QVERIFY(disabled.out.startsWith(QLatin1String("disabled user alice")));
    const Finished listed = admin({QStringLiteral("user"), QStringLiteral("list")});
    QVERIFY(QRegularExpression(QStringLiteral("\\balice\\s+disabled\\b")).match(listed.out).hasMatch());
    const Finished noToken = admin({QStringLiteral("token"), QStringLiteral("alice")});
    QCOMPARE(noToken.exitCode, 1);
    QCOMPARE(noToken.err, QStringLiteral("parley-server: token: the user alice is disabled\n"));

    ServerProcess server;
    const quint16 port = server.start(m_dataDir->path());
    QVERIFY(port != 0);
    TestClient client(socketUrl(port));
    QVERIFY(!client.connectMain(oldToken));
    QCOMPARE(client.refusal()
                 .toObject()
                 .value(QStringLiteral("data"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
        QStringLiteral("AUTH_INVALID"));
}

QTEST_GUILESS_MAIN(TestParleyServer)
#include "tst_parleyserver.moc"
