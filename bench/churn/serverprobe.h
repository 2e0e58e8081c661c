#pragma once

#include <QtGlobal>

#include <chrono>
#include <optional>

namespace parley::churn {

// What a server process holds, read from outside: /proc for its memory and descriptors,
// GET /healthz for its connections and rooms (docs/protocol.md section 1).
struct Health
{
    int connections = 0;
    int rooms = 0;
};

qint64 residentKiB(qint64 pid); // VmRSS; -1 when unreadable
int openDescriptors(qint64 pid); // entries of /proc/PID/fd; -1 when unreadable
// One GET /healthz on 127.0.0.1:port from 127.0.0.1, run in the event loop; nullopt
// when no 200 with a JSON body came within timeout.
std::optional<Health> fetchHealth(quint16 port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace parley::churn
