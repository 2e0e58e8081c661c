#include "descriptorlimit.h"

#include <QFile>

#include <sys/resource.h>

namespace parley::net {

namespace {

// The kernel refuses a limit above fs.nr_open even when the hard limit is "unlimited".
rlim_t kernelCeiling()
{
    QFile file(QStringLiteral("/proc/sys/fs/nr_open"));
    if (!file.open(QIODevice::ReadOnly))
        return RLIM_INFINITY;
    bool ok = false;
    const qulonglong value = file.readAll().trimmed().toULongLong(&ok);
    return ok ? rlim_t(value) : RLIM_INFINITY;
}

} // namespace

DescriptorLimit raiseDescriptorLimit()
{
    DescriptorLimit limit;
    rlimit current {};
    if (getrlimit(RLIMIT_NOFILE, &current) != 0)
        return limit;
    limit.before = limit.soft = current.rlim_cur;
    limit.hard = current.rlim_max;
    rlim_t wanted = current.rlim_max;
    if (wanted == RLIM_INFINITY)
        wanted = kernelCeiling();
    if (wanted == RLIM_INFINITY || wanted <= current.rlim_cur)
        return limit;
    rlimit raised = current;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
        limit.soft = wanted;
    return limit;
}

} // namespace parley::net
