#pragma once

#include <QLoggingCategory>

// parley-server's own category (options, admin commands, signals); the server
// core logs under parley.server.
Q_DECLARE_LOGGING_CATEGORY(lcApp)
