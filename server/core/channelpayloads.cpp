#include "channelpayloads.h"

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

// Control characters and line breaks would let a name or topic span lines, or
// hide what it says, in every member's channel list.
bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        const QChar::Category category = c.category();
        return category == QChar::Other_Control || category == QChar::Separator_Line ||
            category == QChar::Separator_Paragraph;
    });
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
    if (hasControlCharacters(name))
        return PayloadError {QStringLiteral("name may not hold control characters or line breaks")};
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
    const QJsonValue limit = payload.value(LimitKey);
    if (!isAbsent(limit)) {
        const qint64 number = limit.isDouble() ? limit.toInteger(0) : 0;
        if (number < 1 || number > MaxMembersPage) {
            return PayloadError {
                QStringLiteral("limit must be a whole number from 1 to %1").arg(MaxMembersPage)};
        }
        parsed.limit = static_cast<int>(number);
    }
    return parsed;
}

} // namespace parley::server::payload
