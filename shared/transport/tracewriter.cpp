#include "tracewriter.h"

#include "capturerecorder.h"
#include "tracefile.h"
#include "transportlogging.h"

namespace parley::transport {

TraceWriter::TraceWriter(const QString &path, bool withPayloads, QObject *parent)
    : QObject(parent)
    , m_file(path)
    , m_withPayloads(withPayloads)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushIntervalMs);
    m_flushTimer.callOnTimeout(this, &TraceWriter::flush);
}

TraceWriter::~TraceWriter()
{
    flush();
}

bool TraceWriter::open()
{
    return m_file.open(QIODevice::WriteOnly | QIODevice::Truncate);
}

void TraceWriter::attach(CaptureRecorder *recorder)
{
    connect(recorder, &CaptureRecorder::frameCaptured, this, &TraceWriter::write);
}

void TraceWriter::write(const CapturedFrame &frame)
{
    if (!m_file.isOpen())
        return;
    QByteArray line = tracefile::toLine(frame, m_withPayloads);
    line.append('\n');
    if (m_file.write(line) != line.size() && !m_reportedWriteError) {
        m_reportedWriteError = true; // once: a full disk would otherwise flood the log
        qCWarning(lcTransport) << "trace" << m_file.fileName() << "write failed:" << m_file.errorString();
    }
    ++m_lines;
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void TraceWriter::flush()
{
    m_flushTimer.stop();
    if (m_file.isOpen())
        m_file.flush();
}

} // namespace parley::transport
