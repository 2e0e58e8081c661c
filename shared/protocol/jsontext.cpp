#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>

namespace parley::protocol::jsontext {

namespace {

bool isJsonWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool startsWithContainer(QByteArrayView json)
{
    const auto first = std::find_if_not(json.begin(), json.end(), isJsonWhitespace);
    return first != json.end() && (*first == '[' || *first == '{');
}

ProtocolError invalidJson(QString message)
{
    return ProtocolError {ProtocolErrorKind::InvalidJson, std::move(message)};
}

} // namespace

// A scalar is parsed as the one element of an array wrapped around it. The wrapper
// cannot be escaped: text that closes it early leaves garbage at the end, which Qt
// rejects, and text holding two values makes an array of two.
Result<QJsonValue, ProtocolError> parse(QByteArrayView json)
{
    const bool container = startsWithContainer(json);
    QJsonParseError parseError;
    QJsonDocument document;
    if (container) {
        // No copy: the frame's bytes are parsed where they are.
        document = QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), json.size()), &parseError);
    } else {
        QByteArray wrapped;
        wrapped.reserve(json.size() + 2);
        wrapped.append('[').append(json).append(']');
        document = QJsonDocument::fromJson(wrapped, &parseError);
    }
    if (parseError.error != QJsonParseError::NoError)
        return invalidJson(parseError.errorString());
    if (container)
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const QJsonArray wrapper = document.array();
    if (wrapper.size() != 1)
        return invalidJson(QStringLiteral("not a single JSON value"));
    return wrapper.first();
}

QByteArray write(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isUndefined())
        return {};
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
}

} // namespace parley::protocol::jsontext
