#pragma once

#include "capturedframe.h"

#include <QFile>
#include <QObject>
#include <QTimer>

namespace parley::transport {

class CaptureRecorder;

// The file sink of the protocol capture: every record of the recorders it is
// attached to, as JSON Lines (docs/trace.md). Records are redacted already; without
// the payloads flag the file holds names, ids, sizes and timings but no payload (a
// server's trace would otherwise hold every user's messages). Lines are buffered and
// flushed within flushInterval, on flush(), and on destruction.
class TraceWriter : public QObject
{
    Q_OBJECT
public:
    TraceWriter(const QString &path, bool withPayloads, QObject *parent = nullptr);
    ~TraceWriter() override;

    // Creates or truncates the file; false (see errorString()) when it cannot.
    bool open();
    bool isOpen() const { return m_file.isOpen(); }
    QString errorString() const { return m_file.errorString(); }
    QString path() const { return m_file.fileName(); }
    bool withPayloads() const { return m_withPayloads; }

    // Writes every record the recorder captures from now on. The recorder itself is
    // not changed: switch it on with setEnabled(true) (and setKeepPayloads(false) to
    // save the decoding when payloads are not written).
    void attach(CaptureRecorder *recorder);

    void write(const CapturedFrame &frame);
    void flush();
    qint64 linesWritten() const { return m_lines; }

    static constexpr int FlushIntervalMs = 500;

private:
    QFile m_file;
    QTimer m_flushTimer;
    const bool m_withPayloads;
    qint64 m_lines = 0;
    bool m_reportedWriteError = false;
};

} // namespace parley::transport
