// Engine.IO v4 text packets and the open packet's data. A text packet that
// decodes must encode back to the same bytes (one type digit, then the data).
#include "engineio.h"

#include <cstdlib>

using namespace parley::protocol;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const auto packet = decodeEngineText(bytes);
    if (packet) {
        require(!packet->binary);
        require(encodeEngineText(packet->type, packet->payload) == bytes);
    }

    const auto open = decodeEngineOpen(bytes);
    if (open) {
        const QByteArray encoded = encodeEngineOpen(*open);
        const auto again = decodeEngineOpen(encoded.sliced(1));
        require(again && *again == *open);
    }

    const EnginePacket binary = decodeEngineBinary(bytes);
    require(binary.binary && binary.payload == bytes);
    return 0;
}
