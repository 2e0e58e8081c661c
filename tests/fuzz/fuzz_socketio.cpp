// Socket.IO v5 packets as a connection receives them: a sequence of text and
// binary Engine.IO messages fed to one SocketPacketDecoder. Every packet that
// completes must survive encoding and decoding again unchanged, and the server's
// text-only encoder must write the same bytes as the general one.
#include "jsontext.h"
#include "socketio.h"

#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>

using namespace parley::protocol;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

std::optional<SocketPacket> decodeAgain(const EncodedSocketPacket &encoded)
{
    SocketPacketDecoder decoder;
    auto result = decoder.feedText(encoded.text);
    for (const QByteArray &attachment : encoded.attachments) {
        require(result && !result->has_value());
        result = decoder.feedBinary(attachment);
    }
    require(bool(result));
    return *result;
}

void checkRoundTrip(const SocketPacket &packet)
{
    const EncodedSocketPacket encoded = encodeSocketPacket(packet);
    const std::optional<SocketPacket> again = decodeAgain(encoded);
    require(again.has_value() && *again == packet);

    const bool plain = packet.type == SocketPacketType::Event || packet.type == SocketPacketType::Ack;
    if (plain && packet.attachments.isEmpty()) {
        const QByteArray text =
            encodeJsonPacketText(packet.type, packet.nsp, packet.ackId, jsontext::write(packet.data));
        require(text == encoded.text);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider input(data, size);
    SocketPacketDecoder decoder;
    int frames = 0;
    while (input.remaining_bytes() > 0 && frames++ < 16) {
        const bool binary = input.ConsumeBool();
        const QByteArray frame = QByteArray::fromStdString(input.ConsumeRandomLengthString(4096));
        auto result = binary ? decoder.feedBinary(frame) : decoder.feedText(frame);
        if (!result) {
            require(!decoder.awaitingAttachments());
            continue;
        }
        if (result->has_value()) {
            require(!decoder.awaitingAttachments());
            checkRoundTrip(**result);
        } else {
            require(decoder.awaitingAttachments());
        }
    }
    return 0;
}
