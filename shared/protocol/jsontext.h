#pragma once

#include "protocolerror.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>

// Internal to parley_protocol: JSON text to and from any QJsonValue, scalars
// included. Qt 6.4's QJsonDocument only reads and writes an array or an object at
// the top level, but Socket.IO payloads may be a bare string.
namespace parley::protocol::jsontext {

// One JSON value with optional surrounding whitespace and nothing else; an
// InvalidJson error otherwise. Arrays and objects are parsed in place, unpadded.
Result<QJsonValue, ProtocolError> parse(QByteArrayView json);

// Compact JSON, objects with their keys sorted (QJsonObject's order). Undefined
// writes nothing.
QByteArray write(const QJsonValue &value);

} // namespace parley::protocol::jsontext
