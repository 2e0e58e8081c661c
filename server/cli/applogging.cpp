#include "applogging.h"

Q_LOGGING_CATEGORY(lcApp, "parley.server.app")
