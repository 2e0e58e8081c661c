#pragma once

#include <QString>

namespace parley::protocol {

// Why a frame was rejected by the codec. The transport turns any of these into a
// closed connection with a logged reason; the kinds let tests assert the cause.
enum class ProtocolErrorKind {
    EmptyFrame,
    UnknownPacketType,
    InvalidNamespace,
    InvalidAckId,
    InvalidAttachments,
    TooManyAttachments,
    InvalidJson,
    InvalidPayload,
    UnexpectedBinary, // a binary frame that no BINARY_EVENT/BINARY_ACK announced
    UnexpectedText, // a text frame while attachments of a binary packet are awaited
};

struct ProtocolError
{
    ProtocolErrorKind kind;
    QString message;
};

} // namespace parley::protocol
