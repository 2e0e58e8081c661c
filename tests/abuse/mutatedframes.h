#pragma once

#include <QByteArray>

#include <random>

namespace parley::abuse {

// One hostile write: whole frames or broken ones.
struct Mutation
{
    QByteArray bytes;
    const char *kind; // for the tally: "random bytes", "bad UTF-8", ...
    // Nothing sensible can follow on this connection (a truncated header, a declared
    // length that is never sent, unframed bytes): the attacker sends FIN after it.
    bool last = false;
};

// The storm's frames, reproducible from a seed: random bytes, truncated headers, huge
// declared lengths, bad UTF-8, deep JSON, wrong namespaces, 64-bit ack ids, binary
// attachments on /auth, broken WebSocket framing (unmasked, RSV bits, reserved
// opcodes, fragmented control frames), Engine.IO and Socket.IO junk, and valid events
// with random bytes flipped.
class MutatedFrames
{
public:
    explicit MutatedFrames(quint64 seed)
        : m_random(seed)
    { }

    Mutation next();

private:
    int below(int bound) { return int(m_random() % quint64(bound)); }
    QByteArray randomBytes(int count);
    QByteArray validEvent();

    Mutation garbage();
    Mutation truncatedHeader();
    Mutation hugeLength();
    Mutation badUtf8();
    Mutation deepJson();
    Mutation wrongNamespace();
    Mutation wideAckId();
    Mutation binaryOnAuth();
    Mutation brokenFraming();
    Mutation engineJunk();
    Mutation flippedEvent();

    std::mt19937_64 m_random;
};

} // namespace parley::abuse
