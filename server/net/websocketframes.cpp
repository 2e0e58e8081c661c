#include "websocketframes.h"

#include <QtEndian>

#include <cstring>

namespace parley::net::ws {

namespace {

constexpr quint8 FinBit = 0x80;
constexpr quint8 ReservedBits = 0x70;
constexpr quint8 MaskBit = 0x80;
constexpr qsizetype MaxControlPayload = 125;

bool isControl(Opcode opcode)
{
    return (quint8(opcode) & 0x8) != 0;
}

bool isKnown(quint8 opcode)
{
    switch (Opcode(opcode)) {
    case Opcode::Continuation:
    case Opcode::Text:
    case Opcode::Binary:
    case Opcode::Close:
    case Opcode::Ping:
    case Opcode::Pong:
        return true;
    }
    return false;
}

// XOR with the 4-byte key, eight bytes at a time where possible.
void unmask(char *data, qsizetype size, const quint8 key[4])
{
    quint32 key32;
    std::memcpy(&key32, key, 4);
    const quint64 key64 = (quint64(key32) << 32) | key32;
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        word ^= key64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i)
        data[i] = char(quint8(data[i]) ^ key[i % 4]);
}

} // namespace

qsizetype FrameDecoder::decode(QByteArrayView data, std::vector<Incoming> &out)
{
    qsizetype used = 0;
    const auto *bytes = reinterpret_cast<const quint8 *>(data.data());
    while (!m_finished) {
        const qsizetype available = data.size() - used;
        if (available < 2)
            break;
        const quint8 *frame = bytes + used;
        const bool fin = frame[0] & FinBit;
        const quint8 opcodeBits = frame[0] & 0x0F;
        if (frame[0] & ReservedBits) {
            fail(CloseProtocolError, "reserved bits set without an extension", out);
            break;
        }
        if (!isKnown(opcodeBits)) {
            fail(CloseProtocolError, "unknown opcode", out);
            break;
        }
        const auto opcode = Opcode(opcodeBits);
        if (!(frame[1] & MaskBit)) {
            fail(CloseProtocolError, "client frames must be masked", out);
            break;
        }
        qsizetype headerSize = 2;
        quint64 length = frame[1] & 0x7F;
        if (length == 126) {
            headerSize = 4;
            if (available < headerSize)
                break;
            length = qFromBigEndian<quint16>(frame + 2);
        } else if (length == 127) {
            headerSize = 10;
            if (available < headerSize)
                break;
            length = qFromBigEndian<quint64>(frame + 2);
            if (length >> 63) {
                fail(CloseProtocolError, "frame length out of range", out);
                break;
            }
        }
        if (isControl(opcode) && (!fin || length > quint64(MaxControlPayload))) {
            fail(CloseProtocolError, "control frames must be whole and at most 125 bytes", out);
            break;
        }
        // Checked on the announced length, before waiting for (and buffering) the payload.
        const quint64 messageSoFar = opcode == Opcode::Continuation ? quint64(m_fragments.size()) : 0;
        if (!isControl(opcode) && length + messageSoFar > quint64(m_maxMessageBytes)) {
            fail(CloseTooBig, "message too big", out);
            break;
        }
        headerSize += 4; // the masking key
        if (quint64(available) < quint64(headerSize) + length)
            break;
        const quint8 *key = frame + headerSize - 4;
        QByteArray payload(reinterpret_cast<const char *>(frame + headerSize), qsizetype(length));
        unmask(payload.data(), payload.size(), key);
        used += headerSize + qsizetype(length);
        if (!deliver(opcode, fin, std::move(payload), out))
            break;
    }
    return used;
}

bool FrameDecoder::deliver(Opcode opcode, bool fin, QByteArray payload, std::vector<Incoming> &out)
{
    switch (opcode) {
    case Opcode::Ping:
        out.push_back({Incoming::Kind::Ping, std::move(payload)});
        return true;
    case Opcode::Pong:
        out.push_back({Incoming::Kind::Pong, std::move(payload)});
        return true;
    case Opcode::Close: {
        if (payload.isEmpty()) {
            out.push_back({Incoming::Kind::Close, {}, CloseNoStatus});
        } else if (payload.size() == 1) {
            fail(CloseProtocolError, "close frame with a one-byte payload", out);
            return false;
        } else {
            const quint16 code = qFromBigEndian<quint16>(payload.constData());
            if (!isValidReceivedCloseCode(code)) {
                fail(CloseProtocolError, "invalid close code", out);
                return false;
            }
            QByteArray reason = payload.mid(2);
            if (!isValidUtf8(reason)) {
                fail(CloseInvalidPayload, "close reason is not valid UTF-8", out);
                return false;
            }
            out.push_back({Incoming::Kind::Close, std::move(reason), code});
        }
        m_finished = true;
        return false;
    }
    case Opcode::Continuation:
        if (!m_fragmented) {
            fail(CloseProtocolError, "continuation frame without a message to continue", out);
            return false;
        }
        m_fragments += payload;
        if (!fin)
            return true;
        m_fragmented = false;
        opcode = m_fragmentOpcode;
        payload = std::exchange(m_fragments, QByteArray());
        break;
    case Opcode::Text:
    case Opcode::Binary:
        if (m_fragmented) {
            fail(CloseProtocolError, "new message before the fragmented one ended", out);
            return false;
        }
        if (!fin) {
            m_fragmented = true;
            m_fragmentOpcode = opcode;
            m_fragments = std::move(payload);
            return true;
        }
        break;
    }
    if (opcode == Opcode::Text) {
        if (!isValidUtf8(payload)) {
            fail(CloseInvalidPayload, "text message is not valid UTF-8", out);
            return false;
        }
        out.push_back({Incoming::Kind::Text, std::move(payload)});
    } else {
        out.push_back({Incoming::Kind::Binary, std::move(payload)});
    }
    return true;
}

void FrameDecoder::fail(quint16 code, const char *why, std::vector<Incoming> &out)
{
    m_finished = true;
    m_fragments.clear();
    out.push_back({Incoming::Kind::Failure, QByteArray(why), code});
}

QByteArray frameHeader(Opcode opcode, qint64 payloadLength)
{
    QByteArray header;
    const char first = char(FinBit | quint8(opcode));
    if (payloadLength <= 125) {
        header.resize(2);
        header[0] = first;
        header[1] = char(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
        header.resize(4);
        header[0] = first;
        header[1] = char(126);
        qToBigEndian<quint16>(quint16(payloadLength), header.data() + 2);
    } else {
        header.resize(10);
        header[0] = first;
        header[1] = char(127);
        qToBigEndian<quint64>(quint64(payloadLength), header.data() + 2);
    }
    return header;
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload)
{
    QByteArray frame = frameHeader(opcode, payload.size());
    frame.append(payload);
    return frame;
}

QByteArray closePayload(quint16 code, QByteArrayView reasonUtf8)
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, payload.data());
    qsizetype length = std::min<qsizetype>(reasonUtf8.size(), MaxControlPayload - 2);
    // Back off to the start of a character (continuation bytes are 10xxxxxx).
    if (length < reasonUtf8.size()) {
        while (length > 0 && (quint8(reasonUtf8[length]) & 0xC0) == 0x80)
            --length;
    }
    payload.append(reasonUtf8.first(length));
    return payload;
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const quint8 *>(bytes.data());
    const quint8 *end = p + bytes.size();
    while (p < end) {
        // ASCII runs, eight bytes at a time: the common case in JSON.
        while (end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const quint8 lead = *p;
        if (lead < 0x80) {
            ++p;
            continue;
        }
        int extra;
        quint32 minimum;
        quint32 codePoint;
        if ((lead & 0xE0) == 0xC0) {
            extra = 1;
            minimum = 0x80;
            codePoint = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
            minimum = 0x800;
            codePoint = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
            minimum = 0x10000;
            codePoint = lead & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (p[i] & 0x3F);
        }
        if (codePoint < minimum || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

bool isValidReceivedCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
        return true;
    default:
        return false;
    }
}

} // namespace parley::net::ws
