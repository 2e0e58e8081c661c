#include "messagepayloads.h"

#include <algorithm>

namespace parley::server::payload {

namespace {

// docs/protocol.md section 7; not server options, they are part of the contract.
constexpr qsizetype MaxContentLength = 16000;
constexpr qsizetype MaxClientMsgIdLength = 64;

const QLatin1String ChannelIdKey("channelId");
const QLatin1String ContentKey("content");
const QLatin1String ClientMsgIdKey("clientMsgId");
const QLatin1String BeforeSeqKey("beforeSeq");
const QLatin1String AfterSeqKey("afterSeq");
const QLatin1String LimitKey("limit");

Parsed<QString> contentOf(const QJsonObject &payload)
{
    const QJsonValue value = payload.value(ContentKey);
    if (!value.isString())
        return PayloadError {QStringLiteral("content must be a string of text")};
    QString content = value.toString();
    if (content.isEmpty())
        return PayloadError {QStringLiteral("content is empty: there is nothing to send")};
    if (content.size() > MaxContentLength) {
        return PayloadError {QStringLiteral("content is %1 characters long; a message holds at most %2")
                                 .arg(content.size())
                                 .arg(MaxContentLength)};
    }
    if (content.trimmed().isEmpty())
        return PayloadError {QStringLiteral("content is only whitespace: there is nothing to send")};
    return content; // unchanged: leading and trailing spaces are the author's
}

Parsed<QString> clientMsgIdOf(const QJsonObject &payload)
{
    const QJsonValue value = payload.value(ClientMsgIdKey);
    if (isAbsent(value))
        return QString();
    if (!value.isString())
        return PayloadError {QStringLiteral("clientMsgId must be a string, or left out")};
    QString id = value.toString();
    if (id.isEmpty() || id.size() > MaxClientMsgIdLength) {
        return PayloadError {
            QStringLiteral("clientMsgId must be 1 to %1 characters long").arg(MaxClientMsgIdLength)};
    }
    const bool printableAscii = std::all_of(
        id.cbegin(), id.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() <= 0x7e; });
    if (!printableAscii)
        return PayloadError {QStringLiteral("clientMsgId may hold printable ASCII characters only")};
    return id;
}

// A whole number of at least `minimum`, or nullopt when the field is left out.
Parsed<std::optional<qint64>> optionalWholeNumber(
    const QJsonObject &payload, QLatin1String key, qint64 minimum)
{
    const QJsonValue value = payload.value(key);
    if (isAbsent(value))
        return std::optional<qint64>();
    const qint64 invalid = minimum - 1;
    const qint64 number = value.isDouble() ? value.toInteger(invalid) : invalid;
    if (number < minimum) {
        return PayloadError {
            QStringLiteral("%1 must be a whole number of at least %2").arg(QString(key)).arg(minimum)};
    }
    return std::optional(number);
}

} // namespace

Parsed<SendPayload> parseSend(const QJsonObject &payload)
{
    auto channelId = channelIdOf(payload);
    if (!channelId)
        return channelId.error();
    auto content = contentOf(payload);
    if (!content)
        return content.error();
    auto clientMsgId = clientMsgIdOf(payload);
    if (!clientMsgId)
        return clientMsgId.error();
    return SendPayload {*channelId, *content, *clientMsgId};
}

Parsed<HistoryPayload> parseHistory(const QJsonObject &payload)
{
    auto channelId = channelIdOf(payload);
    if (!channelId)
        return channelId.error();
    auto beforeSeq = optionalWholeNumber(payload, BeforeSeqKey, 1);
    if (!beforeSeq)
        return beforeSeq.error();
    // afterSeq 0 is "from the first message": what a client holding nothing asks for.
    auto afterSeq = optionalWholeNumber(payload, AfterSeqKey, 0);
    if (!afterSeq)
        return afterSeq.error();
    if (*beforeSeq && *afterSeq)
        return PayloadError {QStringLiteral("give beforeSeq or afterSeq, not both")};
    auto limit = optionalWholeNumber(payload, LimitKey, 1);
    if (!limit)
        return limit.error();
    return HistoryPayload {*channelId, *beforeSeq, *afterSeq, *limit};
}

} // namespace parley::server::payload
