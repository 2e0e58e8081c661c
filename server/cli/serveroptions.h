#pragma once

#include "admincommand.h"
#include "core/serverconfig.h"
#include "protocol/result.h"

#include <QString>
#include <QStringList>

namespace parley::server::app {

// What one run of parley-server is asked to do.
struct Invocation
{
    enum class Kind
    {
        Serve, // run a ChatServer with `config`
        ShowText, // print `text` (--help, --version) and exit 0
        Admin, // run `admin` on config.dataDir (and config.jwtSecretFile for token)
    };
    Kind kind = Kind::Serve;
    ServerConfig config;
    QString text;
    AdminCommand admin;
};

// parley-server's command line, read with QCommandLineParser into a ServerConfig
// or an admin command. Never exits and never prints: a bad value comes back as a
// UsageError for main() to report, so every case can be tested.
class ServerOptions
{
public:
    using Parsed = protocol::Result<Invocation, UsageError>;

    // `arguments` as QCoreApplication::arguments() gives them: the program first.
    static Parsed parse(const QStringList &arguments);
    static QString version();
};

} // namespace parley::server::app
