#include "mutatedframes.h"

#include "rawclient.h"

#include <array>

namespace parley::abuse {

using churn::RawClient;

namespace {

QByteArray text(QByteArrayView payload)
{
    return RawClient::textFrame(payload);
}

// A frame header announcing `length` bytes with a mask key, as 64-bit length.
QByteArray header64(quint8 firstByte, quint64 length)
{
    QByteArray out;
    out.append(char(firstByte)).append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        out.append(char((length >> shift) & 0xff));
    return out.append("\x11\x22\x33\x44", 4);
}

const std::array<QByteArrayView, 6> EventNames {
    "message:send", "message:history", "channel:list", "channel:join", "channel:create", "channel:members"};

} // namespace

Mutation MutatedFrames::next()
{
    switch (below(11)) {
    case 0:
        return garbage();
    case 1:
        return truncatedHeader();
    case 2:
        return hugeLength();
    case 3:
        return badUtf8();
    case 4:
        return deepJson();
    case 5:
        return wrongNamespace();
    case 6:
        return wideAckId();
    case 7:
        return binaryOnAuth();
    case 8:
        return brokenFraming();
    case 9:
        return engineJunk();
    default:
        return flippedEvent();
    }
}

QByteArray MutatedFrames::randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = char(m_random() & 0xff);
    return bytes;
}

QByteArray MutatedFrames::validEvent()
{
    const QByteArrayView name = EventNames[below(int(EventNames.size()))];
    return "42[\"" + name.toByteArray() +
        "\",{\"channelId\":\"1\",\"content\":\"storm\",\"name\":\"storm\",\"limit\":5}]";
}

Mutation MutatedFrames::garbage()
{
    return {randomBytes(1 + below(256)), "random bytes", true};
}

Mutation MutatedFrames::truncatedHeader()
{
    const QByteArray whole = text(validEvent());
    // Cut inside the header (2 bytes, the length, the mask key): the rest never comes.
    return {whole.left(1 + below(5)), "truncated header", true};
}

Mutation MutatedFrames::hugeLength()
{
    static constexpr std::array<quint64, 5> Lengths {
        1000001ULL, 1ULL << 31, 1ULL << 40, 0x7fffffffffffffffULL, 0xffffffffffffffffULL};
    const quint8 opcode = below(2) == 0 ? 0x81 : 0x82;
    return {header64(opcode, Lengths[below(int(Lengths.size()))]) + randomBytes(below(64)),
        "huge declared length", true};
}

Mutation MutatedFrames::badUtf8()
{
    static constexpr std::array<QByteArrayView, 6> Broken {
        "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xfe\xfe"};
    QByteArray payload = validEvent();
    payload.insert(5 + below(int(payload.size()) - 6), Broken[below(int(Broken.size()))].toByteArray());
    return {text(payload), "bad UTF-8"};
}

Mutation MutatedFrames::deepJson()
{
    const int depth = 100 + below(20000);
    const bool objects = below(2) == 0;
    QByteArray nested;
    nested.reserve(depth * 6);
    for (int i = 0; i < depth; ++i)
        nested += objects ? "{\"a\":" : "[";
    nested += "1";
    for (int i = 0; i < depth; ++i)
        nested += objects ? "}" : "]";
    return {text("42[\"message:send\"," + nested + "]"), "deep JSON"};
}

Mutation MutatedFrames::wrongNamespace()
{
    static constexpr std::array<QByteArrayView, 7> Packets {"42/nowhere,[\"message:send\",{}]", "40/admin,{}",
        "42/auth,7[\"message:send\",{\"channelId\":\"1\",\"content\":\"x\"}]", "41/nowhere,", "40/../,",
        "42/auth,[\"auth:login\",{\"username\":\"x\"}]", "40/auth"};
    return {text(Packets[below(int(Packets.size()))]), "wrong namespace"};
}

Mutation MutatedFrames::wideAckId()
{
    static constexpr std::array<QByteArrayView, 5> Ids {
        "18446744073709551616", "9223372036854775807", "2147483648", "99999999999999999999999999", "-1"};
    return {
        text("42" + Ids[below(int(Ids.size()))].toByteArray() + "[\"channel:list\",{}]"), "64-bit ack id"};
}

Mutation MutatedFrames::binaryOnAuth()
{
    const int attachments = below(8) == 0 ? 10 : 1 + below(2); // at most 10 is the library's own limit
    QByteArray packet = "45" + QByteArray::number(attachments) + "-/auth,1[\"auth:login\",";
    for (int i = 0; i < attachments; ++i)
        packet += "{\"_placeholder\":true,\"num\":" + QByteArray::number(i) + "},";
    packet += "{}]";
    QByteArray bytes = text(packet);
    for (int i = 0; i < attachments; ++i)
        bytes += RawClient::frame(0x82, QByteArray(1 + below(16384), 'b'));
    return {bytes, "binary attachments on /auth"};
}

Mutation MutatedFrames::brokenFraming()
{
    const QByteArray payload = validEvent();
    switch (below(7)) {
    case 0: { // unmasked, as a server would send it
        QByteArray frame;
        frame.append(char(0x81)).append(char(payload.size() < 126 ? payload.size() : 0));
        return {frame + payload.left(payload.size() < 126 ? payload.size() : 0), "unmasked frame"};
    }
    case 1:
        return {RawClient::frame(quint8(0x81 | (0x10 << below(3))), payload), "RSV bit set"};
    case 2:
        return {RawClient::frame(quint8(0x83 + below(5)), payload), "reserved opcode"};
    case 3:
        return {RawClient::frame(0x89, QByteArray(126 + below(1000), 'p')), "control frame over 125 bytes"};
    case 4:
        return {RawClient::frame(0x09, "p"), "fragmented ping"};
    case 5:
        return {RawClient::frame(0x80, payload), "continuation without a start"};
    default:
        return {
            RawClient::frame(0x01, payload.left(10)) + RawClient::frame(0x81, payload), "two message starts"};
    }
}

Mutation MutatedFrames::engineJunk()
{
    static constexpr std::array<QByteArrayView, 14> Packets {
        "", "9", "4", "6", "5", "0", "3", "1", "44{}", "4{}", "42[]", "42[1,2]", "42{}", "43[]"};
    if (below(4) == 0)
        return {
            text("4" + QByteArray::number(below(10)) + randomBytes(below(40)).toBase64()), "Socket.IO junk"};
    return {text(Packets[below(int(Packets.size()))]), "Engine.IO junk"};
}

Mutation MutatedFrames::flippedEvent()
{
    QByteArray payload = validEvent();
    const int flips = 1 + below(4);
    for (int i = 0; i < flips; ++i) {
        const int at = below(int(payload.size()));
        payload[at] = char(payload.at(at) ^ char(1 << below(7))); // ASCII stays ASCII
    }
    return {text(payload), "flipped event"};
}

} // namespace parley::abuse
