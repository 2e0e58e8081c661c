#include "messagehandler.h"

#include "broadcaster.h"
#include "eventrequest.h"
#include "eventroutes.h"
#include "messagepayloads.h"
#include "payloadfields.h"
#include "protocol/catalogue.h"
#include "protocol/types.h"
#include "serverlogging.h"
#include "serversession.h"
#include "store/chatstore.h"

#include <QJsonArray>

#include <algorithm>
#include <optional>

namespace parley::server {

using protocol::ErrorCode;
using namespace payload;

namespace {

const QLatin1String ChannelIdKey("channelId");
const QLatin1String ClientMsgIdKey("clientMsgId");

// What the error event carries besides code and message: the request's
// channelId and clientMsgId as far as the client gave them.
QJsonObject errorContextOf(const std::optional<QJsonObject> &payload, bool withClientMsgId)
{
    QJsonObject context;
    if (!payload)
        return context;
    if (const auto channelId = protocol::idFromJson(payload->value(ChannelIdKey)))
        context.insert(ChannelIdKey, *channelId);
    const QJsonValue clientMsgId = payload->value(ClientMsgIdKey);
    if (withClientMsgId && clientMsgId.isString())
        context.insert(ClientMsgIdKey, clientMsgId);
    return context;
}

// The success ack of a send; a repeat of its clientMsgId gets exactly this again.
// `json` is the message's text, written once for the ack and the broadcast.
protocol::JsonText sendAck(const protocol::Message &message, const protocol::JsonText &json)
{
    protocol::JsonWriter ack(json.bytes.size() + 128);
    ack.beginObject()
        .key(QLatin1String("message"))
        .json(json.bytes)
        .key(QLatin1String("messageId"))
        .string(message.id)
        .key(QLatin1String("seq"))
        .number(message.seq)
        .key(QLatin1String("success"))
        .boolean(true)
        .endObject();
    return protocol::JsonText {ack.take()};
}

} // namespace

MessageHandler::MessageHandler(ServerContext &context)
    : m_context(context)
    , m_access(context)
    , m_writer(context.store.messages(), context.config.commitWindow)
{ }

MessageHandler::~MessageHandler() = default;

void MessageHandler::flush()
{
    m_writer.flush();
}

void MessageHandler::registerRoutes(EventRoutes &routes)
{
    routes.add(protocol::ns::Main, protocol::event::MessageSend,
        [this](const EventRequest &request) { send(request); });
    routes.add(protocol::ns::Main, protocol::event::MessageHistory,
        [this](const EventRequest &request) { history(request); });
}

void MessageHandler::send(const EventRequest &request)
{
    const auto payload = request.objectPayload(QStringLiteral("{channelId, content, clientMsgId?}"));
    if (!payload)
        return;
    const auto parsed = parseSend(*payload);
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message, errorContextOf(payload, true));
        return;
    }
    const store::NewMessage message {
        parsed->channelId, request.userId(), parsed->content, parsed->clientMsgId};
    auto answer = [this, request, clientMsgId = message.clientMsgId](const MessageWriter::Outcome &outcome) {
        answerCommitted(request, clientMsgId, outcome);
    };

    // The common case, a member within its rate, goes straight to the writer: a repeated
    // clientMsgId is then found inside the commit (answered with the first send's message,
    // nothing written), so the database is asked once per message, not twice.
    if (m_context.rooms.contains(request.connectionId(), RoomRegistry::channelRoom(message.channelId)) &&
        !request.rateLimited()) {
        m_writer.enqueue(message, std::move(answer));
        return;
    }

    // Otherwise the contract's order: a repeat is answered before the channel is looked at.
    const QJsonObject errorContext = errorContextOf(payload, true);
    if (!message.clientMsgId.isEmpty()) {
        const auto first = m_context.store.messages().findByClientMsgId(message.userId, message.clientMsgId);
        if (!first) {
            request.failInternal(first.error().message, errorContext);
            return;
        }
        if (*first) {
            request.acknowledge(sendAck(**first, (*first)->toJsonText()));
            return;
        }
        if (m_writer.isWaiting(message.userId, message.clientMsgId)) {
            // The first one is not committed yet: this one gets its answer when it is.
            m_writer.enqueue(message, std::move(answer));
            return;
        }
    }
    if (m_access.failUnlessMember(request, message.channelId, errorContext))
        return;
    if (request.failIfRateLimited(errorContext))
        return;
    m_writer.enqueue(message, std::move(answer));
}

void MessageHandler::answerCommitted(
    const EventRequest &request, const QString &clientMsgId, const MessageWriter::Outcome &outcome) const
{
    if (!outcome) {
        // A repeat gets the first send's ack even when the batch it waited in could not
        // commit: that message is stored, whatever happened to the others.
        if (!clientMsgId.isEmpty()) {
            const auto first = m_context.store.messages().findByClientMsgId(request.userId(), clientMsgId);
            if (first && *first) { // a failed lookup: the commit's own failure is the answer
                request.acknowledge(sendAck(**first, (*first)->toJsonText()));
                return;
            }
        }
        const QJsonObject errorContext = errorContextOf(request.payload(), true);
        // The channel (or the sender) went away between the checks and the commit.
        if (outcome.error().kind == store::StoreError::Kind::NotFound)
            request.fail(ErrorCode::NotFound, QStringLiteral("That channel does not exist"), errorContext);
        else
            request.failInternal(outcome.error().message, errorContext);
        return;
    }
    // Dropped when the sender is gone; the message is committed and still goes out.
    const protocol::JsonText message = outcome->message.toJsonText();
    request.acknowledge(sendAck(outcome->message, message));
    if (!outcome->duplicate)
        m_context.broadcaster.toChannel(outcome->message.channelId, protocol::event::MessageNew, message);
}

void MessageHandler::history(const EventRequest &request)
{
    const auto payload = request.objectPayload(QStringLiteral("{channelId, beforeSeq?, afterSeq?, limit?}"));
    if (!payload)
        return;
    const QJsonObject errorContext = errorContextOf(payload, false);
    const auto parsed = parseHistory(*payload);
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message, errorContext);
        return;
    }
    if (m_access.failUnlessMember(request, parsed->channelId, errorContext))
        return;
    if (request.failIfRateLimited(errorContext))
        return;

    const ServerLimits &limits = m_context.config.limits;
    const qint64 asked = parsed->limit.value_or(limits.historyPage);
    const int limit = static_cast<int>(std::max<qint64>(1, std::min<qint64>(asked, limits.historyMax)));
    const auto page =
        m_context.store.messages().history(parsed->channelId, parsed->beforeSeq, parsed->afterSeq, limit);
    if (!page) {
        if (page.error().kind == store::StoreError::Kind::NotFound)
            request.fail(ErrorCode::NotFound, QStringLiteral("That channel does not exist"), errorContext);
        else
            request.failInternal(page.error().message, errorContext);
        return;
    }
    // Bounded in bytes as well as in count: a page of long messages full of escaped
    // characters could otherwise be larger than the client's send queue may hold. The
    // messages nearest the cursor are kept (the oldest after afterSeq, else the newest);
    // at least one always goes, and hasMore tells the client to ask again.
    const qint64 budget = std::min(limits.historyPageBytes, limits.sendQueueBytes / 2);
    const bool fromOldest = parsed->afterSeq.has_value();
    const qsizetype count = page->messages.size();
    QList<QJsonObject> kept;
    qint64 bytes = 0;
    bool trimmed = false;
    for (qsizetype i = 0; i < count; ++i) {
        const protocol::Message &message = page->messages.at(fromOldest ? i : count - 1 - i);
        const qint64 size = message.toJsonText().bytes.size();
        if (!kept.isEmpty() && bytes + size > budget) {
            trimmed = true;
            break;
        }
        bytes += size;
        kept.append(message.toJson());
    }
    if (!fromOldest)
        std::reverse(kept.begin(), kept.end());
    QJsonArray messages;
    for (const QJsonObject &message : kept)
        messages.append(message);
    request.succeed(
        {{QStringLiteral("messages"), messages}, {QStringLiteral("hasMore"), page->hasMore || trimmed}});
}

} // namespace parley::server
