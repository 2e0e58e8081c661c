#include "serverlogging.h"

Q_LOGGING_CATEGORY(lcServer, "parley.server")
