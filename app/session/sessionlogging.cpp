#include "sessionlogging.h"

namespace parley::client {
Q_LOGGING_CATEGORY(lcClient, "parley.client")
}
