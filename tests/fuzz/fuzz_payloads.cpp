// Every event payload a client can send, parsed the way the handlers parse it:
// the JSON text is read with the codec's parser, and the object goes through each
// event's payload parser (channel:*, message:*, the /auth username and display-name rules) and the
// contract's value types (what a client reads from the server). Checks the
// bounds each parser promises.
#include "accountrules.h"
#include "channelpayloads.h"
#include "jsontext.h"
#include "messagepayloads.h"
#include "payloadfields.h"
#include "protocol/types.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdlib>

using namespace parley;
using namespace parley::server::payload;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

void checkChannelEvents(const QJsonObject &payload)
{
    if (const auto create = parseCreate(payload)) {
        require(!create->name.isEmpty() && create->name.size() <= 64 && create->topic.size() <= 256);
        require(!server::rules::hasHiddenCharacters(create->name));
        require(!server::rules::hasHiddenCharacters(create->topic));
    }
    if (const auto invite = parseInvite(payload))
        require(!invite->channelId.isEmpty() && !invite->username.isEmpty());
    if (const auto members = parseMembers(payload))
        require(members->limit >= 1 && members->limit <= MaxMembersPage);
    if (const auto list = parseList(payload))
        require(list->limit >= 1 && list->limit <= MaxChannelListPage);
    if (const auto id = channelIdOf(payload))
        require(!id->isEmpty());
}

void checkMessageEvents(const QJsonObject &payload)
{
    if (const auto send = parseSend(payload)) {
        require(!send->content.trimmed().isEmpty() && send->content.size() <= 16000);
        require(send->clientMsgId.size() <= 64);
    }
    if (const auto history = parseHistory(payload)) {
        require(!(history->beforeSeq && history->afterSeq));
        require(!history->limit || *history->limit >= 1);
    }
}

void checkUsernames(const QJsonObject &payload)
{
    for (auto it = payload.begin(); it != payload.end(); ++it) {
        if (!it.value().isString())
            continue;
        // What a display name or topic may hold: stripping leaves nothing to strip.
        const QString visible = server::rules::withoutHiddenCharacters(it.value().toString());
        require(!server::rules::hasHiddenCharacters(visible));
        if (const auto name = server::rules::canonicalUsername(it.value().toString())) {
            require(name->size() >= 2 && name->size() <= 32);
            require(server::rules::canonicalUsername(*name) == name);
        }
    }
}

// What the server sends must read back as the same value.
void checkValueTypes(const QJsonObject &json)
{
    if (const auto user = protocol::User::fromJson(json))
        require(protocol::User::fromJson(user->toJson()) == user);
    if (const auto channel = protocol::Channel::fromJson(json))
        require(protocol::Channel::fromJson(channel->toJson()) == channel);
    if (const auto message = protocol::Message::fromJson(json)) {
        require(protocol::Message::fromJson(message->toJson()) == message);
        require(
            protocol::jsontext::parse(message->toJsonText().bytes).value().toObject() == message->toJson());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto parsed =
        protocol::jsontext::parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!parsed)
        return 0;
    // An event's arguments: the payload is the first, when it is an object.
    const QJsonValue value = parsed->isArray() ? parsed->toArray().first() : *parsed;
    if (!value.isObject())
        return 0;
    const QJsonObject payload = value.toObject();
    checkChannelEvents(payload);
    checkMessageEvents(payload);
    checkUsernames(payload);
    checkValueTypes(payload);
    return 0;
}
