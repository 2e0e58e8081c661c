#include "socketio.h"

#include "jsontext.h"

#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringDecoder>

#include <algorithm>
#include <iterator>

namespace parley::protocol {

namespace {

using DecodeResult = Result<std::optional<SocketPacket>, ProtocolError>;

constexpr char FirstTypeDigit = '0';
constexpr char LastTypeDigit = '0' + static_cast<char>(SocketPacketType::BinaryAck);
constexpr qsizetype MaxAckIdDigits = 10; // 2147483647 has ten

// Event names socket.io itself gives a meaning to; socket.io-parser refuses them
// as the first element of an EVENT.
constexpr QLatin1String ReservedEventNames[] = {
    QLatin1String("connect"),
    QLatin1String("connect_error"),
    QLatin1String("disconnect"),
    QLatin1String("disconnecting"),
    QLatin1String("newListener"),
    QLatin1String("removeListener"),
};

ProtocolError protocolError(ProtocolErrorKind kind, QString message)
{
    return ProtocolError {kind, std::move(message)};
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isBinaryType(SocketPacketType type)
{
    return type == SocketPacketType::BinaryEvent || type == SocketPacketType::BinaryAck;
}

bool isEventType(SocketPacketType type)
{
    return type == SocketPacketType::Event || type == SocketPacketType::BinaryEvent;
}

bool isAckType(SocketPacketType type)
{
    return type == SocketPacketType::Ack || type == SocketPacketType::BinaryAck;
}

// Reads a text packet left to right, in the order socket.io-parser's decodeString
// does: type, attachment count, namespace, ack id, JSON.
class TextPacketReader
{
public:
    explicit TextPacketReader(QByteArrayView text)
        : m_text(text)
    { }

    std::optional<ProtocolError> readType(SocketPacket &packet);
    std::optional<ProtocolError> readAttachmentCount(qsizetype &count);
    std::optional<ProtocolError> readNamespace(QString &nsp);
    std::optional<ProtocolError> readAckId(std::optional<qint64> &ackId);
    std::optional<ProtocolError> readData(QJsonValue &data);

private:
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    qsizetype digitRunEnd() const;

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

qsizetype TextPacketReader::digitRunEnd() const
{
    qsizetype end = m_pos;
    while (end < m_text.size() && isDigit(m_text[end]))
        ++end;
    return end;
}

std::optional<ProtocolError> TextPacketReader::readType(SocketPacket &packet)
{
    if (m_text.isEmpty())
        return protocolError(ProtocolErrorKind::EmptyFrame, QStringLiteral("empty Socket.IO packet"));
    const char typeDigit = m_text.front();
    if (typeDigit < FirstTypeDigit || typeDigit > LastTypeDigit) {
        return protocolError(ProtocolErrorKind::UnknownPacketType,
            QStringLiteral("unknown Socket.IO packet type 0x%1")
                .arg(static_cast<uchar>(typeDigit), 2, 16, QLatin1Char('0')));
    }
    packet.type = static_cast<SocketPacketType>(typeDigit - FirstTypeDigit);
    m_pos = 1;
    return std::nullopt;
}

std::optional<ProtocolError> TextPacketReader::readAttachmentCount(qsizetype &count)
{
    const qsizetype end = digitRunEnd();
    if (end == m_pos || end >= m_text.size() || m_text[end] != '-') {
        return protocolError(ProtocolErrorKind::InvalidAttachments,
            QStringLiteral("attachment count must be decimal digits followed by '-'"));
    }
    // Saturating, so that a long run of digits cannot overflow.
    count = 0;
    for (; m_pos < end; ++m_pos)
        count = std::min<qsizetype>(count * 10 + (m_text[m_pos] - '0'), MaxAttachments + 1);
    ++m_pos; // the '-'
    if (count > MaxAttachments) {
        return protocolError(ProtocolErrorKind::TooManyAttachments,
            QStringLiteral("more than %1 attachments").arg(MaxAttachments));
    }
    return std::nullopt;
}

std::optional<ProtocolError> TextPacketReader::readNamespace(QString &nsp)
{
    if (peek() != '/') {
        nsp = QStringLiteral("/");
        return std::nullopt;
    }
    // As in socket.io-parser, the namespace runs to the first ',' or to the end.
    qsizetype end = m_text.indexOf(',', m_pos);
    if (end < 0)
        end = m_text.size();
    QStringDecoder utf8(QStringDecoder::Utf8);
    nsp = utf8(m_text.sliced(m_pos, end - m_pos));
    if (utf8.hasError())
        return protocolError(
            ProtocolErrorKind::InvalidNamespace, QStringLiteral("namespace is not valid UTF-8"));
    m_pos = std::min(end + 1, m_text.size());
    return std::nullopt;
}

std::optional<ProtocolError> TextPacketReader::readAckId(std::optional<qint64> &ackId)
{
    const qsizetype end = digitRunEnd();
    if (end == m_pos)
        return std::nullopt;
    // The length check comes first so that the sum below cannot overflow.
    if (end - m_pos > MaxAckIdDigits)
        return protocolError(ProtocolErrorKind::InvalidAckId, QStringLiteral("ack id has too many digits"));
    qint64 id = 0;
    for (; m_pos < end; ++m_pos)
        id = id * 10 + (m_text[m_pos] - '0');
    if (id > MaxAckId)
        return protocolError(
            ProtocolErrorKind::InvalidAckId, QStringLiteral("ack id %1 is above 2^31-1").arg(id));
    ackId = id;
    return std::nullopt;
}

std::optional<ProtocolError> TextPacketReader::readData(QJsonValue &data)
{
    if (m_pos >= m_text.size()) {
        data = QJsonValue(QJsonValue::Undefined);
        return std::nullopt;
    }
    auto parsed = jsontext::parse(m_text.sliced(m_pos));
    if (!parsed)
        return parsed.error();
    data = std::move(parsed).value();
    return std::nullopt;
}

bool isReservedEventName(const QString &name)
{
    return std::any_of(std::begin(ReservedEventNames), std::end(ReservedEventNames),
        [&name](QLatin1String reserved) { return name == reserved; });
}

ProtocolError invalidPayload(const char *why)
{
    return protocolError(ProtocolErrorKind::InvalidPayload, QString::fromLatin1(why));
}

// socket.io-parser's isPayloadValid, stricter where the contract says so: an EVENT
// must be named by a string, and events, acks and CONNECT_ERROR must carry data.
std::optional<ProtocolError> validatePayload(SocketPacketType type, const QJsonValue &data)
{
    switch (type) {
    case SocketPacketType::Connect:
        if (!data.isUndefined() && !data.isObject())
            return invalidPayload("CONNECT payload must be an object");
        return std::nullopt;
    case SocketPacketType::Disconnect:
        if (!data.isUndefined())
            return invalidPayload("DISCONNECT carries no payload");
        return std::nullopt;
    case SocketPacketType::ConnectError:
        if (!data.isString() && !data.isObject())
            return invalidPayload("CONNECT_ERROR payload must be a string or an object");
        return std::nullopt;
    case SocketPacketType::Event:
    case SocketPacketType::BinaryEvent: {
        const QJsonArray arguments = data.toArray();
        if (!data.isArray() || arguments.isEmpty())
            return invalidPayload("EVENT payload must be a non-empty array");
        if (!arguments.first().isString())
            return invalidPayload("EVENT name must be a string");
        if (isReservedEventName(arguments.first().toString()))
            return invalidPayload("EVENT name is reserved");
        return std::nullopt;
    }
    case SocketPacketType::Ack:
    case SocketPacketType::BinaryAck:
        if (!data.isArray())
            return invalidPayload("ACK payload must be an array");
        return std::nullopt;
    }
    return invalidPayload("unknown packet type");
}

// An ack answers a request, so it must name one; CONNECT, DISCONNECT and
// CONNECT_ERROR are never acknowledged, so a number there is malformed.
std::optional<ProtocolError> validateAckIdPresence(SocketPacketType type, const std::optional<qint64> &ackId)
{
    if (isAckType(type) && !ackId)
        return protocolError(ProtocolErrorKind::InvalidAckId, QStringLiteral("ACK without an ack id"));
    if (!isAckType(type) && !isEventType(type) && ackId)
        return protocolError(
            ProtocolErrorKind::InvalidAckId, QStringLiteral("this packet type takes no ack id"));
    return std::nullopt;
}

struct DecodedText
{
    SocketPacket packet;
    qsizetype attachmentCount = 0;
};

Result<DecodedText, ProtocolError> decodeText(QByteArrayView text)
{
    DecodedText decoded;
    SocketPacket &packet = decoded.packet;
    TextPacketReader reader(text);
    if (auto error = reader.readType(packet))
        return *error;
    if (isBinaryType(packet.type)) {
        if (auto error = reader.readAttachmentCount(decoded.attachmentCount))
            return *error;
    }
    if (auto error = reader.readNamespace(packet.nsp))
        return *error;
    if (auto error = reader.readAckId(packet.ackId))
        return *error;
    if (auto error = reader.readData(packet.data))
        return *error;
    if (auto error = validateAckIdPresence(packet.type, packet.ackId))
        return *error;
    if (auto error = validatePayload(packet.type, packet.data))
        return *error;
    return decoded;
}

// Every {"_placeholder":true,"num":k} must name an attachment that arrived. Like
// socket.io-parser, a placeholder object is a leaf: its other keys are not searched.
bool placeholdersInRange(const QJsonValue &value, qsizetype attachmentCount)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::all_of(array.begin(), array.end(),
            [attachmentCount](const QJsonValue &item) { return placeholdersInRange(item, attachmentCount); });
    }
    if (!value.isObject())
        return true;
    const QJsonObject object = value.toObject();
    if (object.value(QLatin1String("_placeholder")) == QJsonValue(true)) {
        const QJsonValue num = object.value(QLatin1String("num"));
        const qint64 index = num.isDouble() ? num.toInteger(-1) : -1;
        return index >= 0 && index < attachmentCount;
    }
    return std::all_of(object.begin(), object.end(),
        [attachmentCount](const QJsonValue &item) { return placeholdersInRange(item, attachmentCount); });
}

// Like socket.io-parser, null and undefined data write no JSON at all.
QByteArray packetJson(const QJsonValue &data)
{
    return data.isNull() ? QByteArray() : jsontext::write(data);
}

SocketPacketType wireType(const SocketPacket &packet)
{
    if (packet.attachments.isEmpty())
        return packet.type;
    switch (packet.type) {
    case SocketPacketType::Event:
        return SocketPacketType::BinaryEvent;
    case SocketPacketType::Ack:
        return SocketPacketType::BinaryAck;
    default:
        return packet.type;
    }
}

} // namespace

EncodedSocketPacket encodeSocketPacket(const SocketPacket &packet)
{
    const SocketPacketType type = wireType(packet);
    const bool binary = isBinaryType(type);
    const QByteArray json = packetJson(packet.data);
    const bool namedNamespace = !packet.nsp.isEmpty() && packet.nsp != QLatin1String("/");
    const QByteArray nsp = namedNamespace ? packet.nsp.toUtf8() : QByteArray();

    EncodedSocketPacket encoded;
    QByteArray &text = encoded.text;
    text.reserve(16 + nsp.size() + json.size());
    text.append(static_cast<char>(FirstTypeDigit + static_cast<char>(type)));
    if (binary)
        text.append(QByteArray::number(packet.attachments.size())).append('-');
    if (namedNamespace)
        text.append(nsp).append(',');
    if (packet.ackId)
        text.append(QByteArray::number(*packet.ackId));
    text.append(json);
    // Only binary packets announce attachments; implicitly shared, not copied.
    if (binary)
        encoded.attachments = packet.attachments;
    return encoded;
}

QByteArray encodeJsonPacketText(
    SocketPacketType type, QAnyStringView nsp, std::optional<qint64> ackId, QByteArrayView dataJson)
{
    const bool namedNamespace = !nsp.isEmpty() && !QAnyStringView::equal(nsp, u"/");
    QByteArray text;
    text.reserve(16 + nsp.size() * 3 + dataJson.size());
    text.append(static_cast<char>(FirstTypeDigit + static_cast<char>(type)));
    if (namedNamespace)
        text.append(nsp.toString().toUtf8()).append(',');
    if (ackId)
        text.append(QByteArray::number(*ackId));
    text.append(dataJson);
    return text;
}

Result<std::optional<SocketPacket>, ProtocolError> SocketPacketDecoder::feedText(const QByteArray &utf8)
{
    if (m_pending) {
        reset();
        return protocolError(ProtocolErrorKind::UnexpectedText,
            QStringLiteral("text packet while attachments of a binary packet are awaited"));
    }
    auto decoded = decodeText(utf8);
    if (!decoded)
        return decoded.error();
    if (!isBinaryType(decoded->packet.type))
        return DecodeResult(std::move(decoded->packet));
    m_expectedAttachments = static_cast<int>(decoded->attachmentCount);
    m_pending = std::move(decoded->packet);
    m_pending->attachments.reserve(m_expectedAttachments);
    return completePending();
}

Result<std::optional<SocketPacket>, ProtocolError> SocketPacketDecoder::feedBinary(const QByteArray &bytes)
{
    if (!m_pending) {
        return protocolError(ProtocolErrorKind::UnexpectedBinary,
            QStringLiteral("binary frame that no binary packet announced"));
    }
    m_pending->attachments.append(bytes);
    return completePending();
}

Result<std::optional<SocketPacket>, ProtocolError> SocketPacketDecoder::completePending()
{
    if (m_pending->attachments.size() < m_expectedAttachments)
        return DecodeResult(std::nullopt);
    SocketPacket packet = std::move(*m_pending);
    reset();
    if (!placeholdersInRange(packet.data, packet.attachments.size())) {
        return protocolError(ProtocolErrorKind::InvalidAttachments,
            QStringLiteral("placeholder names an attachment that does not exist"));
    }
    return DecodeResult(std::move(packet));
}

} // namespace parley::protocol
