#pragma once

#include <QLoggingCategory>

namespace parley::client {
Q_DECLARE_LOGGING_CATEGORY(lcClient)
}
