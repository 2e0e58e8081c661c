#include "serverharness.h"

#include <QTest>

// Placeholder: the handler's integration tests are being written.
class TestMessageHandler : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(TestMessageHandler)
#include "tst_messagehandler.moc"
