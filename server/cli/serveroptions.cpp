#include "serveroptions.h"

#include "admincommandline.h"
#include "optionvalues.h"

#include <QCommandLineParser>

#include <functional>
#include <optional>

namespace parley::server::app {

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

// Integer options: where the value goes and the range that keeps a server usable.
struct NumberOption
{
    QString name;
    QString valueName;
    QString description;
    qint64 minimum;
    qint64 maximum;
    std::function<void(ServerConfig &, qint64)> apply;
};

QString rangeText(const NumberOption &option)
{
    return QStringLiteral("a whole number from %1 to %2").arg(option.minimum).arg(option.maximum);
}

UsageError badValue(const QString &option, const QString &expected, const QString &given)
{
    return UsageError {QStringLiteral("--%1 expects %2, got \"%3\"").arg(option, expected, given)};
}

const QString Epilogue = QStringLiteral(R"(
Commands (they work on the data dir while no server uses it, and take --data-dir too):
  user add NAME [--display-name X] --password-stdin
                            Create an account; the password is the first line of standard input.
  user list                 List the accounts.
  user disable NAME         Disable an account and revoke the tokens it holds.
  token NAME [--ttl SECONDS]
                            Print a token for NAME signed with the data dir's key.
  channel create NAME [--private] [--topic T] --member USER...
                            Create a channel; the first --member is recorded as its creator.
  channel list              List every channel.
  "%1 COMMAND --help" explains a command's options.

Examples:
  %1                                    serve on 127.0.0.1:7275
  %1 --listen 0.0.0.0:7275 --registration closed --allowed-origin https://chat.example.org
  echo 'a long passphrase' | %1 user add alice --password-stdin
  %1 token alice                        a token for alice, e.g. for a test client

On start the server prints one line, "listening on HOST:PORT", to standard output.
SIGINT or SIGTERM stops it: clients are told SERVER_SHUTDOWN and the database is closed.
Exit status: 0 done, 1 the server or command failed, 2 a bad command line.
)");

} // namespace

QString ServerOptions::version()
{
    return QStringLiteral(PARLEY_VERSION);
}

ServerOptions::Parsed ServerOptions::parse(const QStringList &arguments)
{
    const ServerConfig defaults;
    const ServerLimits limits;
    const QString program = QStringLiteral("parley-server");

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // Everything after the first command word belongs to that command.
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.setApplicationDescription(QStringLiteral(
        "Parley's chat server: Socket.IO v5 over WebSocket, with its data in one SQLite database.\n"
        "With no command it serves until SIGINT or SIGTERM; with a command it administers the data dir."));
    const QCommandLineOption help(
        QStringList {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Shows this help."));
    const QCommandLineOption versionOption(QStringLiteral("version"), QStringLiteral("Shows the version."));
    const QCommandLineOption listen(QStringLiteral("listen"),
        QStringLiteral(
            "Address and port to listen on, e.g. 0.0.0.0:7275 for every IPv4 interface or [::1]:7275; "
            "port 0 picks a free one. Default: 127.0.0.1:7275."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QStringLiteral(
            "Holds the database (parley.db), the signing key (jwt-secret) and the lock that keeps a "
            "second server out. Created if missing. Default: %1.")
            .arg(defaultDataDir()),
        QStringLiteral("DIR"));
    const QCommandLineOption registration(QStringLiteral("registration"),
        QStringLiteral("open: anyone may create an account (auth:register); closed: only the admin command "
                       "\"user add\" can. Default: open."),
        QStringLiteral("open|closed"));
    const QCommandLineOption webSocket(QStringLiteral("websocket"),
        QStringLiteral("Who frames the WebSocket connections: native (Parley's own framing, lighter per "
                       "connection) or qt (Qt WebSockets). Default: native."),
        QStringLiteral("native|qt"));
    const QCommandLineOption jwtSecretFile(QStringLiteral("jwt-secret-file"),
        QStringLiteral("Sign tokens with the key in FILE: at least 32 random bytes, or 64 characters of text "
                       "(openssl rand -hex 32); one trailing newline is ignored. "
                       "Default: DIR/jwt-secret, generated on first start."),
        QStringLiteral("FILE"));
    const QCommandLineOption allowedOrigin(QStringLiteral("allowed-origin"),
        QStringLiteral(
            "Accept browser connections only from this Origin, e.g. https://chat.example.org; repeat "
            "for more. Clients that send no Origin are not affected. Default: any Origin."),
        QStringLiteral("ORIGIN"));
    const QCommandLineOption jwtPublicKey(QStringLiteral("jwt-public-key"),
        QStringLiteral(
            "Also accept tokens from an identity provider (e.g. Clerk), checked against its public "
            "key in FILE (PEM; RSA for RS256, EC P-256 for ES256) without a network call. Its "
            "users get a Parley account on first sight. Needs --jwt-issuer. Default: only "
            "Parley's own tokens."),
        QStringLiteral("FILE"));
    const QCommandLineOption jwtIssuer(QStringLiteral("jwt-issuer"),
        QStringLiteral("With --jwt-public-key: the provider's \"iss\", e.g. https://clerk.example.org; "
                       "other issuers are refused."),
        QStringLiteral("ISSUER"));
    const QCommandLineOption jwtAudience(QStringLiteral("jwt-audience"),
        QStringLiteral("With --jwt-public-key: the provider's tokens must name AUDIENCE in \"aud\". "
                       "Required, unless --jwt-audience-any."),
        QStringLiteral("AUDIENCE"));
    const QCommandLineOption jwtAudienceAny(QStringLiteral("jwt-audience-any"),
        QStringLiteral("With --jwt-public-key and no --jwt-audience: accept the issuer's tokens "
                       "whatever app they were made for."));
    const QCommandLineOption jwtKeyId(QStringLiteral("jwt-key-id"),
        QStringLiteral("With --jwt-public-key: refuse tokens whose header names another \"kid\". "
                       "Default: any kid."),
        QStringLiteral("KID"));
    const QCommandLineOption trace(QStringLiteral("trace"),
        QStringLiteral("Record every connection's frames to FILE as JSON Lines (see docs/trace.md): "
                       "event names, sizes, timings and ids, with tokens and passwords removed. "
                       "Default: no trace."),
        QStringLiteral("FILE"));
    const QCommandLineOption tracePayloads(QStringLiteral("trace-payloads"),
        QStringLiteral("With --trace, also record the payloads, message contents included (secrets are "
                       "still removed). Default: off, since a trace would otherwise hold every user's "
                       "messages."));
    const QCommandLineOption trustedProxy(QStringLiteral("trusted-proxy"),
        QStringLiteral("A reverse proxy (its IP address) whose X-Forwarded-For header names the client: "
                       "per-address limits then count the client, not the proxy. Repeat for more. "
                       "Default: none, the TCP peer is the client."),
        QStringLiteral("ADDR"));
    const NumberOption maxPayload {QStringLiteral("max-payload"), QStringLiteral("BYTES"),
        QStringLiteral("Largest message a client may send. Default: %1.").arg(limits.maxPayload), KiB,
        100 * MiB, [](ServerConfig &c, qint64 v) { c.limits.maxPayload = v; }};
    const NumberOption eventRate {QStringLiteral("event-rate"), QStringLiteral("N"),
        QStringLiteral("Events per second a connection may send, sustained. Default: %1.")
            .arg(limits.eventRate),
        1, 10000, [](ServerConfig &c, qint64 v) { c.limits.eventRate = int(v); }};
    const NumberOption eventBurst {QStringLiteral("event-burst"), QStringLiteral("N"),
        QStringLiteral("Events a connection may send at once (at least --event-rate). Default: twice "
                       "--event-rate (%1).")
            .arg(limits.eventBurst),
        1, 20000, [](ServerConfig &c, qint64 v) { c.limits.eventBurst = int(v); }};
    const NumberOption authRate {QStringLiteral("auth-rate"), QStringLiteral("N"),
        QStringLiteral(
            "Register, login and refresh attempts per minute from one client address. Default: %1.")
            .arg(limits.authPerMinute),
        1, 10000, [](ServerConfig &c, qint64 v) { c.limits.authPerMinute = int(v); }};
    const NumberOption historyPage {QStringLiteral("history-page"), QStringLiteral("N"),
        QStringLiteral("Messages in a history page when the client asks for no size. Default: %1.")
            .arg(limits.historyPage),
        1, limits.historyMax, [](ServerConfig &c, qint64 v) { c.limits.historyPage = int(v); }};
    const NumberOption sendQueue {QStringLiteral("send-queue"), QStringLiteral("BYTES"),
        QStringLiteral("Bytes queued for a connection that reads too slowly before it is closed "
                       "(SLOW_CONSUMER). Default: %1.")
            .arg(limits.sendQueueBytes),
        64 * KiB, 1024 * MiB, [](ServerConfig &c, qint64 v) { c.limits.sendQueueBytes = v; }};
    const NumberOption commitWindow {QStringLiteral("commit-window"), QStringLiteral("MS"),
        QStringLiteral("Group commit: messages sent within MS milliseconds of each other share one "
                       "transaction and one disk sync; each is acknowledged only after its commit. 0: "
                       "no waiting, a commit as soon as the server is idle (messages that arrived in "
                       "the same network read still share it). Default: %1.")
            .arg(defaults.commitWindow.count()),
        0, 1000, [](ServerConfig &c, qint64 v) { c.commitWindow = std::chrono::milliseconds(v); }};
    const NumberOption maxConnections {QStringLiteral("max-connections"), QStringLiteral("N"),
        QStringLiteral("Connections this server holds at once; more are answered HTTP 503. 0: no limit "
                       "(the descriptor limit still applies). Default: %1.")
            .arg(limits.maxConnections),
        0, 10000000, [](ServerConfig &c, qint64 v) { c.limits.maxConnections = v; }};
    const NumberOption maxConnectionsPerAddress {QStringLiteral("max-connections-per-address"),
        QStringLiteral("N"),
        QStringLiteral("Connections from one client address (an IPv6 /64 counts as one) at once; more are "
                       "answered HTTP 503. 0: no limit (load tests from one machine). Default: %1.")
            .arg(limits.maxConnectionsPerAddress),
        0, 10000000, [](ServerConfig &c, qint64 v) { c.limits.maxConnectionsPerAddress = v; }};
    const NumberOption readyTimeout {QStringLiteral("ready-timeout"), QStringLiteral("SECONDS"),
        QStringLiteral("A connection that is not signed in on \"/\" this long after it opened is closed "
                       "(IDLE_TIMEOUT). Default: %1.")
            .arg(limits.readyTimeout.count() / 1000),
        1, 86400, [](ServerConfig &c, qint64 v) { c.limits.readyTimeout = std::chrono::seconds(v); }};
    const NumberOption userEventRate {QStringLiteral("user-event-rate"), QStringLiteral("N"),
        QStringLiteral("Events per second one user may send over all of their connections, sustained. "
                       "Default: %1.")
            .arg(limits.userEventRate),
        1, 100000, [](ServerConfig &c, qint64 v) { c.limits.userEventRate = int(v); }};
    const NumberOption userEventBurst {QStringLiteral("user-event-burst"), QStringLiteral("N"),
        QStringLiteral("Events one user may send at once over all of their connections. Default: twice "
                       "--user-event-rate (%1).")
            .arg(limits.userEventBurst),
        1, 200000, [](ServerConfig &c, qint64 v) { c.limits.userEventBurst = int(v); }};
    const NumberOption maxChannelsPerUser {QStringLiteral("max-channels-per-user"), QStringLiteral("N"),
        QStringLiteral("Channels one user may be a member of; joins, creations and invitations past it "
                       "are refused (LIMIT_REACHED). Default: %1.")
            .arg(limits.maxChannelsPerUser),
        1, 100000, [](ServerConfig &c, qint64 v) { c.limits.maxChannelsPerUser = int(v); }};
    const NumberOption channelCreateRate {QStringLiteral("channel-create-rate"), QStringLiteral("N"),
        QStringLiteral("Channels one user may create per hour (RATE_LIMITED past it). Default: %1.")
            .arg(limits.channelCreatesPerHour),
        1, 100000, [](ServerConfig &c, qint64 v) { c.limits.channelCreatesPerHour = int(v); }};
    const NumberOption passwordHashQueue {QStringLiteral("password-hash-queue"), QStringLiteral("N"),
        QStringLiteral("Password hashes (sign-ins, registrations) waiting at once; more are answered "
                       "RATE_LIMITED. Default: %1.")
            .arg(limits.passwordHashQueue),
        1, 100000, [](ServerConfig &c, qint64 v) { c.limits.passwordHashQueue = int(v); }};
    const NumberOption maxSessionsPerUser {QStringLiteral("max-sessions-per-user"), QStringLiteral("N"),
        QStringLiteral("Connections one user may have signed in at once; more are refused at CONNECT "
                       "(LIMIT_REACHED). Default: %1.")
            .arg(limits.maxSessionsPerUser),
        1, 100000, [](ServerConfig &c, qint64 v) { c.limits.maxSessionsPerUser = int(v); }};
    const QList<NumberOption> numbers {maxSessionsPerUser, maxPayload, eventRate, eventBurst, authRate,
        historyPage, sendQueue, commitWindow, maxConnections, maxConnectionsPerAddress, readyTimeout,
        userEventRate, userEventBurst, maxChannelsPerUser, channelCreateRate, passwordHashQueue};

    parser.addOption(help);
    parser.addOption(versionOption);
    parser.addOption(listen);
    parser.addOption(dataDir);
    parser.addOption(registration);
    parser.addOption(webSocket);
    parser.addOption(jwtSecretFile);
    parser.addOption(allowedOrigin);
    parser.addOption(jwtPublicKey);
    parser.addOption(jwtIssuer);
    parser.addOption(jwtAudience);
    parser.addOption(jwtAudienceAny);
    parser.addOption(jwtKeyId);
    parser.addOption(trace);
    parser.addOption(tracePayloads);
    parser.addOption(trustedProxy);
    for (const NumberOption &number : numbers)
        parser.addOption(QCommandLineOption(number.name,
            number.description + QStringLiteral(" Range: %1-%2.").arg(number.minimum).arg(number.maximum),
            number.valueName));
    parser.addPositionalArgument(QStringLiteral("command"),
        QStringLiteral("An admin command (below); none: run the server."), QStringLiteral("[command]"));

    if (!parser.parse(arguments))
        return UsageError {parser.errorText()};

    Invocation invocation;
    if (parser.isSet(help)) {
        invocation.kind = Invocation::Kind::ShowText;
        invocation.text = withUsageLine(parser.helpText(), program + QStringLiteral(" [options] [command]")) +
            Epilogue.arg(program);
        return invocation;
    }
    if (parser.isSet(versionOption)) {
        invocation.kind = Invocation::Kind::ShowText;
        invocation.text = program + QLatin1Char(' ') + version() + QLatin1Char('\n');
        return invocation;
    }

    ServerConfig &config = invocation.config;
    config.dataDir = parser.isSet(dataDir) ? parser.value(dataDir) : defaultDataDir();
    if (config.dataDir.isEmpty())
        return badValue(dataDir.names().first(), QStringLiteral("a directory"), {});
    if (parser.isSet(jwtSecretFile)) {
        config.jwtSecretFile = parser.value(jwtSecretFile);
        if (config.jwtSecretFile.isEmpty())
            return badValue(jwtSecretFile.names().first(), QStringLiteral("a file"), {});
    }

    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        if (!isAdminCommandWord(positional.first()))
            return UsageError {
                QStringLiteral("unknown command \"%1\"; the commands are user, token and channel "
                               "(see --help)")
                    .arg(positional.first())};
        auto line = parseAdminCommandLine(program, positional);
        if (!line)
            return line.error();
        if (!line->helpText.isEmpty()) {
            invocation.kind = Invocation::Kind::ShowText;
            invocation.text = line->helpText;
            return invocation;
        }
        // Server-only options before the command would be silently ignored: say so instead.
        const bool signs = line->command.verb == AdminCommand::Verb::Token;
        for (const QString &given : parser.optionNames()) {
            if (given == dataDir.names().first() || (signs && given == jwtSecretFile.names().first()))
                continue;
            return UsageError {QStringLiteral("--%1 is a server option; \"%2\" does not take it")
                                   .arg(given, commandWords(line->command.verb))};
        }
        if (!line->dataDir.isEmpty())
            config.dataDir = line->dataDir;
        if (!line->jwtSecretFile.isEmpty())
            config.jwtSecretFile = line->jwtSecretFile;
        invocation.kind = Invocation::Kind::Admin;
        invocation.admin = line->command;
        return invocation;
    }

    if (parser.isSet(listen)) {
        const auto address = parseListenAddress(parser.value(listen));
        if (!address)
            return badValue(QStringLiteral("listen"),
                QStringLiteral(
                    "HOST:PORT with an IP address (IPv6 in brackets) or localhost and a port 0-65535, "
                    "e.g. 127.0.0.1:7275"),
                parser.value(listen));
        config.address = address->address;
        config.port = address->port;
    } else {
        config.address = defaults.address;
        config.port = defaults.port;
    }

    for (const auto &[option, field] :
        {std::pair {&jwtPublicKey, &config.jwtPublicKeyFile}, std::pair {&jwtIssuer, &config.jwtIssuer},
            std::pair {&jwtAudience, &config.jwtAudience}, std::pair {&jwtKeyId, &config.jwtKeyId}}) {
        if (!parser.isSet(*option))
            continue;
        *field = parser.value(*option);
        if (field->isEmpty())
            return badValue(option->names().first(),
                option == &jwtPublicKey ? QStringLiteral("a file") : QStringLiteral("a value"), {});
    }
    const bool external = !config.jwtPublicKeyFile.isEmpty();
    if (external && config.jwtIssuer.isEmpty())
        return UsageError {QStringLiteral("--jwt-public-key needs --jwt-issuer: provider users are keyed by "
                                          "their issuer")};
    for (const QCommandLineOption *option : {&jwtIssuer, &jwtAudience, &jwtAudienceAny, &jwtKeyId}) {
        if (!external && parser.isSet(*option))
            return UsageError {
                QStringLiteral("--%1 needs --jwt-public-key FILE").arg(option->names().first())};
    }
    config.jwtAudienceAny = parser.isSet(jwtAudienceAny);
    if (external && config.jwtAudience.isEmpty() && !config.jwtAudienceAny)
        return UsageError {QStringLiteral("--jwt-public-key needs --jwt-audience AUDIENCE (or "
                                          "--jwt-audience-any to accept the issuer's tokens for any app)")};
    if (config.jwtAudienceAny && !config.jwtAudience.isEmpty())
        return UsageError {QStringLiteral("--jwt-audience-any and --jwt-audience contradict each other")};

    if (parser.isSet(trace)) {
        config.traceFile = parser.value(trace);
        if (config.traceFile.isEmpty())
            return badValue(QStringLiteral("trace"), QStringLiteral("a file"), {});
    }
    if (parser.isSet(tracePayloads)) {
        if (config.traceFile.isEmpty())
            return UsageError {QStringLiteral("--trace-payloads needs --trace FILE")};
        config.tracePayloads = true;
    }

    if (parser.isSet(registration)) {
        const QString value = parser.value(registration);
        if (value != QLatin1String("open") && value != QLatin1String("closed"))
            return badValue(QStringLiteral("registration"), QStringLiteral("open or closed"), value);
        config.registrationOpen = value == QLatin1String("open");
    }

    if (parser.isSet(webSocket)) {
        const QString value = parser.value(webSocket);
        const auto transport = webSocketTransportNamed(value);
        if (!transport)
            return badValue(QStringLiteral("websocket"), QStringLiteral("native or qt"), value);
        config.webSocket = *transport;
    }

    for (const QString &origin : parser.values(allowedOrigin)) {
        if (!isOrigin(origin))
            return badValue(QStringLiteral("allowed-origin"),
                QStringLiteral("an origin as browsers send it, scheme://host[:port] with no path or trailing "
                               "slash, e.g. https://chat.example.org"),
                origin);
        if (!config.allowedOrigins.contains(origin))
            config.allowedOrigins.append(origin);
    }

    for (const NumberOption &number : numbers) {
        if (!parser.isSet(number.name))
            continue;
        const QString text = parser.value(number.name);
        const auto value = parseWholeNumber(text, number.minimum, number.maximum);
        if (!value)
            return badValue(number.name, rangeText(number), text);
        number.apply(config, *value);
    }
    // A burst left out is twice its rate; one given must be at least the rate.
    const auto settleBurst = [&](const NumberOption &rate, const NumberOption &burst, int rateValue,
                                 int &burstValue) -> std::optional<UsageError> {
        if (!parser.isSet(burst.name))
            burstValue = 2 * rateValue;
        else if (burstValue < rateValue)
            return badValue(burst.name, QStringLiteral("at least --%1 (%2)").arg(rate.name).arg(rateValue),
                parser.value(burst.name));
        return std::nullopt;
    };
    if (auto error = settleBurst(eventRate, eventBurst, config.limits.eventRate, config.limits.eventBurst))
        return *error;
    if (auto error = settleBurst(
            userEventRate, userEventBurst, config.limits.userEventRate, config.limits.userEventBurst))
        return *error;

    for (const QString &given : parser.values(trustedProxy)) {
        const QHostAddress address(given);
        if (address.isNull())
            return badValue(
                trustedProxy.names().first(), QStringLiteral("an IP address, e.g. 127.0.0.1"), given);
        config.trustedProxies.append(address);
    }

    return invocation;
}

} // namespace parley::server::app
