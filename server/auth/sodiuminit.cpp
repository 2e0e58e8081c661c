#include "sodiuminit.h"

#include <sodium.h>

namespace parley::auth {

bool ensureSodium()
{
    // A function-local static runs sodium_init() exactly once, even when the
    // first callers race on several threads. 0 = initialised now, 1 = before.
    static const bool usable = sodium_init() >= 0;
    return usable;
}

} // namespace parley::auth
