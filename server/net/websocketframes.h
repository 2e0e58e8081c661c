#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <vector>

// RFC 6455 framing for the server side, as pure functions and a decoder with no socket:
// each rule can be tested by feeding bytes.
namespace parley::net::ws {

enum class Opcode : quint8
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// The close codes this side sends (RFC 6455 section 7.4.1).
enum CloseCode : quint16
{
    CloseNormal = 1000,
    CloseGoingAway = 1001,
    CloseProtocolError = 1002,
    CloseNoStatus = 1005, // never sent: means "the peer's close frame had no code"
    CloseInvalidPayload = 1007,
    CloseTooBig = 1009,
};

// What a client sent, one complete message or control frame at a time.
struct Incoming
{
    enum class Kind
    {
        Text,
        Binary,
        Ping,
        Pong,
        Close, // the peer's close frame: closeCode (CloseNoStatus if none) and reason
        Failure, // the peer broke the protocol: close with closeCode, reason says why
    };
    Kind kind;
    QByteArray payload; // message, ping/pong data, or close reason (UTF-8)
    quint16 closeCode = 0;
};

// Turns the bytes a client sends into messages. Frames must be masked (client to
// server); fragments are joined; control frames may arrive between fragments; a text
// message must be valid UTF-8. A frame whose announced length would take the message
// past maxMessageBytes fails before any of its payload is buffered.
class FrameDecoder
{
public:
    explicit FrameDecoder(qint64 maxMessageBytes)
        : m_maxMessageBytes(maxMessageBytes)
    { }

    // Decodes the complete frames at the start of data and returns how many bytes they
    // took; the caller keeps the rest (an incomplete frame) and offers it again with
    // more bytes. Stops after a Close or a Failure: nothing after them is read.
    qsizetype decode(QByteArrayView data, std::vector<Incoming> &out);
    bool isFinished() const { return m_finished; }

private:
    bool deliver(Opcode opcode, bool fin, QByteArray payload, std::vector<Incoming> &out);
    void fail(quint16 code, const char *why, std::vector<Incoming> &out);

    qint64 m_maxMessageBytes;
    bool m_finished = false;
    bool m_fragmented = false;
    Opcode m_fragmentOpcode = Opcode::Text;
    QByteArray m_fragments;
};

// The header of an unmasked server frame with FIN set (2, 4 or 10 bytes).
QByteArray frameHeader(Opcode opcode, qint64 payloadLength);
// A whole unmasked frame: encode a broadcast once and send the same bytes to everyone.
QByteArray encodeFrame(Opcode opcode, QByteArrayView payload);
// A close frame's payload: the code and at most 123 bytes of reason, cut on a character
// boundary so that it stays valid UTF-8.
QByteArray closePayload(quint16 code, QByteArrayView reasonUtf8);

bool isValidUtf8(QByteArrayView bytes);
// Codes a peer may send in a close frame (RFC 6455 section 7.4, IANA registry).
bool isValidReceivedCloseCode(quint16 code);

} // namespace parley::net::ws
