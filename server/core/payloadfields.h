#pragma once

#include "protocol/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

// Reading the fields of a `/` request payload, shared by the handler families so
// every event words the same mistake the same way.
namespace parley::server::payload {

// A payload that breaks a rule: the sentence the client is told.
struct PayloadError
{
    QString message;
};
template<typename T>
using Parsed = protocol::Result<T, PayloadError>;

// Left out, or null: the contract treats both as "not given".
inline bool isAbsent(const QJsonValue &value)
{
    return value.isUndefined() || value.isNull();
}

// The "channelId" field: a string id or a whole number (docs/protocol.md section 4).
Parsed<QString> channelIdOf(const QJsonObject &payload);

} // namespace parley::server::payload
