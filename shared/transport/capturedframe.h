#pragma once

#include "protocol/engineio.h"
#include "protocol/socketio.h"

#include <QJsonValue>
#include <QString>

#include <optional>

namespace parley::transport {

// What one capture record stands for. Almost all are frames; the two notes mark
// what no frame shows: a request whose ack never came, and the end of a connection.
enum class CaptureKind
{
    Frame,
    Unanswered, // an event that asked for an ack got none within its timeout (or before close)
    Closed, // the connection closed; note holds the reason
};

enum class FrameDirection
{
    In, // from the peer
    Out, // to the peer
};

// One record of the protocol capture (docs/trace.md), already redacted: a password,
// a token or a JWT-shaped string never reaches this struct.
struct CapturedFrame
{
    CaptureKind kind = CaptureKind::Frame;
    qint64 timeUs = 0; // monotonic, microseconds since the recorder started
    quint64 connection = 0; // the recorder's number for the connection, from 1
    FrameDirection direction = FrameDirection::In;
    bool binary = false; // a binary WebSocket frame (an attachment)
    std::optional<protocol::EnginePacketType> engineType; // unset: not a valid Engine.IO frame
    std::optional<protocol::SocketPacketType> socketType; // Engine.IO messages with a packet header
    QString nsp; // Socket.IO packets and attachments
    QString event; // events; acks matched to their request carry the request's event
    std::optional<qint64> ackId;
    qint64 bytes = 0; // the WebSocket frame's size
    // Ack frames matched to their request: the time since the request. Unanswered:
    // how long it was waited for.
    std::optional<qint64> rttUs;
    QString note; // Closed: the reason; Unanswered: "timeout" or "closed"
    // The redacted data when the recorder keeps payloads: event arguments without the
    // event name, ack arguments, CONNECT auth or reply, the open packet's object.
    QJsonValue payload = QJsonValue(QJsonValue::Undefined);

    friend bool operator==(const CapturedFrame &, const CapturedFrame &) = default;
};

// The names used in traces: "open", "message", ...; "CONNECT", "BINARY_ACK", ...
QString engineTypeName(protocol::EnginePacketType type);
std::optional<protocol::EnginePacketType> engineTypeFromName(QStringView name);
QString socketTypeName(protocol::SocketPacketType type);
std::optional<protocol::SocketPacketType> socketTypeFromName(QStringView name);

} // namespace parley::transport

Q_DECLARE_METATYPE(parley::transport::CapturedFrame)
