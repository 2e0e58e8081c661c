#include "admintool.h"

#include "admincommandline.h"
#include "applogging.h"
#include "auth/authenticator.h"
#include "auth/passwordhasher.h"
#include "auth/secretkey.h"
#include "core/accountrules.h"
#include "core/privatefiles.h"
#include "store/chatstore.h"

#include <QDir>
#include <QIODevice>
#include <QMap>
#include <QTextStream>

namespace parley::server::app {

namespace {

// Left-aligned columns two spaces apart; the first row is the header.
QString table(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column) {
            if (widths.size() <= column)
                widths.append(0);
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    QString text;
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            const bool last = column + 1 == row.size();
            line += last ? row[column] : row[column].leftJustified(widths[column] + 2);
        }
        text += line.trimmed() + QLatin1Char('\n');
    }
    return text;
}

} // namespace

AdminTool::AdminTool(ServerConfig config, QTextStream &out, QTextStream &err, QIODevice &input)
    : m_config(std::move(config))
    , m_out(out)
    , m_err(err)
    , m_input(input)
{ }

AdminTool::~AdminTool()
{
    // The store before the lock: nobody may open the database while it is still ours.
    if (m_store)
        m_store->close();
    m_store.reset();
    m_lock.reset();
}

int AdminTool::run(const AdminCommand &command)
{
    if (auto refused = lockDataDir(command)) {
        m_err << "parley-server: " << refused->message << Qt::endl;
        return 1;
    }
    m_store = std::make_unique<store::ChatStore>();
    const QString databasePath = m_config.resolvedDatabasePath();
    privatefiles::makeDatabaseFiles(databasePath); // a failure shows in open() below
    if (auto opened = m_store->open(databasePath); !opened) {
        m_err << "parley-server: cannot open the database " << QDir::toNativeSeparators(databasePath) << ": "
              << opened.error().message << Qt::endl;
        return 1;
    }
    const Outcome outcome = execute(command);
    if (!outcome) {
        qCInfo(lcApp).noquote() << commandWords(command.verb) << "failed:" << outcome.error().message;
        m_err << "parley-server: " << commandWords(command.verb) << ": " << outcome.error().message
              << Qt::endl;
        return 1;
    }
    m_out << *outcome;
    m_out.flush();
    return 0;
}

std::optional<AdminTool::Failure> AdminTool::lockDataDir(const AdminCommand &command)
{
    const QString dir = QDir::toNativeSeparators(m_config.dataDir);
    if (!privatefiles::makeDirectory(m_config.dataDir))
        return Failure {QStringLiteral("cannot create the data directory %1, or make it private").arg(dir)};
    m_lock = std::make_unique<QLockFile>(QDir(m_config.dataDir).filePath(lockFileName()));
    m_lock->setStaleLockTime(0); // as the server: only a dead process's lock is stale
    if (m_lock->tryLock(0))
        return std::nullopt;
    qint64 pid = 0;
    QString host, application;
    m_lock->getLockInfo(&pid, &host, &application);
    m_lock.reset();
    return Failure {QStringLiteral("a Parley server (process %1) is using the data directory %2; "
                                   "stop it before running \"%3\"")
                        .arg(pid)
                        .arg(dir, commandWords(command.verb))};
}

AdminTool::Outcome AdminTool::execute(const AdminCommand &command)
{
    switch (command.verb) {
    case AdminCommand::Verb::UserAdd:
        return addUser(command);
    case AdminCommand::Verb::UserList:
        return listUsers();
    case AdminCommand::Verb::UserDisable:
        return disableUser(command);
    case AdminCommand::Verb::Token:
        return issueToken(command);
    case AdminCommand::Verb::ChannelCreate:
        return createChannel(command);
    case AdminCommand::Verb::ChannelList:
        return listChannels();
    }
    return Failure {QStringLiteral("unknown command")};
}

protocol::Result<QByteArray, AdminTool::Failure> AdminTool::readPassword()
{
    // One line, so `echo pw |` and a typed line both work; the newline is not part of it.
    QByteArray line = m_input.readLine(rules::MaxPasswordBytes + 3);
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    if (!rules::isValidPassword(line))
        return Failure {QStringLiteral("the password on standard input must be %1 to %2 bytes (got %3)")
                            .arg(rules::MinPasswordBytes)
                            .arg(rules::MaxPasswordBytes)
                            .arg(line.size())};
    return line;
}

AdminTool::Outcome AdminTool::addUser(const AdminCommand &command)
{
    auto &users = m_store->users();
    if (auto existing = users.userByUsername(command.name); existing)
        return Failure {QStringLiteral("the username %1 is taken").arg(command.name)};
    else if (existing.error().kind != store::StoreError::Kind::NotFound)
        return Failure {existing.error().message};

    const auto password = readPassword();
    if (!password)
        return password.error();
    const auth::PasswordHasher hasher;
    const auto hash = hasher.hashNow(*password);
    if (!hash)
        return Failure {QStringLiteral("cannot hash the password: %1").arg(hash.error())};

    const auto created =
        users.createUser(store::NewUser {command.name, command.displayName, QString::fromLatin1(*hash), {}});
    if (!created) {
        if (created.error().kind == store::StoreError::Kind::Conflict)
            return Failure {QStringLiteral("the username %1 is taken").arg(command.name)};
        return Failure {created.error().message};
    }
    qCInfo(lcApp).noquote() << "created user" << created->user.username << "id" << created->user.id;
    return QStringLiteral("created user %1 (id %2)\n").arg(created->user.username, created->user.id);
}

AdminTool::Outcome AdminTool::listUsers()
{
    const auto accounts = m_store->users().listUsers();
    if (!accounts)
        return Failure {accounts.error().message};
    QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("USERNAME"), QStringLiteral("STATUS"),
        QStringLiteral("DISPLAY NAME")}};
    for (const store::UserAccount &account : *accounts)
        rows.append({account.user.id, account.user.username,
            account.disabled ? QStringLiteral("disabled") : QStringLiteral("active"),
            account.user.displayName});
    return table(rows);
}

AdminTool::Outcome AdminTool::disableUser(const AdminCommand &command)
{
    auto &users = m_store->users();
    const auto account = users.userByUsername(command.name);
    if (!account)
        return Failure {account.error().kind == store::StoreError::Kind::NotFound
                ? QStringLiteral("no user named %1").arg(command.name)
                : account.error().message};
    if (auto disabled = users.disableUser(account->user.id); !disabled)
        return Failure {disabled.error().message};
    // Disabled accounts are refused anyway; the new version also kills the tokens
    // should the account ever be enabled again.
    const auto version = users.bumpTokenVersion(account->user.id);
    if (!version)
        return Failure {version.error().message};
    qCInfo(lcApp).noquote() << "disabled user" << command.name << "token version" << *version;
    return QStringLiteral("disabled user %1; the tokens it held no longer work\n").arg(command.name);
}

AdminTool::Outcome AdminTool::issueToken(const AdminCommand &command)
{
    const auto account = m_store->users().userByUsername(command.name);
    if (!account)
        return Failure {account.error().kind == store::StoreError::Kind::NotFound
                ? QStringLiteral("no user named %1").arg(command.name)
                : account.error().message};
    if (account->disabled)
        return Failure {QStringLiteral("the user %1 is disabled").arg(command.name)};

    auto key = m_config.jwtSecretFile.isEmpty() ? auth::SecretKey::loadOrGenerate(m_config.dataDir)
                                                : auth::SecretKey::fromFile(m_config.jwtSecretFile);
    if (!key)
        return Failure {key.error()};
    auth::AuthenticatorConfig authConfig;
    authConfig.tokenLifetime = command.ttl;
    // Issued by the server's own Authenticator type, so the claims are exactly
    // the ones a running server checks. The lookup is never asked: we only sign.
    const auth::Authenticator authenticator(
        std::move(*key), [](const QString &) { return std::nullopt; }, authConfig);
    const auth::IssuedToken token = authenticator.issueToken(account->user.id, account->tokenVersion);
    qCInfo(lcApp).noquote() << "issued a token for" << command.name << "until"
                            << token.expiresAt.toString(Qt::ISODate);
    return token.token + QLatin1Char('\n');
}

AdminTool::Outcome AdminTool::createChannel(const AdminCommand &command)
{
    auto &users = m_store->users();
    QStringList memberIds;
    for (const QString &username : command.members) {
        const auto account = users.userByUsername(username);
        if (!account)
            return Failure {account.error().kind == store::StoreError::Kind::NotFound
                    ? QStringLiteral("no user named %1").arg(username)
                    : account.error().message};
        memberIds.append(account->user.id);
    }

    auto &channels = m_store->channels();
    const auto created = channels.createChannel(
        store::NewChannel {command.name, command.topic, command.isPrivate, memberIds.first()});
    if (!created) {
        if (created.error().kind == store::StoreError::Kind::Conflict)
            return Failure {QStringLiteral("a channel named %1 exists").arg(command.name)};
        return Failure {created.error().message};
    }
    for (const QString &memberId : memberIds.mid(1)) {
        if (auto added = channels.addMember(created->id, memberId); !added)
            return Failure {QStringLiteral("created channel %1 (id %2) but could not add every member: %3")
                                .arg(command.name, created->id, added.error().message)};
    }
    qCInfo(lcApp).noquote() << "created channel" << command.name << "id" << created->id;
    return QStringLiteral("created %1 channel %2 (id %3) with %4 member(s)\n")
        .arg(command.isPrivate ? QStringLiteral("private") : QStringLiteral("public"), command.name,
            created->id)
        .arg(memberIds.size());
}

AdminTool::Outcome AdminTool::listChannels()
{
    // The store has no "every channel" query; every channel has been visible to
    // some user (its creator at least), so the union of what each user sees is
    // every channel that anyone can still reach.
    const auto accounts = m_store->users().listUsers();
    if (!accounts)
        return Failure {accounts.error().message};
    QMap<QString, protocol::Channel> byKey; // ordered by folded name, then id
    for (const store::UserAccount &account : *accounts) {
        const auto visible = m_store->channels().channelsVisibleTo(account.user.id);
        if (!visible)
            return Failure {visible.error().message};
        for (const protocol::Channel &channel : *visible)
            byKey.insert(channel.name.toCaseFolded() + QChar(0) + channel.id, channel);
    }
    QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("VISIBILITY"),
        QStringLiteral("MEMBERS"), QStringLiteral("MESSAGES"), QStringLiteral("TOPIC")}};
    for (const protocol::Channel &channel : std::as_const(byKey))
        rows.append({channel.id, channel.name,
            channel.isPrivate ? QStringLiteral("private") : QStringLiteral("public"),
            QString::number(channel.memberCount), QString::number(channel.lastSeq), channel.topic});
    return table(rows);
}

} // namespace parley::server::app
