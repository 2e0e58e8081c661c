#include "authlog.h"

namespace parley::auth {

Q_LOGGING_CATEGORY(lcAuth, "parley.auth")

} // namespace parley::auth
