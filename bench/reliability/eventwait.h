#pragma once

#include <chrono>
#include <functional>

namespace parley::reliability {

// Runs the event loop until `done` holds or `timeout` passes; true when it held.
// Sleeps in the event loop (no busy polling), so a benchmark's CPU goes to the
// server and the clients; `done` is checked every few milliseconds.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout);

} // namespace parley::reliability
