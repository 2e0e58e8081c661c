#pragma once

#include "admincommand.h"
#include "protocol/result.h"

#include <QString>
#include <QStringList>

namespace parley::server::app {

// What follows the command word of an admin subcommand, e.g.
// {"user", "add", "alice", "--password-stdin"}.
struct AdminCommandLine
{
    AdminCommand command;
    QString dataDir; // empty: not given after the command
    QString jwtSecretFile; // token only; empty: not given
    QString helpText; // not empty: --help was asked for; print it, run nothing
};

bool isAdminCommandWord(const QString &word);
// How the command line spells a verb: "user add", "token", ...
QString commandWords(AdminCommand::Verb verb);
// `program` is how the help names the executable.
protocol::Result<AdminCommandLine, UsageError> parseAdminCommandLine(
    const QString &program, const QStringList &words);

} // namespace parley::server::app
