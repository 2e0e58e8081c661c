#pragma once

#include <QString>

namespace parley::server {

// The server's files hold private messages, password hashes and the signing key: they
// are for the account that runs the server alone, whatever the umask of the process
// that starts it (the desktop app's host mode runs under the user's usual 022).
namespace privatefiles {

// Creates the directory (and its parents) if needed and makes it 0700. False if either fails.
bool makeDirectory(const QString &path);
// Creates an empty file 0600 if it does not exist, or makes an existing one 0600.
bool makeFile(const QString &path);
// makeFile() for an SQLite database and, where they exist, its -wal and -shm files
// (SQLite gives those the main file's mode when it creates them).
bool makeDatabaseFiles(const QString &databasePath);

} // namespace privatefiles

} // namespace parley::server
