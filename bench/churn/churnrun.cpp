#include "churnrun.h"

#include "eventwait.h"
#include "rawclient.h"

#include <QElapsedTimer>
#include <QTimer>

#include <utility>

namespace parley::churn {

namespace {

constexpr qsizetype KeptFailures = 5;

} // namespace

ChurnRun::ChurnRun(ChurnPlan plan, QObject *parent)
    : QObject(parent)
    , m_plan(std::move(plan))
{ }

ChurnResult ChurnRun::run(qint64 cycles, std::chrono::milliseconds timeout)
{
    m_result = {};
    m_target = cycles;
    m_started = 0;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < m_plan.parallel; ++i)
        startCycle();
    reliability::waitUntil([this] { return m_inFlight == 0 && m_started >= m_target; }, timeout);
    m_result.elapsedMs = clock.elapsed();
    return m_result;
}

void ChurnRun::startCycle()
{
    if (m_started >= m_target)
        return;
    ++m_started;
    ++m_inFlight;
    const qint64 serial = m_serial++;
    auto *client = new RawClient(m_plan.source, this);
    connect(client, &RawClient::opened, client, [this, client] { client->connectMain(m_plan.token); });
    connect(client, &RawClient::ready, client, [this, client, serial] {
        switch (serial % 3) {
        case 0: // close frame and FIN; the cycle ends with the server's end
            client->disconnectGracefully();
            break;
        case 1:
            client->sendText("41");
            client->disconnectGracefully();
            break;
        default:
            finishCycle(client, true);
            break;
        }
    });
    connect(client, &RawClient::ended, client, [this, client] {
        if (client->isReady())
            finishCycle(client, true);
        else
            finishCycle(client, false, QStringLiteral("ended before connection:ready"));
    });
    auto *deadline = new QTimer(client);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, client, [this, client] {
        finishCycle(client, false,
            QStringLiteral("no connection:ready in time (stage %1)").arg(int(client->stage())));
    });
    deadline->start(m_plan.cycleTimeout);
    client->connectToServer(m_plan.port);
}

void ChurnRun::finishCycle(RawClient *client, bool completed, const QString &why)
{
    client->disconnect(); // its end reports nothing more
    qDeleteAll(client->findChildren<QTimer *>(Qt::FindDirectChildrenOnly));
    client->abort(); // a no-op after the server's end; a reset otherwise
    client->deleteLater();
    if (completed) {
        ++m_result.completed;
    } else {
        ++m_result.failed;
        if (m_result.failures.size() < KeptFailures)
            m_result.failures.append(why);
    }
    --m_inFlight;
    startCycle();
}

} // namespace parley::churn
