#pragma once

#include "admincommand.h"
#include "core/serverconfig.h"
#include "protocol/result.h"

#include <QLockFile>
#include <QString>

#include <memory>
#include <optional>

class QIODevice;
class QTextStream;

namespace parley::store {
class ChatStore;
}

namespace parley::server::app {

// Runs one admin command against a data dir, with the store and the signing key
// opened directly (no server, no socket). It holds the same lock file a running
// ChatServer holds, so the two never write to one database at once: while a
// server runs, every command is refused.
class AdminTool
{
public:
    // `config` gives dataDir (and jwtSecretFile for `token`); `input` is where
    // `user add --password-stdin` reads the password.
    AdminTool(ServerConfig config, QTextStream &out, QTextStream &err, QIODevice &input);
    ~AdminTool();
    AdminTool(const AdminTool &) = delete;
    AdminTool &operator=(const AdminTool &) = delete;

    // 0 when done; otherwise 1, with one line on `err` saying why.
    int run(const AdminCommand &command);

    static QString lockFileName() { return QStringLiteral("parley-server.lock"); }

private:
    struct Failure
    {
        QString message;
    };
    using Outcome = protocol::Result<QString, Failure>; // what to print, or why not

    std::optional<Failure> lockDataDir(const AdminCommand &command);
    Outcome execute(const AdminCommand &command);
    Outcome addUser(const AdminCommand &command);
    Outcome listUsers();
    Outcome disableUser(const AdminCommand &command);
    Outcome issueToken(const AdminCommand &command);
    Outcome createChannel(const AdminCommand &command);
    Outcome listChannels();
    protocol::Result<QByteArray, Failure> readPassword();

    ServerConfig m_config;
    QTextStream &m_out;
    QTextStream &m_err;
    QIODevice &m_input;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<store::ChatStore> m_store;
};

} // namespace parley::server::app
