#pragma once

// The reliability tests drive the real parley-server through bench/reliability's
// parley_crashload library, the same code parley-bench-reliability measures with.
#include "crashlog.h"
#include "databaseview.h"
#include "serverprocess.h"

#include <QString>

namespace parley::reliability {

inline const QString ServerBinary = QStringLiteral(PARLEY_SERVER_BINARY);

} // namespace parley::reliability
