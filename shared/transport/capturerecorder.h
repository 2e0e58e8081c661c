#pragma once

#include "capturedframe.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <set>
#include <vector>

namespace parley::transport {

// The protocol capture of any number of connections (attached with
// SocketIoConnection::attachCapture): the last capacity() records in a ring, a count
// of the ones the ring dropped, and frameCaptured() for sinks such as TraceWriter.
// Switched off (the default) an attached connection costs one predictable branch
// per frame: nothing is decoded or allocated. Everything lives on one thread, and
// the recorder may be deleted before or after the connections attached to it.
class ConnectionCapture;

class CaptureRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype DefaultCapacity = 10000;

    explicit CaptureRecorder(QObject *parent = nullptr);
    ~CaptureRecorder() override;

    // False in a build with -DPARLEY_CAPTURE=OFF: connections then never record.
    static bool isCompiledIn();

    bool isEnabled() const { return m_enabled; }
    void setEnabled(bool enabled);

    // Whether records keep the (redacted) payload; on by default. Off, records hold
    // names, ids, sizes and timings only, and capture costs less.
    bool keepsPayloads() const { return m_keepPayloads; }
    void setKeepPayloads(bool keep);

    qsizetype capacity() const { return m_capacity; }
    void setCapacity(qsizetype capacity); // at least 1; drops the oldest records beyond it

    QList<CapturedFrame> frames() const; // oldest first
    qsizetype size() const { return qsizetype(m_ring.size()); }
    quint64 droppedCount() const { return m_dropped; } // records pushed out of the ring
    void clear(); // empties the ring and zeroes the dropped count

    // For the connections' captures.
    quint64 nextConnectionId() { return ++m_lastConnectionId; }
    qint64 nowUs() const { return m_clock.nsecsElapsed() / 1000; }
    void record(CapturedFrame frame);

Q_SIGNALS:
    void frameCaptured(const parley::transport::CapturedFrame &frame);

private:
    friend class ConnectionCapture;
    void attach(ConnectionCapture *capture);
    void detach(ConnectionCapture *capture);

    QElapsedTimer m_clock;
    std::set<ConnectionCapture *> m_captures; // they read m_enabled through their own flag
    std::vector<CapturedFrame> m_ring;
    size_t m_oldest = 0; // index of the oldest record once the ring is full
    qsizetype m_capacity = DefaultCapacity;
    quint64 m_dropped = 0;
    quint64 m_lastConnectionId = 0;
    bool m_enabled = false;
    bool m_keepPayloads = true;
};

} // namespace parley::transport
