#include "capturerecorder.h"

#include "connectioncapture.h"

namespace parley::transport {

CaptureRecorder::CaptureRecorder(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<CapturedFrame>();
    m_clock.start();
}

CaptureRecorder::~CaptureRecorder()
{
    for (ConnectionCapture *capture : m_captures) {
        capture->m_on = false;
        capture->m_recorder = nullptr;
    }
}

bool CaptureRecorder::isCompiledIn()
{
#if PARLEY_CAPTURE_ENABLED
    return true;
#else
    return false;
#endif
}

void CaptureRecorder::setEnabled(bool enabled)
{
    m_enabled = enabled;
    for (ConnectionCapture *capture : m_captures)
        capture->m_on = enabled;
}

void CaptureRecorder::attach(ConnectionCapture *capture)
{
    m_captures.insert(capture);
    capture->m_on = m_enabled;
}

void CaptureRecorder::detach(ConnectionCapture *capture)
{
    m_captures.erase(capture);
}

void CaptureRecorder::setKeepPayloads(bool keep)
{
    m_keepPayloads = keep;
}

void CaptureRecorder::setCapacity(qsizetype capacity)
{
    const QList<CapturedFrame> kept = frames();
    m_capacity = std::max<qsizetype>(capacity, 1);
    m_ring.clear();
    m_oldest = 0;
    const qsizetype skip = std::max<qsizetype>(kept.size() - m_capacity, 0);
    m_dropped += quint64(skip);
    for (qsizetype i = skip; i < kept.size(); ++i)
        m_ring.push_back(kept.at(i));
}

QList<CapturedFrame> CaptureRecorder::frames() const
{
    QList<CapturedFrame> ordered;
    ordered.reserve(qsizetype(m_ring.size()));
    for (size_t i = 0; i < m_ring.size(); ++i)
        ordered.append(m_ring[(m_oldest + i) % m_ring.size()]);
    return ordered;
}

void CaptureRecorder::clear()
{
    m_ring.clear();
    m_oldest = 0;
    m_dropped = 0;
}

void CaptureRecorder::record(CapturedFrame frame)
{
    Q_EMIT frameCaptured(frame);
    if (qsizetype(m_ring.size()) < m_capacity) {
        m_ring.push_back(std::move(frame));
        return;
    }
    m_ring[m_oldest] = std::move(frame);
    m_oldest = (m_oldest + 1) % m_ring.size();
    ++m_dropped;
}

} // namespace parley::transport
