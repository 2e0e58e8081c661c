#pragma once

#include "core/serverconfig.h"

class QTextStream;

namespace parley::server::app {

// parley-server without a command: start a ChatServer, announce the port on
// `out` ("listening on HOST:PORT", the one line scripts and tests read), serve
// until SIGINT/SIGTERM, then shut down cleanly. Needs a QCoreApplication.
// Returns the exit status: 0 after a clean stop, 1 when the server cannot start
// (the reason on `err`).
int runServer(const ServerConfig &config, QTextStream &out, QTextStream &err);

} // namespace parley::server::app
