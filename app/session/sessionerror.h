#pragma once

#include "protocol/catalogue.h"

#include <QJsonObject>
#include <QString>

namespace parley::client {

// Why the session stopped or a request failed: the wire code, and a sentence a
// person can act on (never a token, never SQL).
struct SessionError
{
    protocol::ErrorCode code = protocol::ErrorCode::Internal;
    QString message;
    // The server never answered (unreachable, cut off, timed out); code is then
    // Internal and message says what happened to the connection.
    bool noAnswer = false;
};

// The sentence the desktop app shows for a code when the server sent none worth
// showing (or the code was found locally).
QString describeError(protocol::ErrorCode code);

// {"code": "...", "message": "..."} as the contract sends it in acks, CONNECT_ERROR
// data and connection:closing. An unknown code reads as INTERNAL.
SessionError sessionErrorFromJson(const QJsonObject &error);

} // namespace parley::client
