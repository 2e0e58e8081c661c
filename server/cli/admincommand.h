#pragma once

#include <QString>
#include <QStringList>

#include <chrono>

namespace parley::server::app {

// A command line that cannot be run: one line naming the option or word at
// fault and what it expects. parley-server prints it and exits with status 2.
struct UsageError
{
    QString message;
};

// One admin subcommand, as the command line gave it (docs: README "Running a
// server"). Runs against a data dir while no server holds it.
struct AdminCommand
{
    enum class Verb
    {
        UserAdd, // user add NAME [--display-name X] --password-stdin
        UserList, // user list
        UserDisable, // user disable NAME
        Token, // token NAME [--ttl SECONDS]
        ChannelCreate, // channel create NAME [--private] [--topic T] [--member NAME]...
        ChannelList, // channel list
    };

    Verb verb = Verb::UserList;
    QString name; // the user or channel the verb is about; usernames already folded to lower case
    QString displayName; // user add; empty: the username
    std::chrono::seconds ttl = std::chrono::days(30); // token
    bool isPrivate = false; // channel create
    QString topic; // channel create
    QStringList members; // channel create: usernames, the first one is recorded as the creator
};

} // namespace parley::server::app
