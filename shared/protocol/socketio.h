#pragma once

#include "protocolerror.h"
#include "result.h"

#include <QAnyStringView>
#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

// Socket.IO v5 packets (the data of Engine.IO message packets). Pure codec.
namespace parley::protocol {

enum class SocketPacketType : quint8
{
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
};

inline constexpr qint64 MaxAckId = 2147483647; // 2^31 - 1
inline constexpr int MaxAttachments = 10;

// One Socket.IO packet. A decoded binary packet keeps its wire type (BinaryEvent /
// BinaryAck), its placeholders in data, and its attachments in arrival order, so
// that decoding and re-encoding give back the same frames.
struct SocketPacket
{
    SocketPacketType type = SocketPacketType::Event;
    QString nsp = QStringLiteral("/");
    std::optional<qint64> ackId;
    // Undefined when the packet carries no JSON. Events and acks: an array, with
    // {"_placeholder":true,"num":k} where attachment k stands.
    QJsonValue data = QJsonValue(QJsonValue::Undefined);
    QList<QByteArray> attachments; // binary packets only

    friend bool operator==(const SocketPacket &, const SocketPacket &) = default;
};

// What one packet becomes on the wire: a text frame (without the Engine.IO "4")
// followed by one binary frame per attachment. A packet with attachments is
// encoded as BINARY_EVENT / BINARY_ACK whatever its type says; attachments on any
// other packet type are not sent. Undefined or null data writes no JSON.
struct EncodedSocketPacket
{
    QByteArray text;
    QList<QByteArray> attachments;
};

EncodedSocketPacket encodeSocketPacket(const SocketPacket &packet);

// The text of a plain EVENT or ACK packet whose data, the JSON array of its arguments,
// is written already: what encodeSocketPacket() gives for the same packet, without a
// QJsonArray. For the server's per-message answers and broadcasts.
QByteArray encodeJsonPacketText(
    SocketPacketType type, QAnyStringView nsp, std::optional<qint64> ackId, QByteArrayView dataJson);

// Reassembles packets from successive Engine.IO message payloads. A plain packet
// completes at once; a binary one completes when its last attachment arrives.
// Rejects everything socket.io-parser 4.2 rejects, plus an EVENT whose first
// element is not a string and an ack id outside 0..2^31-1 (or longer than ten
// digits). Also stricter: EVENT, ACK and CONNECT_ERROR must carry data, an ACK must
// carry an ack id, CONNECT / DISCONNECT / CONNECT_ERROR must not, and every
// placeholder must name an attachment that arrived. After an error the decoder
// starts afresh; the caller is expected to close the connection anyway.
class SocketPacketDecoder
{
public:
    // nullopt: a binary packet is waiting for attachments.
    Result<std::optional<SocketPacket>, ProtocolError> feedText(const QByteArray &utf8);
    Result<std::optional<SocketPacket>, ProtocolError> feedBinary(const QByteArray &bytes);
    bool awaitingAttachments() const { return m_pending.has_value(); }
    void reset()
    {
        m_pending.reset();
        m_expectedAttachments = 0;
    }

private:
    Result<std::optional<SocketPacket>, ProtocolError> completePending();

    std::optional<SocketPacket> m_pending;
    int m_expectedAttachments = 0;
};

} // namespace parley::protocol
