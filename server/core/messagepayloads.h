#pragma once

#include "payloadfields.h"

#include <QJsonObject>
#include <QString>

#include <optional>

// The payloads of message:send and message:history (docs/protocol.md sections 5
// and 7), read and checked before the handler looks at the store.
namespace parley::server::payload {

struct SendPayload
{
    QString channelId;
    QString content;
    QString clientMsgId; // empty: none
};

struct HistoryPayload
{
    QString channelId;
    std::optional<qint64> beforeSeq;
    std::optional<qint64> afterSeq;
    std::optional<qint64> limit;
};

// message:send — the channel, 1..16,000 characters of content that are not all
// whitespace, and an optional clientMsgId of 1..64 printable ASCII characters.
Parsed<SendPayload> parseSend(const QJsonObject &payload);
// message:history — the channel, beforeSeq or afterSeq (not both) and a limit,
// each a whole number when given.
Parsed<HistoryPayload> parseHistory(const QJsonObject &payload);

} // namespace parley::server::payload
