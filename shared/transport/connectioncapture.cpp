#include "connectioncapture.h"

#include "captureredaction.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace parley::transport {

using protocol::EnginePacketType;
using protocol::SocketPacketType;

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Any one JSON value, scalars included (QJsonDocument reads arrays and objects only).
QJsonValue parseJsonValue(QByteArrayView text)
{
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[').append(text).append(']');
    const QJsonDocument document = QJsonDocument::fromJson(wrapped);
    return document.isArray() ? document.array().first() : QJsonValue(QJsonValue::Undefined);
}

// The event name of an EVENT's JSON without parsing the rest: the first string of
// the array when it has no escapes; nullopt sends the caller to the full parse.
std::optional<QString> leadingEventName(QByteArrayView json)
{
    qsizetype i = 0;
    while (i < json.size() && json[i] == ' ')
        ++i;
    if (i + 1 >= json.size() || json[i] != '[' || json[i + 1] != '"')
        return std::nullopt;
    const qsizetype start = i + 2;
    for (qsizetype end = start; end < json.size(); ++end) {
        if (json[end] == '\\')
            return std::nullopt;
        if (json[end] == '"')
            return QString::fromUtf8(json.sliced(start, end - start));
    }
    return std::nullopt;
}

bool isEvent(const std::optional<SocketPacketType> &type)
{
    return type == SocketPacketType::Event || type == SocketPacketType::BinaryEvent;
}

bool isAck(const std::optional<SocketPacketType> &type)
{
    return type == SocketPacketType::Ack || type == SocketPacketType::BinaryAck;
}

FrameDirection opposite(FrameDirection direction)
{
    return direction == FrameDirection::In ? FrameDirection::Out : FrameDirection::In;
}

} // namespace

ConnectionCapture::ConnectionCapture(
    CaptureRecorder &recorder, std::chrono::milliseconds defaultAckTimeout, quint64 connectionId)
    : m_recorder(&recorder)
    , m_connection(connectionId != 0 ? connectionId : recorder.nextConnectionId())
    , m_defaultAckTimeout(defaultAckTimeout)
{
    recorder.attach(this);
    m_timer.setSingleShot(true);
    m_timer.callOnTimeout([this] { flagExpired(); });
}

ConnectionCapture::~ConnectionCapture()
{
    if (m_recorder)
        m_recorder->detach(this);
}

void ConnectionCapture::frameIn(const QByteArray &frame, bool binary)
{
    capture(frame, binary, FrameDirection::In, std::chrono::milliseconds::zero());
}

void ConnectionCapture::frameOut(const QByteArray &frame, bool binary, std::chrono::milliseconds ackTimeout)
{
    capture(frame, binary, FrameDirection::Out, ackTimeout);
}

void ConnectionCapture::capture(
    const QByteArray &frame, bool binary, FrameDirection direction, std::chrono::milliseconds ackTimeout)
{
    CapturedFrame record;
    record.timeUs = m_recorder->nowUs();
    record.connection = m_connection;
    record.direction = direction;
    record.binary = binary;
    record.bytes = frame.size();
    AttachmentRun &run = direction == FrameDirection::In ? m_attachmentsIn : m_attachmentsOut;
    if (binary) {
        // An attachment: named after the packet that announced it; its bytes are
        // never kept (they are whatever the application sent).
        record.engineType = EnginePacketType::Message;
        if (run.left > 0) {
            --run.left;
            record.nsp = run.nsp;
            record.event = run.event;
        }
    } else {
        describeText(frame, record, run);
        pairAck(record, ackTimeout);
    }
    m_recorder->record(std::move(record));
}

void ConnectionCapture::describeText(const QByteArray &frame, CapturedFrame &record, AttachmentRun &run) const
{
    const qsizetype size = frame.size();
    if (size == 0 || frame[0] < '0' || frame[0] > '6')
        return;
    record.engineType = EnginePacketType(frame[0] - '0');
    const bool keepPayload = m_recorder->keepsPayloads();
    if (record.engineType == EnginePacketType::Open && keepPayload)
        record.payload = redaction::redact(parseJsonValue(QByteArrayView(frame).sliced(1)));
    if (record.engineType != EnginePacketType::Message || size < 2 || frame[1] < '0' || frame[1] > '6')
        return;

    // The Socket.IO header: type, [attachments "-"], [nsp ","], [ack id], then JSON.
    record.socketType = SocketPacketType(frame[1] - '0');
    qsizetype i = 2;
    int attachments = 0;
    if (record.socketType == SocketPacketType::BinaryEvent ||
        record.socketType == SocketPacketType::BinaryAck) {
        while (i < size && isDigit(frame[i]) && attachments < 1000)
            attachments = attachments * 10 + (frame[i++] - '0');
        if (i < size && frame[i] == '-')
            ++i;
    }
    record.nsp = QStringLiteral("/");
    if (i < size && frame[i] == '/') {
        qsizetype comma = frame.indexOf(',', i);
        if (comma < 0)
            comma = size;
        record.nsp = redaction::redactText(QString::fromUtf8(frame.constData() + i, comma - i));
        i = std::min(comma + 1, size);
    }
    if (i < size && isDigit(frame[i])) {
        qint64 id = 0;
        int digits = 0;
        while (i < size && isDigit(frame[i]) && digits++ < 18)
            id = id * 10 + (frame[i++] - '0');
        record.ackId = id;
    }

    if (isEvent(record.socketType) && !keepPayload) {
        if (const auto name = leadingEventName(QByteArrayView(frame).sliced(i)))
            record.event = redaction::redactText(*name);
    }
    if ((isEvent(record.socketType) && record.event.isEmpty()) || keepPayload) {
        QJsonValue data = parseJsonValue(QByteArrayView(frame).sliced(i));
        if (isEvent(record.socketType) && data.isArray()) {
            QJsonArray args = data.toArray();
            if (!args.isEmpty()) {
                record.event = redaction::redactText(args.first().toString());
                args.removeFirst();
            }
            data = args;
        }
        if (keepPayload)
            record.payload = redaction::redact(data);
    }
    if (attachments > 0) {
        run.left = attachments;
        run.nsp = record.nsp;
        run.event = record.event;
    }
}

void ConnectionCapture::pairAck(CapturedFrame &record, std::chrono::milliseconds ackTimeout)
{
    if (!record.ackId)
        return;
    if (isEvent(record.socketType)) {
        const bool toldTimeout = record.direction == FrameDirection::Out && ackTimeout.count() > 0;
        const RequestKey key {int(record.direction), record.nsp, *record.ackId};
        const auto deadline = Clock::now() + (toldTimeout ? ackTimeout : m_defaultAckTimeout);
        m_requests.insert_or_assign(key, Request {record.event, record.timeUs, deadline});
        if (!m_timer.isActive() || deadline < m_armedFor)
            armTimer();
        return;
    }
    if (!isAck(record.socketType))
        return;
    const auto it = m_requests.find(RequestKey {int(opposite(record.direction)), record.nsp, *record.ackId});
    if (it == m_requests.end())
        return; // late, or never asked for
    record.rttUs = record.timeUs - it->second.sentUs;
    record.event = it->second.event;
    m_requests.erase(it);
    if (m_requests.empty())
        m_timer.stop();
    // Otherwise the timer may now be early; it re-arms itself when it fires.
}

void ConnectionCapture::flagExpired()
{
    const auto now = Clock::now();
    for (auto it = m_requests.begin(); it != m_requests.end();) {
        if (it->second.deadline <= now) {
            flag(it->first, it->second, QStringLiteral("timeout"));
            it = m_requests.erase(it);
        } else {
            ++it;
        }
    }
    armTimer();
}

void ConnectionCapture::flag(const RequestKey &key, const Request &request, const QString &why)
{
    if (!isOn())
        return;
    CapturedFrame record;
    record.kind = CaptureKind::Unanswered;
    record.timeUs = m_recorder->nowUs();
    record.connection = m_connection;
    record.direction = FrameDirection(std::get<0>(key));
    record.nsp = std::get<1>(key);
    record.ackId = std::get<2>(key);
    record.event = request.event;
    record.rttUs = record.timeUs - request.sentUs;
    record.note = why;
    m_recorder->record(std::move(record));
}

void ConnectionCapture::connectionClosed(const QString &reason)
{
    for (const auto &[key, request] : std::exchange(m_requests, {}))
        flag(key, request, QStringLiteral("closed"));
    m_timer.stop();
    CapturedFrame record;
    record.kind = CaptureKind::Closed;
    record.timeUs = m_recorder->nowUs();
    record.connection = m_connection;
    record.note = redaction::redactText(reason);
    m_recorder->record(std::move(record));
}

void ConnectionCapture::armTimer()
{
    if (m_requests.empty()) {
        m_timer.stop();
        return;
    }
    auto earliest = m_requests.begin()->second.deadline;
    for (const auto &entry : m_requests)
        earliest = std::min(earliest, entry.second.deadline);
    m_armedFor = earliest;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(earliest - Clock::now());
    m_timer.start(std::max(wait, std::chrono::milliseconds::zero()));
}

} // namespace parley::transport
