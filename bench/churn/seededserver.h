#pragma once

#include "serverprocess.h"

#include <QStringList>
#include <QTemporaryDir>

namespace parley::churn {

// parley-server on a fresh data dir seeded as parley-bench-seed seeds it: users 1..N
// (tokens minted with the data dir's key), channels 1..C, everyone in every channel.
class SeededServer
{
public:
    struct Plan
    {
        QString binary;
        int users = 2;
        int channels = 1;
        QStringList arguments; // passed to parley-server after the usual ones
    };
    explicit SeededServer(Plan plan);

    // Seeds and starts; empty on success, else why not.
    QString start();
    reliability::ServerProcess &process() { return m_process; }
    quint16 port() const { return m_process.port(); }
    qint64 pid() const { return m_process.pid(); }
    QUrl url() const { return m_process.url(); }
    QString token(int user) const { return m_tokens.value(user - 1); } // 1-based, as the ids
    QString userId(int user) const { return QString::number(user); }

private:
    Plan m_plan;
    QTemporaryDir m_dataDir;
    QStringList m_tokens;
    reliability::ServerProcess m_process;
};

} // namespace parley::churn
