#pragma once

#include "capturerecorder.h"

#include <QTimer>

#include <chrono>
#include <map>
#include <tuple>

namespace parley::transport {

// The capture tap of one SocketIoConnection: turns each frame in or out into a
// CapturedFrame for the recorder (decoding the Engine.IO and Socket.IO headers on its
// own, so the connection's code path is untouched), pairs acks with their requests
// and flags the requests left unanswered past their timeout. The connection asks
// isOn() before handing it anything: a flag the recorder keeps up to date, false
// for good once the recorder is gone.
class ConnectionCapture
{
public:
    // defaultAckTimeout: how long a request is waited for when nobody said (an
    // incoming request, whose sender's timeout is unknown). connectionId 0: the
    // recorder numbers the connection.
    ConnectionCapture(
        CaptureRecorder &recorder, std::chrono::milliseconds defaultAckTimeout, quint64 connectionId = 0);
    ~ConnectionCapture();

    bool isOn() const { return m_on; }
    quint64 connectionId() const { return m_connection; }

    void frameIn(const QByteArray &frame, bool binary);
    // ackTimeout: for an event that asks for an ack, how long the sender waits.
    void frameOut(const QByteArray &frame, bool binary,
        std::chrono::milliseconds ackTimeout = std::chrono::milliseconds::zero());
    // Flags every request still waiting, then records the close.
    void connectionClosed(const QString &reason);

private:
    friend class CaptureRecorder; // sets m_on, and m_recorder to nullptr when it goes

    using Clock = std::chrono::steady_clock;
    using RequestKey = std::tuple<int, QString, qint64>; // request direction, nsp, ack id
    struct Request
    {
        QString event;
        qint64 sentUs = 0;
        Clock::time_point deadline;
    };
    struct AttachmentRun // the binary frames a BINARY_EVENT / BINARY_ACK announced
    {
        int left = 0;
        QString nsp;
        QString event;
    };

    void capture(
        const QByteArray &frame, bool binary, FrameDirection direction, std::chrono::milliseconds ackTimeout);
    void describeText(const QByteArray &frame, CapturedFrame &record, AttachmentRun &run) const;
    void pairAck(CapturedFrame &record, std::chrono::milliseconds ackTimeout);
    void flagExpired();
    void flag(const RequestKey &key, const Request &request, const QString &why);
    void armTimer();

    CaptureRecorder *m_recorder;
    bool m_on = false;
    const quint64 m_connection;
    const std::chrono::milliseconds m_defaultAckTimeout;
    std::map<RequestKey, Request> m_requests;
    AttachmentRun m_attachmentsIn;
    AttachmentRun m_attachmentsOut;
    QTimer m_timer; // the earliest request deadline, only while requests wait
    Clock::time_point m_armedFor;
};

} // namespace parley::transport
