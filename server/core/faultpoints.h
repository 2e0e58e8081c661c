#pragma once

// Crash points for the reliability tests (tests/reliability). They exist only in
// builds configured with -DPARLEY_FAULT_POINTS=ON; elsewhere PARLEY_FAULT_POINT
// expands to nothing, so a release build carries no way to crash on purpose.
//
// PARLEY_FAULT_POINT=NAME:N in the environment makes the N-th pass through the
// point NAME (counted from 1) kill the process with SIGKILL: no destructor, no
// flush, no shutdown, exactly as a power cut or `kill -9` would leave things.
// Points: before-commit, after-commit-before-ack (server/core/messagewriter.cpp),
// mid-broadcast (server/core/broadcaster.cpp).
#ifdef PARLEY_FAULT_POINTS

namespace parley::server {
void passFaultPoint(const char *name);
}

#define PARLEY_FAULT_POINT(name) ::parley::server::passFaultPoint(name)

#else

#define PARLEY_FAULT_POINT(name) static_cast<void>(0)

#endif
