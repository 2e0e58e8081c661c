#include "admincommandline.h"

#include "core/accountrules.h"
#include "optionvalues.h"

#include <QCommandLineParser>

namespace parley::server::app {

namespace {

using Verb = AdminCommand::Verb;
using Parsed = protocol::Result<AdminCommandLine, UsageError>;

constexpr qint64 MaxTtlSeconds = 10LL * 365 * 24 * 3600;

struct VerbSpec
{
    Verb verb;
    QString words; // "user add"
    QString nameArgument; // empty: the verb takes no NAME
    QString summary;
};

protocol::Result<VerbSpec, UsageError> verbOf(const QStringList &words)
{
    const QString first = words.value(0);
    const QString second = words.value(1);
    if (first == QLatin1String("token"))
        return VerbSpec {Verb::Token, first, QStringLiteral("NAME"),
            QStringLiteral("Prints a token for user NAME, signed with the data dir's key.")};
    if (first == QLatin1String("user")) {
        if (second == QLatin1String("add"))
            return VerbSpec {Verb::UserAdd, QStringLiteral("user add"), QStringLiteral("NAME"),
                QStringLiteral(
                    "Creates the account NAME (2-32 of a-z 0-9 _ . -). The password, 8-1024 bytes, "
                    "is the first line of standard input.")};
        if (second == QLatin1String("list"))
            return VerbSpec {
                Verb::UserList, QStringLiteral("user list"), {}, QStringLiteral("Lists every account.")};
        if (second == QLatin1String("disable"))
            return VerbSpec {Verb::UserDisable, QStringLiteral("user disable"), QStringLiteral("NAME"),
                QStringLiteral("Disables the account NAME and revokes every token it holds.")};
        return UsageError {QStringLiteral("\"user\" expects add, list or disable, got \"%1\"").arg(second)};
    }
    if (first == QLatin1String("channel")) {
        if (second == QLatin1String("create"))
            return VerbSpec {Verb::ChannelCreate, QStringLiteral("channel create"), QStringLiteral("NAME"),
                QStringLiteral("Creates the channel NAME (1-64 characters) with the given members; the first "
                               "--member is recorded as its creator.")};
        if (second == QLatin1String("list"))
            return VerbSpec {Verb::ChannelList, QStringLiteral("channel list"), {},
                QStringLiteral("Lists every channel.")};
        return UsageError {QStringLiteral("\"channel\" expects create or list, got \"%1\"").arg(second)};
    }
    return UsageError {QStringLiteral("unknown command \"%1\"").arg(first)};
}

QCommandLineOption valueOption(const QString &name, const QString &description, const QString &valueName)
{
    return QCommandLineOption(name, description, valueName);
}

} // namespace

QString commandWords(AdminCommand::Verb verb)
{
    switch (verb) {
    case AdminCommand::Verb::UserAdd:
        return QStringLiteral("user add");
    case AdminCommand::Verb::UserList:
        return QStringLiteral("user list");
    case AdminCommand::Verb::UserDisable:
        return QStringLiteral("user disable");
    case AdminCommand::Verb::Token:
        return QStringLiteral("token");
    case AdminCommand::Verb::ChannelCreate:
        return QStringLiteral("channel create");
    case AdminCommand::Verb::ChannelList:
        return QStringLiteral("channel list");
    }
    return {};
}

bool isAdminCommandWord(const QString &word)
{
    return word == QLatin1String("user") || word == QLatin1String("token") ||
        word == QLatin1String("channel");
}

Parsed parseAdminCommandLine(const QString &program, const QStringList &words)
{
    const auto spec = verbOf(words);
    if (!spec)
        return spec.error();
    const qsizetype verbWords = spec->words.count(QLatin1Char(' ')) + 1;

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setApplicationDescription(spec->summary);
    const QCommandLineOption help(
        QStringList {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Shows this help."));
    const QCommandLineOption dataDir = valueOption(QStringLiteral("data-dir"),
        QStringLiteral("The server's data directory. Default: %1.").arg(defaultDataDir()),
        QStringLiteral("DIR"));
    const QCommandLineOption jwtSecretFile = valueOption(QStringLiteral("jwt-secret-file"),
        QStringLiteral("Sign with the key in FILE, as a server started with this option does. "
                       "Default: the data dir's jwt-secret."),
        QStringLiteral("FILE"));
    const QCommandLineOption displayName = valueOption(QStringLiteral("display-name"),
        QStringLiteral("The name others see (at most 64 characters). Default: NAME."), QStringLiteral("X"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
        QStringLiteral("Read the password from the first line of standard input (required)."));
    const QCommandLineOption ttl = valueOption(QStringLiteral("ttl"),
        QStringLiteral("How long the token is valid, in seconds. Default: 2592000 (30 days)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption isPrivate(
        QStringLiteral("private"), QStringLiteral("Only members see the channel. Default: public."));
    const QCommandLineOption topic = valueOption(QStringLiteral("topic"),
        QStringLiteral("The channel's topic (at most 256 characters)."), QStringLiteral("T"));
    const QCommandLineOption member = valueOption(QStringLiteral("member"),
        QStringLiteral("A user to add as a member; repeat for more. At least one is required."),
        QStringLiteral("NAME"));

    parser.addOption(help);
    parser.addOption(dataDir);
    switch (spec->verb) {
    case Verb::UserAdd:
        parser.addOption(displayName);
        parser.addOption(passwordStdin);
        break;
    case Verb::Token:
        parser.addOption(ttl);
        parser.addOption(jwtSecretFile);
        break;
    case Verb::ChannelCreate:
        parser.addOption(isPrivate);
        parser.addOption(topic);
        parser.addOption(member);
        break;
    case Verb::UserList:
    case Verb::UserDisable:
    case Verb::ChannelList:
        break;
    }
    if (!spec->nameArgument.isEmpty())
        parser.addPositionalArgument(spec->nameArgument,
            spec->verb == Verb::ChannelCreate ? QStringLiteral("The channel's name.")
                                              : QStringLiteral("The user's name."));

    const QString usage = program + QLatin1Char(' ') + spec->words;
    if (!parser.parse(QStringList {usage} + words.mid(verbWords)))
        return UsageError {QStringLiteral("%1: %2").arg(spec->words, parser.errorText())};

    AdminCommandLine line;
    line.command.verb = spec->verb;
    if (parser.isSet(help)) {
        line.helpText = withUsageLine(parser.helpText(),
            usage + QStringLiteral(" [options]") +
                (spec->nameArgument.isEmpty() ? QString() : QStringLiteral(" NAME")));
        return line;
    }
    const QStringList positional = parser.positionalArguments();
    const qsizetype expected = spec->nameArgument.isEmpty() ? 0 : 1;
    if (positional.size() != expected) {
        if (expected == 0)
            return UsageError {
                QStringLiteral("%1 takes no argument, got \"%2\"").arg(spec->words, positional.first())};
        if (positional.isEmpty())
            return UsageError {QStringLiteral("%1 expects a NAME").arg(spec->words)};
        return UsageError {
            QStringLiteral("%1 expects one NAME, got %2 arguments").arg(spec->words).arg(positional.size())};
    }
    if (parser.isSet(dataDir)) {
        line.dataDir = parser.value(dataDir);
        if (line.dataDir.isEmpty())
            return UsageError {QStringLiteral("--data-dir expects a directory, got an empty value")};
    }

    AdminCommand &command = line.command;
    switch (spec->verb) {
    case Verb::UserAdd:
    case Verb::UserDisable:
    case Verb::Token: {
        const auto username = rules::canonicalUsername(positional.first());
        if (!username)
            return UsageError {QStringLiteral("%1: NAME must be 2-32 of a-z 0-9 _ . -, got \"%2\"")
                                   .arg(spec->words, positional.first())};
        command.name = *username;
        break;
    }
    case Verb::ChannelCreate:
        command.name = positional.first();
        if (command.name.isEmpty() || command.name.size() > rules::MaxChannelNameLength)
            return UsageError {
                QStringLiteral("channel create: NAME must be 1-64 characters, got \"%1\"").arg(command.name)};
        break;
    case Verb::UserList:
    case Verb::ChannelList:
        break;
    }

    if (spec->verb == Verb::UserAdd) {
        if (!parser.isSet(passwordStdin))
            return UsageError {QStringLiteral(
                "user add expects --password-stdin (the password is read from standard input, never argv)")};
        command.displayName = parser.isSet(displayName) ? parser.value(displayName) : command.name;
        if (command.displayName.trimmed().isEmpty() ||
            command.displayName.size() > rules::MaxDisplayNameLength)
            return UsageError {QStringLiteral("--display-name expects 1-64 characters, got \"%1\"")
                                   .arg(command.displayName)};
        if (rules::hasHiddenCharacters(command.displayName))
            return UsageError {QStringLiteral(
                "--display-name may not hold control characters, line breaks or direction marks")};
    }
    if (spec->verb == Verb::Token) {
        if (parser.isSet(ttl)) {
            const auto seconds = parseWholeNumber(parser.value(ttl), 1, MaxTtlSeconds);
            if (!seconds)
                return UsageError {
                    QStringLiteral("--ttl expects a number of seconds from 1 to %1, got \"%2\"")
                        .arg(MaxTtlSeconds)
                        .arg(parser.value(ttl))};
            command.ttl = std::chrono::seconds(*seconds);
        }
        if (parser.isSet(jwtSecretFile)) {
            line.jwtSecretFile = parser.value(jwtSecretFile);
            if (line.jwtSecretFile.isEmpty())
                return UsageError {QStringLiteral("--jwt-secret-file expects a file, got an empty value")};
        }
    }
    if (spec->verb == Verb::ChannelCreate) {
        command.isPrivate = parser.isSet(isPrivate);
        command.topic = parser.value(topic);
        if (command.topic.size() > rules::MaxTopicLength)
            return UsageError {
                QStringLiteral("--topic expects at most 256 characters, got %1").arg(command.topic.size())};
        const QStringList members = parser.values(member);
        if (members.isEmpty())
            return UsageError {QStringLiteral(
                "channel create expects at least one --member NAME (the first is recorded as the creator)")};
        for (const QString &given : members) {
            const auto username = rules::canonicalUsername(given);
            if (!username)
                return UsageError {
                    QStringLiteral("--member expects a username (2-32 of a-z 0-9 _ . -), got \"%1\"")
                        .arg(given)};
            if (!command.members.contains(*username))
                command.members.append(*username);
        }
    }
    return line;
}

} // namespace parley::server::app
