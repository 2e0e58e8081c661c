#include "engineio.h"

#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <limits>

namespace parley::protocol {

namespace {

constexpr char FirstTypeDigit = '0';
constexpr char LastTypeDigit = '0' + static_cast<char>(EnginePacketType::Noop);

ProtocolError engineError(ProtocolErrorKind kind, QString message)
{
    return ProtocolError {kind, std::move(message)};
}

// A JSON number that is a whole number in 1..max, or nullopt.
std::optional<qint64> positiveInteger(const QJsonValue &value, qint64 max)
{
    if (!value.isDouble())
        return std::nullopt;
    const qint64 number = value.toInteger(-1);
    if (number < 1 || number > max)
        return std::nullopt;
    return number;
}

bool isStringArray(const QJsonValue &value)
{
    if (!value.isArray())
        return false;
    const QJsonArray array = value.toArray();
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &item) { return item.isString(); });
}

} // namespace

Result<EnginePacket, ProtocolError> decodeEngineText(const QByteArray &utf8)
{
    if (utf8.isEmpty())
        return engineError(ProtocolErrorKind::EmptyFrame, QStringLiteral("empty Engine.IO frame"));
    const char typeDigit = utf8.front();
    if (typeDigit < FirstTypeDigit || typeDigit > LastTypeDigit) {
        return engineError(ProtocolErrorKind::UnknownPacketType,
            QStringLiteral("unknown Engine.IO packet type 0x%1")
                .arg(static_cast<uchar>(typeDigit), 2, 16, QLatin1Char('0')));
    }
    EnginePacket packet;
    packet.type = static_cast<EnginePacketType>(typeDigit - FirstTypeDigit);
    packet.payload = utf8.sliced(1);
    return packet;
}

EnginePacket decodeEngineBinary(const QByteArray &bytes)
{
    // Implicitly shared: the frame's bytes are not copied.
    return EnginePacket {EnginePacketType::Message, bytes, true};
}

QByteArray encodeEngineText(EnginePacketType type, const QByteArray &payload)
{
    QByteArray frame;
    frame.reserve(1 + payload.size());
    frame.append(static_cast<char>(FirstTypeDigit + static_cast<char>(type)));
    frame.append(payload);
    return frame;
}

QByteArray encodeEngineOpen(const EngineOpenInfo &info)
{
    // Written by hand rather than through QJsonObject, which would sort the keys:
    // the contract shows this exact order and golden frames compare bytes.
    QByteArray frame;
    frame.reserve(128 + info.sid.size());
    frame.append('0');
    frame.append("{\"sid\":").append(jsontext::write(info.sid));
    frame.append(",\"upgrades\":[]");
    frame.append(",\"pingInterval\":").append(QByteArray::number(info.pingInterval));
    frame.append(",\"pingTimeout\":").append(QByteArray::number(info.pingTimeout));
    frame.append(",\"maxPayload\":").append(QByteArray::number(info.maxPayload));
    frame.append('}');
    return frame;
}

Result<EngineOpenInfo, ProtocolError> decodeEngineOpen(const QByteArray &payload)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return engineError(
            ProtocolErrorKind::InvalidJson, QStringLiteral("open packet: %1").arg(parseError.errorString()));
    }
    if (!document.isObject())
        return engineError(ProtocolErrorKind::InvalidPayload, QStringLiteral("open packet is not an object"));
    const QJsonObject json = document.object();

    EngineOpenInfo info;
    info.sid = json.value(QLatin1String("sid")).toString();
    if (info.sid.isEmpty())
        return engineError(ProtocolErrorKind::InvalidPayload, QStringLiteral("open packet has no sid"));

    constexpr qint64 maxInt = std::numeric_limits<int>::max();
    const auto pingInterval = positiveInteger(json.value(QLatin1String("pingInterval")), maxInt);
    const auto pingTimeout = positiveInteger(json.value(QLatin1String("pingTimeout")), maxInt);
    if (!pingInterval || !pingTimeout) {
        return engineError(ProtocolErrorKind::InvalidPayload,
            QStringLiteral("open packet needs positive pingInterval and pingTimeout"));
    }
    info.pingInterval = static_cast<int>(*pingInterval);
    info.pingTimeout = static_cast<int>(*pingTimeout);

    // Servers older than engine.io 6 send no maxPayload: keep the default then.
    const QJsonValue maxPayload = json.value(QLatin1String("maxPayload"));
    if (!maxPayload.isUndefined()) {
        const auto bytes = positiveInteger(maxPayload, std::numeric_limits<qint64>::max());
        if (!bytes)
            return engineError(
                ProtocolErrorKind::InvalidPayload, QStringLiteral("open packet: bad maxPayload"));
        info.maxPayload = *bytes;
    }

    const QJsonValue upgrades = json.value(QLatin1String("upgrades"));
    if (!upgrades.isUndefined() && !isStringArray(upgrades))
        return engineError(ProtocolErrorKind::InvalidPayload, QStringLiteral("open packet: bad upgrades"));
    return info;
}

} // namespace parley::protocol
