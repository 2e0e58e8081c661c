#include "faultpoints.h"

#ifdef PARLEY_FAULT_POINTS

#include "store/chatstore.h"

#include <QByteArray>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace parley::server {

namespace {

struct Armed
{
    QByteArray name; // empty: no point armed
    long long pass = 0;
};

// Read once: the environment is the process's configuration, fixed at start.
const Armed &armedPoint()
{
    static const Armed armed = [] {
        const QByteArray spec = qgetenv("PARLEY_FAULT_POINT");
        const qsizetype colon = spec.lastIndexOf(':');
        Armed parsed;
        if (colon <= 0)
            return parsed;
        bool ok = false;
        parsed.pass = spec.mid(colon + 1).toLongLong(&ok);
        if (ok && parsed.pass > 0)
            parsed.name = spec.left(colon);
        else
            std::fprintf(
                stderr, "PARLEY_FAULT_POINT=%s ignored: expected NAME:N, N >= 1\n", spec.constData());
        return parsed;
    }();
    return armed;
}

std::atomic<long long> passes {0};

} // namespace

void passFaultPoint(const char *name)
{
    const Armed &armed = armedPoint();
    if (armed.name.isEmpty() || std::strcmp(armed.name.constData(), name) != 0)
        return;
    if (passes.fetch_add(1) + 1 != armed.pass)
        return;
    std::fprintf(stderr, "fault point %s: pass %lld, SIGKILL\n", name, armed.pass);
    std::fflush(stderr);
    std::raise(SIGKILL);
}

void storeOpened(const store::ChatStore &store)
{
    if (qEnvironmentVariableIntValue("PARLEY_FAULT_NO_SYNC") == 0)
        return;
    if (auto off = store.database().run(QStringLiteral("PRAGMA synchronous = OFF")); !off) {
        std::fprintf(stderr, "PARLEY_FAULT_NO_SYNC: %s\n", qPrintable(off.error().message));
        return;
    }
    std::fprintf(stderr, "PARLEY_FAULT_NO_SYNC: synchronous=OFF, acks no longer wait for the disk\n");
    std::fflush(stderr);
}

} // namespace parley::server

#endif
