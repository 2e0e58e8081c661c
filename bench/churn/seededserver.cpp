#include "seededserver.h"

#include "../seed/benchseeder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace parley::churn {

SeededServer::SeededServer(Plan plan)
    : m_plan(std::move(plan))
    , m_process(m_plan.binary)
{ }

QString SeededServer::start()
{
    if (!m_dataDir.isValid())
        return QStringLiteral("no temporary data dir");
    bench::SeedPlan seedPlan;
    seedPlan.dataDir = m_dataDir.path();
    seedPlan.users = m_plan.users;
    seedPlan.channels = m_plan.channels;
    seedPlan.perUser = m_plan.channels;
    seedPlan.tokensFile = QDir(m_dataDir.path()).filePath(QStringLiteral("tokens.json"));
    if (const auto seeded = bench::seed(seedPlan); !seeded)
        return seeded.error();
    QFile tokensFile(seedPlan.tokensFile);
    if (!tokensFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1").arg(seedPlan.tokensFile);
    const QJsonArray tokens = QJsonDocument::fromJson(tokensFile.readAll()).array();
    m_tokens.clear();
    for (const QJsonValue &entry : tokens)
        m_tokens.append(entry.toObject().value(QLatin1String("token")).toString());
    if (m_tokens.size() != m_plan.users)
        return QStringLiteral("%1 tokens for %2 users").arg(m_tokens.size()).arg(m_plan.users);

    reliability::ServerProcess::Launch launch;
    launch.dataDir = m_dataDir.path();
    launch.arguments = m_plan.arguments;
    // Under AddressSanitizer freed memory waits in a quarantine of up to 256 MiB before
    // it is reused, so a server that frees everything it takes would still look like it
    // grows: a small quarantine lets its resident size say what it holds.
    QString asan = qEnvironmentVariable("ASAN_OPTIONS");
    launch.environment.append(QStringLiteral("ASAN_OPTIONS=%1%2quarantine_size_mb=4")
                                  .arg(asan, asan.isEmpty() ? QString() : QStringLiteral(":")));
    if (m_process.start(launch) == 0)
        return QStringLiteral("parley-server did not start: ") + m_process.standardError();
    return {};
}

} // namespace parley::churn
