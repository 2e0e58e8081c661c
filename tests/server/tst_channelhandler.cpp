#include "serverharness.h"

#include <QTest>

// Placeholder: the handler's integration tests are being written.
class TestChannelHandler : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(TestChannelHandler)
#include "tst_channelhandler.moc"
