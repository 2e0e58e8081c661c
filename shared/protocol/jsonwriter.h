#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>
#include <QStringView>

namespace parley::protocol {

// JSON that is already text: a value written once and reused as it is, e.g. a stored
// message in its send ack and in the message:new broadcast to every member.
struct JsonText
{
    QByteArray bytes;
};

// Compact JSON written straight into bytes, for the paths that run once per message
// or per delivery: building a QJsonObject and serialising it costs more there than the
// write to the socket. Strings are escaped as RFC 8259 asks and kept in UTF-8; a lone
// surrogate (possible in a QString, not in UTF-8) becomes a \uXXXX escape, so the text
// reads back as the same QString. The caller writes a well-formed sequence: the
// writer only places the commas.
class JsonWriter
{
public:
    explicit JsonWriter(qsizetype expectedSize = 256) { m_text.reserve(expectedSize); }

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    // Our own names: ASCII, written as they are.
    JsonWriter &key(QLatin1String name);
    JsonWriter &string(QStringView text);
    JsonWriter &number(qint64 value);
    JsonWriter &boolean(bool value);
    JsonWriter &null();
    JsonWriter &json(QByteArrayView text); // a value written before, e.g. a JsonText

    QByteArray take() { return std::move(m_text); }

private:
    void separate();

    QByteArray m_text;
};

} // namespace parley::protocol
