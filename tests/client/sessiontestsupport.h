#pragma once

#include "serverharness.h"
#include "session/clientsession.h"

#include <QHash>
#include <QSignalSpy>
#include <QTemporaryDir>

// Shared by the ClientSession tests: options pointing at a TestServer with fast
// back-off, and a recorder of everything the session delivered.
namespace parley::client::test {

using namespace std::chrono_literals;

inline SessionOptions optionsFor(
    const server::test::TestServer &server, const QString &account, const QString &cacheDir)
{
    SessionOptions options;
    options.server = ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.port())));
    options.account = account;
    options.cacheDir = cacheDir;
    options.reconnectBase = 50ms;
    options.reconnectMax = 400ms;
    return options;
}

// Every message the session handed up, per channel, in delivery order.
class DeliveryRecorder : public QObject
{
public:
    explicit DeliveryRecorder(ClientSession &session)
    {
        connect(&session, &ClientSession::messagesArrived, this,
            [this](const QString &channelId, const QList<protocol::Message> &messages) {
                m_delivered[channelId].append(messages);
            });
    }
    QList<protocol::Message> delivered(const QString &channelId) const
    {
        return m_delivered.value(channelId);
    }
    qsizetype count(const QString &channelId) const { return m_delivered.value(channelId).size(); }

    // seq 1..n exactly once each, in order.
    bool isExactlyOneToN(const QString &channelId, qint64 n) const
    {
        const auto list = delivered(channelId);
        if (list.size() != n)
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (list[i].seq != i + 1)
                return false;
        }
        return true;
    }

private:
    QHash<QString, QList<protocol::Message>> m_delivered;
};

inline QList<ClientSession::Stage> stagesOf(const QSignalSpy &spy)
{
    QList<ClientSession::Stage> stages;
    for (const auto &args : spy)
        stages.append(args.first().value<ClientSession::Stage>());
    return stages;
}

} // namespace parley::client::test
