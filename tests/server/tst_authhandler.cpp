#include "serverharness.h"

#include <QTest>

// Placeholder: the handler's integration tests are being written.
class TestAuthHandler : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(TestAuthHandler)
#include "tst_authhandler.moc"
