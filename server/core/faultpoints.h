#pragma once

// Crash points for the reliability tests (tests/reliability). They exist only in
// builds configured with -DPARLEY_FAULT_POINTS=ON; elsewhere the macros below
// expand to nothing, so a release build carries no way to crash or to lose data
// on purpose.
//
// PARLEY_FAULT_POINT=NAME:N in the environment makes the N-th pass through the
// point NAME (counted from 1) kill the process with SIGKILL: no destructor, no
// flush, no shutdown, exactly as a power cut or `kill -9` would leave things.
// Points: before-commit, after-commit-before-ack (server/core/messagewriter.cpp),
// mid-broadcast (server/core/broadcaster.cpp).
//
// PARLEY_FAULT_NO_SYNC=1 makes the store's connection run PRAGMA synchronous=OFF
// once it is open: commits return before anything reaches the disk. It exists so
// that the fsync-before-ack test can show that it notices a server acking unsynced
// writes (tests/reliability/tst_fsyncbeforeack.cpp).
#ifdef PARLEY_FAULT_POINTS

namespace parley::store {
class ChatStore;
}

namespace parley::server {
void passFaultPoint(const char *name);
void storeOpened(const store::ChatStore &store);
} // namespace parley::server

#define PARLEY_FAULT_POINT(name) ::parley::server::passFaultPoint(name)
#define PARLEY_FAULT_STORE_OPENED(store) ::parley::server::storeOpened(store)

#else

#define PARLEY_FAULT_POINT(name) static_cast<void>(0)
#define PARLEY_FAULT_STORE_OPENED(store) static_cast<void>(0)

#endif
