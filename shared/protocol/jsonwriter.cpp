#include "jsonwriter.h"

#include <algorithm>

namespace parley::protocol {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

char *writeEscape(char *out, char16_t unit)
{
    *out++ = '\\';
    *out++ = 'u';
    *out++ = HexDigits[(unit >> 12) & 0xf];
    *out++ = HexDigits[(unit >> 8) & 0xf];
    *out++ = HexDigits[(unit >> 4) & 0xf];
    *out++ = HexDigits[unit & 0xf];
    return out;
}

// The two-character escape JSON has for c, or 0.
char shortEscapeOf(char16_t c)
{
    switch (c) {
    case u'"':
        return '"';
    case u'\\':
        return '\\';
    case u'\b':
        return 'b';
    case u'\f':
        return 'f';
    case u'\n':
        return 'n';
    case u'\r':
        return 'r';
    case u'\t':
        return 't';
    default:
        return 0;
    }
}

} // namespace

// A comma goes before anything that does not open its container or follow its key:
// the last byte written tells which, so the writer keeps no nesting state.
void JsonWriter::separate()
{
    if (m_text.isEmpty())
        return;
    const char last = m_text.back();
    if (last != '{' && last != '[' && last != ':')
        m_text.append(',');
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_text.append('{');
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_text.append('}');
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_text.append('[');
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_text.append(']');
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1String name)
{
    Q_ASSERT(std::all_of(
        name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '\\'; }));
    separate();
    m_text.append('"').append(name.data(), name.size()).append("\":", 2);
    return *this;
}

JsonWriter &JsonWriter::string(QStringView text)
{
    separate();
    // Written through a pointer into room made once — 3 bytes per UTF-16 unit (the most
    // UTF-8 needs for one) and the quotes — then cut to what was used. A \uXXXX escape
    // (6 bytes for one unit: a control character, a lone surrogate) makes its own room.
    const qsizetype start = m_text.size();
    m_text.resize(start + text.size() * 3 + 2);
    char *out = m_text.data() + start;
    const auto writeUnicodeEscape = [this, &out](char16_t unit) {
        const qsizetype used = out - m_text.constData();
        m_text.resize(m_text.size() + 3);
        out = writeEscape(m_text.data() + used, unit);
    };
    *out++ = '"';
    const char16_t *unit = text.utf16();
    const char16_t *const end = unit + text.size();
    while (unit < end) {
        const char16_t c = *unit++;
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\') {
                *out++ = static_cast<char>(c);
                continue;
            }
            if (const char escaped = shortEscapeOf(c)) {
                *out++ = '\\';
                *out++ = escaped;
            } else {
                writeUnicodeEscape(c);
            }
        } else if (c < 0x800) {
            *out++ = static_cast<char>(0xc0 | (c >> 6));
            *out++ = static_cast<char>(0x80 | (c & 0x3f));
        } else if (QChar::isHighSurrogate(c) && unit < end && QChar::isLowSurrogate(*unit)) {
            const char32_t code = QChar::surrogateToUcs4(c, *unit++);
            *out++ = static_cast<char>(0xf0 | (code >> 18));
            *out++ = static_cast<char>(0x80 | ((code >> 12) & 0x3f));
            *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            *out++ = static_cast<char>(0x80 | (code & 0x3f));
        } else if (QChar::isSurrogate(c)) {
            writeUnicodeEscape(c); // lone: no UTF-8 for it
        } else {
            *out++ = static_cast<char>(0xe0 | (c >> 12));
            *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            *out++ = static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    *out++ = '"';
    m_text.resize(out - m_text.constData());
    return *this;
}

JsonWriter &JsonWriter::number(qint64 value)
{
    separate();
    char digits[24];
    char *end = digits + sizeof digits;
    char *out = end;
    // Through the unsigned value: the most negative qint64 has no positive counterpart.
    quint64 magnitude = value < 0 ? 0 - static_cast<quint64>(value) : static_cast<quint64>(value);
    do {
        *--out = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        *--out = '-';
    m_text.append(out, end - out);
    return *this;
}

JsonWriter &JsonWriter::boolean(bool value)
{
    separate();
    m_text.append(value ? QByteArrayView("true") : QByteArrayView("false"));
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_text.append("null", 4);
    return *this;
}

JsonWriter &JsonWriter::json(QByteArrayView text)
{
    Q_ASSERT(!text.isEmpty()); // a value: the commas are placed by its last byte
    separate();
    m_text.append(text);
    return *this;
}

} // namespace parley::protocol
