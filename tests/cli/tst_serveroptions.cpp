#include "cli/serveroptions.h"

#include <QTemporaryDir>
#include <QTest>

using namespace parley::server;
using namespace parley::server::app;
using Verb = AdminCommand::Verb;

// parley-server's command line without a process: every option into the
// ServerConfig, every bad value into a one-line error naming the option.
class TestServerOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaults();
    void everyOption();
    void listenForms_data();
    void listenForms();
    void anyAudienceIsExplicit();
    void burstFollowsRate();
    void commitWindowBounds();
    void badValues_data();
    void badValues();
    void helpAndVersion();
    void adminCommands();
    void adminBadCommands_data();
    void adminBadCommands();
    void adminHelp();
    void resourceLimits();

private:
    static ServerOptions::Parsed parse(const QStringList &arguments)
    {
        return ServerOptions::parse(QStringList {QStringLiteral("parley-server")} + arguments);
    }
    static Invocation parsedOk(const QStringList &arguments)
    {
        const auto parsed = parse(arguments);
        if (!parsed)
            qWarning().noquote() << "unexpected error:" << parsed.error().message;
        return parsed ? *parsed : Invocation {};
    }

    QTemporaryDir m_xdgData;
};

void TestServerOptions::initTestCase()
{
    QVERIFY(m_xdgData.isValid());
    qputenv("XDG_DATA_HOME", m_xdgData.path().toLocal8Bit());
}

void TestServerOptions::defaults()
{
    const auto parsed = parse({});
    QVERIFY(parsed);
    QCOMPARE(parsed->kind, Invocation::Kind::Serve);
    const ServerConfig &config = parsed->config;
    QCOMPARE(config.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(config.port, quint16(7275));
    QCOMPARE(config.dataDir, m_xdgData.path() + QStringLiteral("/parley/server"));
    QVERIFY(config.databasePath.isEmpty());
    QVERIFY(config.registrationOpen);
    QCOMPARE(config.webSocket, parley::server::WebSocketTransport::Native);
    QVERIFY(config.jwtSecretFile.isEmpty());
    QVERIFY(config.allowedOrigins.isEmpty());
    QVERIFY(config.jwtPublicKeyFile.isEmpty());
    QVERIFY(config.jwtIssuer.isEmpty());
    QVERIFY(config.jwtAudience.isEmpty());
    QVERIFY(config.jwtKeyId.isEmpty());
    QCOMPARE(config.limits.maxPayload, 1000000);
    QCOMPARE(config.limits.eventRate, 20);
    QCOMPARE(config.limits.eventBurst, 40);
    QCOMPARE(config.limits.authPerMinute, 10);
    QCOMPARE(config.limits.historyPage, 50);
    QCOMPARE(config.limits.sendQueueBytes, 1024 * 1024);
    QCOMPARE(config.commitWindow, std::chrono::milliseconds(2));
}

void TestServerOptions::everyOption()
{
    const Invocation invocation = parsedOk({QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8080"),
        QStringLiteral("--data-dir"), QStringLiteral("/srv/parley"), QStringLiteral("--registration"),
        QStringLiteral("closed"), QStringLiteral("--jwt-secret-file"), QStringLiteral("/etc/parley/secret"),
        QStringLiteral("--allowed-origin"), QStringLiteral("https://chat.example.org"),
        QStringLiteral("--allowed-origin"), QStringLiteral("http://localhost:5173"),
        QStringLiteral("--jwt-public-key"), QStringLiteral("/etc/parley/idp.pem"),
        QStringLiteral("--jwt-issuer"), QStringLiteral("https://clerk.example.org"),
        QStringLiteral("--jwt-audience"), QStringLiteral("parley"), QStringLiteral("--jwt-key-id"),
        QStringLiteral("ins_1"), QStringLiteral("--max-payload"), QStringLiteral("2048"),
        QStringLiteral("--event-rate"), QStringLiteral("5"), QStringLiteral("--event-burst"),
        QStringLiteral("7"), QStringLiteral("--auth-rate"), QStringLiteral("3"),
        QStringLiteral("--history-page"), QStringLiteral("100"), QStringLiteral("--send-queue"),
        QStringLiteral("65536"), QStringLiteral("--commit-window"), QStringLiteral("25"),
        QStringLiteral("--websocket"), QStringLiteral("qt")});
    QCOMPARE(invocation.kind, Invocation::Kind::Serve);
    const ServerConfig &config = invocation.config;
    QCOMPARE(config.address, QHostAddress(QStringLiteral("0.0.0.0")));
    QCOMPARE(config.port, quint16(8080));
    QCOMPARE(config.dataDir, QStringLiteral("/srv/parley"));
    QVERIFY(!config.registrationOpen);
    QCOMPARE(config.jwtSecretFile, QStringLiteral("/etc/parley/secret"));
    QCOMPARE(config.allowedOrigins,
        QStringList({QStringLiteral("https://chat.example.org"), QStringLiteral("http://localhost:5173")}));
    QCOMPARE(config.jwtPublicKeyFile, QStringLiteral("/etc/parley/idp.pem"));
    QCOMPARE(config.jwtIssuer, QStringLiteral("https://clerk.example.org"));
    QCOMPARE(config.jwtAudience, QStringLiteral("parley"));
    QCOMPARE(config.jwtKeyId, QStringLiteral("ins_1"));
    QVERIFY(!config.jwtAudienceAny);
    QCOMPARE(config.limits.maxPayload, 2048);
    QCOMPARE(config.limits.eventRate, 5);
    QCOMPARE(config.limits.eventBurst, 7);
    QCOMPARE(config.limits.authPerMinute, 3);
    QCOMPARE(config.limits.historyPage, 100);
    QCOMPARE(config.limits.sendQueueBytes, 65536);
    QCOMPARE(config.commitWindow, std::chrono::milliseconds(25));
    QCOMPARE(config.webSocket, parley::server::WebSocketTransport::Qt);

    // "--opt=value" works as well as "--opt value".
    const Invocation equals =
        parsedOk({QStringLiteral("--registration=open"), QStringLiteral("--listen=[::1]:0")});
    QVERIFY(equals.config.registrationOpen);
    QCOMPARE(parsedOk({QStringLiteral("--websocket=native")}).config.webSocket,
        parley::server::WebSocketTransport::Native);
    QCOMPARE(equals.config.address, QHostAddress(QHostAddress::LocalHostIPv6));
}

void TestServerOptions::listenForms_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QHostAddress>("address");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:7000") << QHostAddress(QHostAddress::LocalHost)
                          << 7000;
    QTest::newRow("any ipv4") << QStringLiteral("0.0.0.0:80") << QHostAddress(QStringLiteral("0.0.0.0"))
                              << 80;
    QTest::newRow("free port") << QStringLiteral("127.0.0.1:0") << QHostAddress(QHostAddress::LocalHost) << 0;
    QTest::newRow("ipv6") << QStringLiteral("[::1]:65535") << QHostAddress(QHostAddress::LocalHostIPv6)
                          << 65535;
    QTest::newRow("any ipv6") << QStringLiteral("[::]:7275") << QHostAddress(QStringLiteral("::")) << 7275;
    QTest::newRow("localhost") << QStringLiteral("localhost:9") << QHostAddress(QHostAddress::LocalHost) << 9;
}

void TestServerOptions::listenForms()
{
    QFETCH(QString, value);
    QFETCH(QHostAddress, address);
    QFETCH(int, port);
    const auto parsed = parse({QStringLiteral("--listen"), value});
    QVERIFY(parsed);
    QCOMPARE(parsed->config.address, address);
    QCOMPARE(int(parsed->config.port), port);
}

void TestServerOptions::anyAudienceIsExplicit()
{
    const Invocation invocation = parsedOk({QStringLiteral("--jwt-public-key"), QStringLiteral("/idp.pem"),
        QStringLiteral("--jwt-issuer"), QStringLiteral("https://idp"), QStringLiteral("--jwt-audience-any")});
    QVERIFY(invocation.config.jwtAudienceAny);
    QVERIFY(invocation.config.jwtAudience.isEmpty());
    QVERIFY(!parsedOk({}).config.jwtAudienceAny);
}

void TestServerOptions::burstFollowsRate()
{
    // Without --event-burst the burst is twice the rate, so a raised rate is usable.
    QCOMPARE(parsedOk({QStringLiteral("--event-rate"), QStringLiteral("100")}).config.limits.eventBurst, 200);
    QCOMPARE(parsedOk({QStringLiteral("--event-rate"), QStringLiteral("10"), QStringLiteral("--event-burst"),
                          QStringLiteral("10")})
                 .config.limits.eventBurst,
        10);
}

void TestServerOptions::commitWindowBounds()
{
    const QString window = QStringLiteral("--commit-window");
    // 0: no group-commit wait; 1000 ms the largest window, since every ack waits for it.
    QCOMPARE(parsedOk({window, QStringLiteral("0")}).config.commitWindow, std::chrono::milliseconds(0));
    QCOMPARE(parsedOk({window, QStringLiteral("1000")}).config.commitWindow, std::chrono::milliseconds(1000));
}

void TestServerOptions::badValues_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected"); // the error must contain this
    const auto row = [](const char *name, QStringList arguments, const QString &expected) {
        QTest::newRow(name) << arguments << expected;
    };
    const QString listen = QStringLiteral("--listen");
    const QString listenError = QStringLiteral("--listen expects HOST:PORT");
    row("listen word", {listen, QStringLiteral("nope")}, listenError);
    row("listen no port", {listen, QStringLiteral("127.0.0.1")}, listenError);
    row("listen empty port", {listen, QStringLiteral("127.0.0.1:")}, listenError);
    row("listen port too big", {listen, QStringLiteral("127.0.0.1:65536")}, listenError);
    row("listen negative port", {listen, QStringLiteral("127.0.0.1:-1")}, listenError);
    row("listen no host", {listen, QStringLiteral(":7275")}, listenError);
    row("listen hostname", {listen, QStringLiteral("example.org:80")}, listenError);
    row("listen bad ipv4", {listen, QStringLiteral("300.1.1.1:80")}, listenError);
    row("listen ipv6 unbracketed", {listen, QStringLiteral("::1:80")}, listenError);
    row("listen ipv4 bracketed", {listen, QStringLiteral("[127.0.0.1]:80")}, listenError);
    row("listen missing value", {listen}, QStringLiteral("Missing value after '--listen'"));
    row("data dir empty", {QStringLiteral("--data-dir"), QString()},
        QStringLiteral("--data-dir expects a directory"));
    row("registration", {QStringLiteral("--registration"), QStringLiteral("maybe")},
        QStringLiteral("--registration expects open or closed, got \"maybe\""));
    row("registration case", {QStringLiteral("--registration"), QStringLiteral("Open")},
        QStringLiteral("--registration expects open or closed"));
    row("websocket", {QStringLiteral("--websocket"), QStringLiteral("light")},
        QStringLiteral("--websocket expects native or qt, got \"light\""));
    row("websocket case", {QStringLiteral("--websocket"), QStringLiteral("Qt")},
        QStringLiteral("--websocket expects native or qt"));
    row("secret empty", {QStringLiteral("--jwt-secret-file"), QString()},
        QStringLiteral("--jwt-secret-file expects a file"));
    const QString origin = QStringLiteral("--allowed-origin");
    const QString originError = QStringLiteral("--allowed-origin expects an origin");
    row("origin slash", {origin, QStringLiteral("https://chat.example.org/")}, originError);
    row("origin path", {origin, QStringLiteral("https://chat.example.org/app")}, originError);
    row("origin no scheme", {origin, QStringLiteral("chat.example.org")}, originError);
    row("origin query", {origin, QStringLiteral("https://chat.example.org?x=1")}, originError);
    row("origin user", {origin, QStringLiteral("https://me@chat.example.org")}, originError);
    row("origin upper case", {origin, QStringLiteral("https://Chat.example.org")}, originError);
    row("origin empty", {origin, QString()}, originError);
    const QString number = QStringLiteral("expects a whole number from");
    row("payload word", {QStringLiteral("--max-payload"), QStringLiteral("lots")},
        QStringLiteral("--max-payload ") + number);
    row("payload small", {QStringLiteral("--max-payload"), QStringLiteral("1023")},
        QStringLiteral("--max-payload ") + number);
    row("payload huge", {QStringLiteral("--max-payload"), QStringLiteral("99999999999999")},
        QStringLiteral("--max-payload ") + number);
    row("payload exponent", {QStringLiteral("--max-payload"), QStringLiteral("1e6")},
        QStringLiteral("--max-payload ") + number);
    row("payload signed", {QStringLiteral("--max-payload"), QStringLiteral("+2048")},
        QStringLiteral("--max-payload ") + number);
    row("payload spaced", {QStringLiteral("--max-payload"), QStringLiteral(" 2048")},
        QStringLiteral("--max-payload ") + number);
    row("rate zero", {QStringLiteral("--event-rate"), QStringLiteral("0")},
        QStringLiteral("--event-rate ") + number);
    row("rate negative", {QStringLiteral("--event-rate"), QStringLiteral("-5")},
        QStringLiteral("--event-rate ") + number);
    row("burst zero", {QStringLiteral("--event-burst"), QStringLiteral("0")},
        QStringLiteral("--event-burst ") + number);
    row("burst below rate", {QStringLiteral("--event-burst"), QStringLiteral("5")},
        QStringLiteral("--event-burst expects at least --event-rate (20), got \"5\""));
    row("auth rate", {QStringLiteral("--auth-rate"), QStringLiteral("0")},
        QStringLiteral("--auth-rate ") + number);
    row("history over max", {QStringLiteral("--history-page"), QStringLiteral("101")},
        QStringLiteral("--history-page expects a whole number from 1 to 100"));
    row("history zero", {QStringLiteral("--history-page"), QStringLiteral("0")},
        QStringLiteral("--history-page ") + number);
    row("send queue small", {QStringLiteral("--send-queue"), QStringLiteral("100")},
        QStringLiteral("--send-queue ") + number);
    row("commit window negative", {QStringLiteral("--commit-window"), QStringLiteral("-1")},
        QStringLiteral("--commit-window expects a whole number from 0 to 1000, got \"-1\""));
    row("commit window too wide", {QStringLiteral("--commit-window"), QStringLiteral("1001")},
        QStringLiteral("--commit-window ") + number);
    row("commit window unit", {QStringLiteral("--commit-window"), QStringLiteral("2ms")},
        QStringLiteral("--commit-window ") + number);
    const QString key = QStringLiteral("--jwt-public-key");
    const QString issuer = QStringLiteral("--jwt-issuer");
    const QString pem = QStringLiteral("/etc/parley/idp.pem");
    row("public key empty", {key, QString(), issuer, QStringLiteral("https://idp")},
        QStringLiteral("--jwt-public-key expects a file"));
    row("public key without issuer", {key, pem}, QStringLiteral("--jwt-public-key needs --jwt-issuer"));
    row("public key without audience", {key, pem, issuer, QStringLiteral("https://idp")},
        QStringLiteral("--jwt-public-key needs --jwt-audience"));
    row("any audience and an audience",
        {key, pem, issuer, QStringLiteral("https://idp"), QStringLiteral("--jwt-audience"),
            QStringLiteral("parley"), QStringLiteral("--jwt-audience-any")},
        QStringLiteral("contradict"));
    row("any audience without key", {QStringLiteral("--jwt-audience-any")},
        QStringLiteral("--jwt-audience-any needs --jwt-public-key FILE"));
    row("issuer empty", {key, pem, issuer, QString()}, QStringLiteral("--jwt-issuer expects a value"));
    row("issuer without key", {issuer, QStringLiteral("https://idp")},
        QStringLiteral("--jwt-issuer needs --jwt-public-key FILE"));
    row("audience without key", {QStringLiteral("--jwt-audience"), QStringLiteral("parley")},
        QStringLiteral("--jwt-audience needs --jwt-public-key FILE"));
    row("key id without key", {QStringLiteral("--jwt-key-id"), QStringLiteral("ins_1")},
        QStringLiteral("--jwt-key-id needs --jwt-public-key FILE"));
    row("public key before a command",
        {key, pem, issuer, QStringLiteral("https://idp"), QStringLiteral("--jwt-audience-any"),
            QStringLiteral("user"), QStringLiteral("list")},
        QStringLiteral("is a server option"));
    row("unknown option", {QStringLiteral("--frobnicate")}, QStringLiteral("Unknown option 'frobnicate'"));
    row("unknown command", {QStringLiteral("serve")}, QStringLiteral("unknown command \"serve\""));
}

void TestServerOptions::badValues()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto parsed = parse(arguments);
    QVERIFY(!parsed);
    const QString message = parsed.error().message;
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), "the error is one line");
}

void TestServerOptions::helpAndVersion()
{
    const Invocation help = parsedOk({QStringLiteral("--help")});
    QCOMPARE(help.kind, Invocation::Kind::ShowText);
    for (const char *option : {"--listen", "--data-dir", "--registration", "--websocket", "--jwt-secret-file",
             "--jwt-public-key", "--jwt-issuer", "--jwt-audience", "--jwt-audience-any", "--jwt-key-id",
             "--allowed-origin", "--max-payload", "--event-rate", "--event-burst", "--auth-rate",
             "--history-page", "--send-queue", "--commit-window", "--max-connections-per-address",
             "--trusted-proxy", "--ready-timeout", "--max-channels-per-user", "user add", "user list",
             "user disable", "token NAME", "channel create", "channel list", "Examples:",
             "listening on HOST:PORT", "127.0.0.1:7275"})
        QVERIFY2(help.text.contains(QLatin1String(option)), option);
    QVERIFY(help.text.contains(m_xdgData.path() + QStringLiteral("/parley/server")));
    QCOMPARE(parsedOk({QStringLiteral("-h")}).text, help.text);

    const Invocation version = parsedOk({QStringLiteral("--version")});
    QCOMPARE(version.kind, Invocation::Kind::ShowText);
    QCOMPARE(version.text, QStringLiteral("parley-server 0.1.0\n"));
}

void TestServerOptions::adminCommands()
{
    Invocation add = parsedOk({QStringLiteral("--data-dir"), QStringLiteral("/d"), QStringLiteral("user"),
        QStringLiteral("add"), QStringLiteral("Alice"), QStringLiteral("--display-name"),
        QStringLiteral("Alice A."), QStringLiteral("--password-stdin")});
    QCOMPARE(add.kind, Invocation::Kind::Admin);
    QCOMPARE(add.config.dataDir, QStringLiteral("/d"));
    QCOMPARE(add.admin.verb, Verb::UserAdd);
    QCOMPARE(add.admin.name, QStringLiteral("alice")); // folded like auth:register folds it
    QCOMPARE(add.admin.displayName, QStringLiteral("Alice A."));

    add = parsedOk({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob"),
        QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"), QStringLiteral("/e")});
    QCOMPARE(add.config.dataDir, QStringLiteral("/e"));
    QCOMPARE(add.admin.displayName, QStringLiteral("bob"));

    const Invocation users = parsedOk({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(users.kind, Invocation::Kind::Admin);
    QCOMPARE(users.admin.verb, Verb::UserList);
    QCOMPARE(users.config.dataDir, m_xdgData.path() + QStringLiteral("/parley/server"));

    const Invocation disable =
        parsedOk({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("c.d-e_f")});
    QCOMPARE(disable.admin.verb, Verb::UserDisable);
    QCOMPARE(disable.admin.name, QStringLiteral("c.d-e_f"));

    Invocation token = parsedOk({QStringLiteral("token"), QStringLiteral("alice")});
    QCOMPARE(token.admin.verb, Verb::Token);
    QCOMPARE(token.admin.name, QStringLiteral("alice"));
    QCOMPARE(token.admin.ttl, std::chrono::seconds(std::chrono::days(30)));
    token = parsedOk({QStringLiteral("--jwt-secret-file"), QStringLiteral("/k"), QStringLiteral("token"),
        QStringLiteral("alice"), QStringLiteral("--ttl"), QStringLiteral("60")});
    QCOMPARE(token.admin.ttl, std::chrono::seconds(60));
    QCOMPARE(token.config.jwtSecretFile, QStringLiteral("/k"));
    token = parsedOk({QStringLiteral("token"), QStringLiteral("alice"), QStringLiteral("--jwt-secret-file"),
        QStringLiteral("/j")});
    QCOMPARE(token.config.jwtSecretFile, QStringLiteral("/j"));

    const Invocation create =
        parsedOk({QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("Team room"),
            QStringLiteral("--private"), QStringLiteral("--topic"), QStringLiteral("Plans"),
            QStringLiteral("--member"), QStringLiteral("alice"), QStringLiteral("--member"),
            QStringLiteral("Bob"), QStringLiteral("--member"), QStringLiteral("alice")});
    QCOMPARE(create.admin.verb, Verb::ChannelCreate);
    QCOMPARE(create.admin.name, QStringLiteral("Team room"));
    QVERIFY(create.admin.isPrivate);
    QCOMPARE(create.admin.topic, QStringLiteral("Plans"));
    QCOMPARE(create.admin.members, QStringList({QStringLiteral("alice"), QStringLiteral("bob")}));

    const Invocation publicChannel = parsedOk({QStringLiteral("channel"), QStringLiteral("create"),
        QStringLiteral("general"), QStringLiteral("--member"), QStringLiteral("alice")});
    QVERIFY(!publicChannel.admin.isPrivate);
    QVERIFY(publicChannel.admin.topic.isEmpty());

    QCOMPARE(parsedOk({QStringLiteral("channel"), QStringLiteral("list")}).admin.verb, Verb::ChannelList);
}

void TestServerOptions::adminBadCommands_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char *name, QStringList arguments, const QString &expected) {
        QTest::newRow(name) << arguments << expected;
    };
    const QString user = QStringLiteral("user");
    const QString add = QStringLiteral("add");
    const QString stdinFlag = QStringLiteral("--password-stdin");
    row("user alone", {user}, QStringLiteral("\"user\" expects add, list or disable"));
    row("user unknown", {user, QStringLiteral("remove")},
        QStringLiteral("\"user\" expects add, list or disable, got \"remove\""));
    row("add without password", {user, add, QStringLiteral("alice")},
        QStringLiteral("user add expects --password-stdin"));
    row("add without name", {user, add, stdinFlag}, QStringLiteral("user add expects a NAME"));
    row("add two names", {user, add, QStringLiteral("a1"), QStringLiteral("b1"), stdinFlag},
        QStringLiteral("user add expects one NAME"));
    row("add short name", {user, add, QStringLiteral("a"), stdinFlag},
        QStringLiteral("user add: NAME must be 2-32 of a-z 0-9 _ . -, got \"a\""));
    row("add long name", {user, add, QString(33, QLatin1Char('a')), stdinFlag},
        QStringLiteral("NAME must be 2-32"));
    row("add bad character", {user, add, QStringLiteral("al ice"), stdinFlag},
        QStringLiteral("NAME must be 2-32"));
    row("add non-ascii", {user, add, QStringLiteral("\u212Aelvin"), stdinFlag},
        QStringLiteral("NAME must be 2-32"));
    row("add long display name",
        {user, add, QStringLiteral("alice"), stdinFlag, QStringLiteral("--display-name"),
            QString(65, QLatin1Char('x'))},
        QStringLiteral("--display-name expects 1-64 characters"));
    row("add blank display name",
        {user, add, QStringLiteral("alice"), stdinFlag, QStringLiteral("--display-name"),
            QStringLiteral("  ")},
        QStringLiteral("--display-name expects 1-64 characters"));
    row("add option of another verb",
        {user, add, QStringLiteral("alice"), stdinFlag, QStringLiteral("--ttl"), QStringLiteral("5")},
        QStringLiteral("user add: Unknown option 'ttl'"));
    row("list with name", {user, QStringLiteral("list"), QStringLiteral("alice")},
        QStringLiteral("user list takes no argument, got \"alice\""));
    row("disable bad name", {user, QStringLiteral("disable"), QStringLiteral("a!")},
        QStringLiteral("NAME must be 2-32"));
    row("token without name", {QStringLiteral("token")}, QStringLiteral("token expects a NAME"));
    row("ttl zero",
        {QStringLiteral("token"), QStringLiteral("alice"), QStringLiteral("--ttl"), QStringLiteral("0")},
        QStringLiteral("--ttl expects a number of seconds from 1 to"));
    row("ttl word",
        {QStringLiteral("token"), QStringLiteral("alice"), QStringLiteral("--ttl"), QStringLiteral("1h")},
        QStringLiteral("--ttl expects a number of seconds"));
    row("channel alone", {QStringLiteral("channel")}, QStringLiteral("\"channel\" expects create or list"));
    row("create without member",
        {QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("general")},
        QStringLiteral("channel create expects at least one --member"));
    row("create empty name",
        {QStringLiteral("channel"), QStringLiteral("create"), QString(), QStringLiteral("--member"),
            QStringLiteral("alice")},
        QStringLiteral("channel create: NAME must be 1-64 characters"));
    row("create long name",
        {QStringLiteral("channel"), QStringLiteral("create"), QString(65, QLatin1Char('c')),
            QStringLiteral("--member"), QStringLiteral("alice")},
        QStringLiteral("NAME must be 1-64 characters"));
    row("create long topic",
        {QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("general"),
            QStringLiteral("--topic"), QString(257, QLatin1Char('t')), QStringLiteral("--member"),
            QStringLiteral("alice")},
        QStringLiteral("--topic expects at most 256 characters"));
    row("create bad member",
        {QStringLiteral("channel"), QStringLiteral("create"), QStringLiteral("general"),
            QStringLiteral("--member"), QStringLiteral("b@d")},
        QStringLiteral("--member expects a username"));
    row("server option before command",
        {QStringLiteral("--listen"), QStringLiteral("1.2.3.4:5"), user, QStringLiteral("list")},
        QStringLiteral("--listen is a server option; \"user list\" does not take it"));
    row("secret file with user list",
        {QStringLiteral("--jwt-secret-file"), QStringLiteral("/k"), user, QStringLiteral("list")},
        QStringLiteral("--jwt-secret-file is a server option"));
}

void TestServerOptions::adminBadCommands()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto parsed = parse(arguments);
    QVERIFY(!parsed);
    const QString message = parsed.error().message;
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), "the error is one line");
}

void TestServerOptions::adminHelp()
{
    const Invocation help =
        parsedOk({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--help")});
    QCOMPARE(help.kind, Invocation::Kind::ShowText);
    QVERIFY(help.text.contains(QLatin1String("parley-server user add")));
    QVERIFY(help.text.contains(QLatin1String("--password-stdin")));
    QVERIFY(help.text.contains(QLatin1String("--display-name")));
    QVERIFY(!help.text.contains(QLatin1String("--listen")));
}

// The caps that keep strangers and heavy users from exhausting the server.
void TestServerOptions::resourceLimits()
{
    const ServerLimits defaults = parsedOk({}).config.limits;
    QCOMPARE(defaults.maxConnections, 0);
    QCOMPARE(defaults.maxConnectionsPerAddress, 256);
    QCOMPARE(defaults.readyTimeout, std::chrono::milliseconds(30000));
    QCOMPARE(defaults.userEventRate, 50);
    QCOMPARE(defaults.userEventBurst, 100);
    QCOMPARE(defaults.maxChannelsPerUser, 1000);
    QCOMPARE(defaults.channelCreatesPerHour, 30);
    QCOMPARE(defaults.maxSessionsPerUser, 32);
    QCOMPARE(defaults.passwordHashQueue, 64);
    QVERIFY(parsedOk({}).config.trustedProxies.isEmpty());

    const Invocation set = parsedOk({QStringLiteral("--max-connections"), QStringLiteral("5000"),
        QStringLiteral("--max-connections-per-address"), QStringLiteral("0"),
        QStringLiteral("--ready-timeout"), QStringLiteral("12"), QStringLiteral("--user-event-rate"),
        QStringLiteral("7"), QStringLiteral("--max-channels-per-user"), QStringLiteral("20"),
        QStringLiteral("--channel-create-rate"), QStringLiteral("3"),
        QStringLiteral("--max-sessions-per-user"), QStringLiteral("4"),
        QStringLiteral("--password-hash-queue"), QStringLiteral("9"), QStringLiteral("--trusted-proxy"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--trusted-proxy"), QStringLiteral("::1")});
    const ServerConfig &config = set.config;
    QCOMPARE(config.limits.maxConnections, 5000);
    QCOMPARE(config.limits.maxConnectionsPerAddress, 0);
    QCOMPARE(config.limits.readyTimeout, std::chrono::milliseconds(12000));
    QCOMPARE(config.limits.userEventRate, 7);
    QCOMPARE(config.limits.userEventBurst, 14); // twice the rate unless given
    QCOMPARE(config.limits.maxChannelsPerUser, 20);
    QCOMPARE(config.limits.channelCreatesPerHour, 3);
    QCOMPARE(config.limits.maxSessionsPerUser, 4);
    QCOMPARE(config.limits.passwordHashQueue, 9);
    QCOMPARE(config.trustedProxies,
        (QList<QHostAddress> {
            QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("::1"))}));

    const auto notAnAddress = parse({QStringLiteral("--trusted-proxy"), QStringLiteral("proxy.example.org")});
    QVERIFY(!notAnAddress);
    QVERIFY(notAnAddress.error().message.startsWith(QLatin1String("--trusted-proxy expects an IP address")));
    const auto lowBurst = parse({QStringLiteral("--user-event-rate"), QStringLiteral("10"),
        QStringLiteral("--user-event-burst"), QStringLiteral("5")});
    QVERIFY(!lowBurst);
    QVERIFY(!parse({QStringLiteral("--ready-timeout"), QStringLiteral("0")}));
    QVERIFY(!parse({QStringLiteral("--max-channels-per-user"), QStringLiteral("-1")}));
}

QTEST_GUILESS_MAIN(TestServerOptions)
#include "tst_serveroptions.moc"
