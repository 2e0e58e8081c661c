#pragma once

#include "protocolerror.h"
#include "result.h"

#include <QByteArray>
#include <QString>

// Engine.IO v4 packets, as carried by one WebSocket frame each. Pure codec:
// no sockets, no QObject, no state.
namespace parley::protocol {

enum class EnginePacketType : quint8 {
    Open = 0,
    Close = 1,
    Ping = 2,
    Pong = 3,
    Message = 4,
    Upgrade = 5,
    Noop = 6,
};

struct EnginePacket
{
    EnginePacketType type = EnginePacketType::Noop;
    QByteArray payload; // text: the UTF-8 after the type digit; binary: the raw bytes
    bool binary = false; // a binary WebSocket frame: always a Message, no type digit

    friend bool operator==(const EnginePacket &, const EnginePacket &) = default;
};

// Decodes a WebSocket text frame (UTF-8): one type digit, then the data.
Result<EnginePacket, ProtocolError> decodeEngineText(const QByteArray &utf8);
// A WebSocket binary frame is an Engine.IO message holding the raw bytes.
EnginePacket decodeEngineBinary(const QByteArray &bytes);
// Encodes a text packet: the type digit followed by the payload.
QByteArray encodeEngineText(EnginePacketType type, const QByteArray &payload = {});

// The data of the open packet: 0{"sid":...,"upgrades":[],"pingInterval":...,...}
struct EngineOpenInfo
{
    QString sid;
    int pingInterval = 25000; // ms
    int pingTimeout = 20000; // ms
    qint64 maxPayload = 1000000; // bytes

    friend bool operator==(const EngineOpenInfo &, const EngineOpenInfo &) = default;
};

QByteArray encodeEngineOpen(const EngineOpenInfo &info); // the whole frame, "0{...}"
Result<EngineOpenInfo, ProtocolError> decodeEngineOpen(const QByteArray &payload); // payload after "0"

} // namespace parley::protocol
