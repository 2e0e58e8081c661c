// The RFC 6455 frame decoder, fed the way a socket feeds it: the input arrives in
// pieces of fuzzed sizes, and what a decode() call leaves is offered again with
// the next piece. Checks that decode() never claims more bytes than it was given,
// that a text message handed out is valid UTF-8, and that nothing is decoded
// after a Close or a Failure.
#include "websocketframes.h"

#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>

using namespace parley::net::ws;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

void checkMessages(const std::vector<Incoming> &messages, qint64 maxMessageBytes)
{
    for (const Incoming &message : messages) {
        if (message.kind == Incoming::Kind::Text)
            require(isValidUtf8(message.payload));
        if (message.kind == Incoming::Kind::Text || message.kind == Incoming::Kind::Binary)
            require(message.payload.size() <= maxMessageBytes);
        if (message.kind == Incoming::Kind::Close)
            require(message.closeCode == CloseNoStatus || isValidReceivedCloseCode(message.closeCode));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzedDataProvider input(data, size);
    const qint64 maxMessageBytes = input.ConsumeIntegralInRange<qint64>(0, 4096);
    const size_t pieceSize = input.ConsumeIntegralInRange<size_t>(1, 64);
    const std::string stream = input.ConsumeRemainingBytesAsString();

    FrameDecoder decoder(maxMessageBytes);
    QByteArray pending;
    size_t offset = 0;
    while (offset < stream.size() && !decoder.isFinished()) {
        const size_t take = std::min(pieceSize, stream.size() - offset);
        pending.append(stream.data() + offset, qsizetype(take));
        offset += take;
        std::vector<Incoming> messages;
        const qsizetype used = decoder.decode(pending, messages);
        require(used >= 0 && used <= pending.size());
        checkMessages(messages, maxMessageBytes);
        for (size_t i = 0; i < messages.size(); ++i) {
            const bool last = i + 1 == messages.size();
            const auto kind = messages[i].kind;
            if (kind == Incoming::Kind::Close || kind == Incoming::Kind::Failure)
                require(last && decoder.isFinished());
        }
        pending.remove(0, used);
    }

    // The encoder's side: a close payload stays valid UTF-8 and within a control frame.
    const QByteArray reason = QByteArray::fromStdString(stream);
    const QByteArray close = closePayload(CloseNormal, reason);
    require(close.size() >= 2 && close.size() <= 125);
    if (isValidUtf8(reason))
        require(isValidUtf8(close.sliced(2)));
    const QByteArray frame = encodeFrame(Opcode::Binary, reason);
    require(frame.endsWith(reason));
    return 0;
}
