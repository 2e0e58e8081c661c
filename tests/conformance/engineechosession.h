#pragma once

#include "protocol/engineio.h"
#include "transport/heartbeat.h"

#include <QObject>

namespace parley::transport {
class FrameChannel;
}

namespace parley::conformance {

// One connection of the engine.io test suite: the raw Engine.IO v4 level, where every
// message packet (text or binary) is echoed. SocketIoConnection has no raw-message
// hook, so this speaks the codec directly on the channel. It deletes itself when the
// channel is gone.
class EngineEchoSession : public QObject
{
public:
    EngineEchoSession(
        transport::FrameChannel *channel, const protocol::EngineOpenInfo &open, QObject *parent = nullptr);

private:
    void onText(const QByteArray &utf8);
    void onBinary(const QByteArray &bytes);
    void close(const QString &reason);

    transport::FrameChannel *m_channel;
    transport::Heartbeat m_heartbeat;
};

} // namespace parley::conformance
