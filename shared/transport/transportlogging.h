#pragma once

#include <QLoggingCategory>

// The one logging category of parley_transport ("parley.transport").
Q_DECLARE_LOGGING_CATEGORY(lcTransport)
