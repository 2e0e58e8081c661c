#include "channelpayloads.h"

#include "accountrules.h"
#include "store/channelrepository.h"

#include <QJsonValue>

#include <algorithm>

namespace parley::server::payload {

namespace {

// docs/protocol.md sections 5 and 7; part of the contract, not server options.
constexpr qsizetype MaxNameLength = store::ChannelRepository::MaxNameLength;
constexpr qsizetype MaxTopicLength = store::ChannelRepository::MaxTopicLength;

const QLatin1String NameKey("name");
const QLatin1String TopicKey("topic");
const QLatin1String IsPrivateKey("isPrivate");
const QLatin1String UsernameKey("username");
const QLatin1String AfterUsernameKey("afterUsername");
const QLatin1String LimitKey("limit");
const QLatin1String AfterNameKey("afterName");

Parsed<int> pageLimitOf(const QJsonObject &payload, int fallback, qint64 largest)
{
    const QJsonValue limit = payload.value(LimitKey);
    if (isAbsent(limit))
        return fallback;
    const qint64 number = limit.isDouble() ? limit.toInteger(0) : 0;
    if (number < 1 || number > largest)
        return PayloadError {QStringLiteral("limit must be a whole number from 1 to %1").arg(largest)};
    return static_cast<int>(number);
}

Parsed<QString> nameOf(const QJsonObject &payload)
{
    const QJsonValue value = payload.value(NameKey);
    if (!value.isString())
        return PayloadError {QStringLiteral("name must be a string: the channel's name")};
    QString name = value.toString().trimmed();
    if (name.isEmpty())
        return PayloadError {QStringLiteral("name is empty: a channel needs a name")};
    if (name.size() > MaxNameLength) {
        return PayloadError {QStringLiteral("name is %1 characters long; a channel name has at most %2")
                                 .arg(name.size())
                                 .arg(MaxNameLength)};
    }
    if (rules::hasHiddenCharacters(name))
        return PayloadError {
            QStringLiteral("name may not hold control characters, line breaks or direction marks")};
    return name;
}

Parsed<QString> topicOf(const QJsonObject &payload)
{
    const QJsonValue value = payload.value(TopicKey);
    if (isAbsent(value))
        return QStringLiteral("");
    if (!value.isString())
        return PayloadError {QStringLiteral("topic must be a string, or left out")};
    QString topic = value.toString().trimmed();
    if (topic.size() > MaxTopicLength) {
        return PayloadError {QStringLiteral("topic is %1 characters long; a topic has at most %2")
                                 .arg(topic.size())
                                 .arg(MaxTopicLength)};
    }
    if (rules::hasHiddenCharacters(topic))
        return PayloadError {
            QStringLiteral("topic may not hold control characters, line breaks or direction marks")};
    return topic;
}

} // namespace

Parsed<CreatePayload> parseCreate(const QJsonObject &payload)
{
    auto name = nameOf(payload);
    if (!name)
        return name.error();
    auto topic = topicOf(payload);
    if (!topic)
        return topic.error();
    const QJsonValue isPrivate = payload.value(IsPrivateKey);
    if (!isAbsent(isPrivate) && !isPrivate.isBool())
        return PayloadError {QStringLiteral("isPrivate must be true or false, or left out")};
    return CreatePayload {*name, *topic, isPrivate.toBool(false)};
}

Parsed<InvitePayload> parseInvite(const QJsonObject &payload)
{
    auto channelId = channelIdOf(payload);
    if (!channelId)
        return channelId.error();
    const QJsonValue value = payload.value(UsernameKey);
    if (!value.isString() || value.toString().trimmed().isEmpty())
        return PayloadError {QStringLiteral("username must name the user to invite")};
    return InvitePayload {*channelId, value.toString().trimmed()};
}

Parsed<MembersPayload> parseMembers(const QJsonObject &payload)
{
    auto channelId = channelIdOf(payload);
    if (!channelId)
        return channelId.error();
    MembersPayload parsed {*channelId, std::nullopt, DefaultMembersPage};
    const QJsonValue after = payload.value(AfterUsernameKey);
    if (!isAbsent(after)) {
        if (!after.isString())
            return PayloadError {QStringLiteral("afterUsername must be a string, or left out")};
        parsed.afterUsername = after.toString();
    }
    const auto limit = pageLimitOf(payload, DefaultMembersPage, MaxMembersPage);
    if (!limit)
        return limit.error();
    parsed.limit = *limit;
    return parsed;
}

Parsed<ListPayload> parseList(const QJsonObject &payload)
{
    ListPayload parsed;
    const QJsonValue after = payload.value(AfterNameKey);
    if (!isAbsent(after)) {
        if (!after.isString())
            return PayloadError {QStringLiteral("afterName must be a string, or left out")};
        parsed.afterName = after.toString();
    }
    const auto limit = pageLimitOf(payload, DefaultChannelListPage, MaxChannelListPage);
    if (!limit)
        return limit.error();
    parsed.limit = *limit;
    return parsed;
}

} // namespace parley::server::payload
