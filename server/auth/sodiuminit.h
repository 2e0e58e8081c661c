#pragma once

namespace parley::auth {

// libsodium must be initialised before its first use (it picks CPU-specific code
// and opens the random source). sodium_init() is thread-safe and idempotent; this
// wrapper only remembers the outcome. Returns false when libsodium is unusable.
bool ensureSodium();

} // namespace parley::auth
