#pragma once

#include <QTest>

// A check the test suite promises (the fsync trace, the crash points, a keyring) may
// be impossible on a developer's machine: there it is skipped, and ctest shows it as
// skipped. Under CI (CI=true) the same missing prerequisite is a failure, so a
// promised check can never pass by not running.
#define PARLEY_SKIP_OR_FAIL_IN_CI(reason)                                                                    \
    do {                                                                                                     \
        if (qEnvironmentVariable("CI") == QLatin1String("true"))                                             \
            QFAIL(qPrintable(QStringLiteral("CI=true and this promised check cannot run: ") + (reason)));    \
        QSKIP(qPrintable(reason));                                                                           \
    } while (false)
