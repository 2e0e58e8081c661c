#include "storelogging.h"

namespace parley::store {
Q_LOGGING_CATEGORY(lcStore, "parley.store")
} // namespace parley::store
