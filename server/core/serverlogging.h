#pragma once

#include <QLoggingCategory>

// The server core's one logging category. Never log a password or a whole token.
Q_DECLARE_LOGGING_CATEGORY(lcServer)
