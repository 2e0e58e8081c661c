#pragma once

#include <QLoggingCategory>

namespace parley::auth {

// "parley.auth": one category for the whole target. Nothing logged under it ever
// carries a password or a whole token.
Q_DECLARE_LOGGING_CATEGORY(lcAuth)

} // namespace parley::auth
