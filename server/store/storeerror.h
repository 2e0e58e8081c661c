#pragma once

#include "protocol/catalogue.h"
#include "protocol/result.h"

#include <QObject>
#include <QString>

namespace parley::store {

// Why a storage call failed. The kind is what callers branch on (a handler maps
// NotFound and Conflict to the wire codes); the message is for the server log
// only: it may carry SQL detail that must never reach a client.
struct StoreError
{
    Q_GADGET
public:
    enum class Kind
    {
        NotOpen, // the store was never opened, or is closed
        InvalidArgument, // the caller broke a rule the store enforces (name length, limit, ...)
        NotFound, // no such user / channel / membership, or an id that cannot exist
        Conflict, // a unique name or identity is taken
        Internal, // SQLite failed: I/O, corrupt file, a schema newer than this build
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Internal;
    QString message;
};

// The value of a call that has nothing to return but may fail.
struct Done
{
};

template<typename T>
using StoreResult = protocol::Result<T, StoreError>;

// The wire code a handler answers with when it passes a store failure on.
inline protocol::ErrorCode toErrorCode(StoreError::Kind kind)
{
    switch (kind) {
    case StoreError::Kind::InvalidArgument:
        return protocol::ErrorCode::InvalidPayload;
    case StoreError::Kind::NotFound:
        return protocol::ErrorCode::NotFound;
    case StoreError::Kind::Conflict:
        return protocol::ErrorCode::Conflict;
    case StoreError::Kind::NotOpen:
    case StoreError::Kind::Internal:
        break;
    }
    return protocol::ErrorCode::Internal;
}

} // namespace parley::store
