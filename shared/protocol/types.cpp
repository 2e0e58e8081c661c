#include "types.h"

#include <QJsonValue>
#include <QTimeZone>

namespace parley::protocol {

namespace {

// A JSON number that is a whole number >= 0 (7.0 counts; 7.5, "7" and -1 do not).
std::optional<qint64> nonNegativeInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const qint64 number = value.toInteger(-1);
    if (number < 0)
        return std::nullopt;
    return number;
}

std::optional<QString> requiredString(const QJsonObject &json, QLatin1String key)
{
    const QJsonValue value = json.value(key);
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

// A string that may also be absent or null: both mean "".
std::optional<QString> optionalString(const QJsonObject &json, QLatin1String key)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return QString();
    return requiredString(json, key);
}

} // namespace

std::optional<QString> idFromJson(const QJsonValue &value)
{
    if (value.isString()) {
        QString id = value.toString();
        if (id.isEmpty())
            return std::nullopt;
        return id;
    }
    const auto number = nonNegativeInteger(value);
    if (!number)
        return std::nullopt;
    return QString::number(*number);
}

QString formatTimestamp(const QDateTime &time)
{
    if (!time.isValid())
        return QString();
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    if (date.year() < 1 || date.year() > 9999)
        return utc.toString(Qt::ISODateWithMs);
    // Digit by digit: every stored message is sent with its time, and toString() reads
    // its format anew on each call (a tenth of a message's JSON cost).
    struct Part
    {
        int value;
        int digits;
        char16_t after;
    };
    const Part parts[] = {{date.year(), 4, u'-'}, {date.month(), 2, u'-'}, {date.day(), 2, u'T'},
        {clock.hour(), 2, u':'}, {clock.minute(), 2, u':'}, {clock.second(), 2, u'.'},
        {clock.msec(), 3, u'Z'}};
    char16_t text[24];
    char16_t *out = text;
    for (Part part : parts) {
        for (int i = part.digits - 1; i >= 0; --i, part.value /= 10)
            out[i] = static_cast<char16_t>(u'0' + part.value % 10);
        out += part.digits;
        *out++ = part.after;
    }
    return QString(reinterpret_cast<const QChar *>(text), 24);
}

QDateTime parseTimestamp(const QString &text)
{
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    // Without a 'Z' or an offset the time would be read as local time, which
    // differs from machine to machine: such a timestamp is malformed.
    if (!time.isValid() || time.timeSpec() == Qt::LocalTime)
        return QDateTime();
    return time.toUTC();
}

QJsonObject User::toJson() const
{
    return QJsonObject {
        {QLatin1String("id"), id},
        {QLatin1String("username"), username},
        {QLatin1String("displayName"), displayName},
    };
}

void User::writeJson(JsonWriter &writer) const
{
    writer.beginObject()
        .key(QLatin1String("displayName"))
        .string(displayName)
        .key(QLatin1String("id"))
        .string(id)
        .key(QLatin1String("username"))
        .string(username)
        .endObject();
}

std::optional<User> User::fromJson(const QJsonObject &json)
{
    const auto id = idFromJson(json.value(QLatin1String("id")));
    const auto username = requiredString(json, QLatin1String("username"));
    const auto displayName = requiredString(json, QLatin1String("displayName"));
    if (!id || !username || !displayName)
        return std::nullopt;
    return User {*id, *username, *displayName};
}

QJsonObject Channel::toJson() const
{
    return QJsonObject {
        {QLatin1String("id"), id},
        {QLatin1String("name"), name},
        {QLatin1String("topic"), topic.isNull() ? QLatin1String("") : topic},
        {QLatin1String("isPrivate"), isPrivate},
        {QLatin1String("memberCount"), memberCount},
        {QLatin1String("lastSeq"), lastSeq},
    };
}

std::optional<Channel> Channel::fromJson(const QJsonObject &json)
{
    const auto id = idFromJson(json.value(QLatin1String("id")));
    const auto name = requiredString(json, QLatin1String("name"));
    const auto topic = optionalString(json, QLatin1String("topic"));
    const QJsonValue isPrivate = json.value(QLatin1String("isPrivate"));
    const auto memberCount = nonNegativeInteger(json.value(QLatin1String("memberCount")));
    const auto lastSeq = nonNegativeInteger(json.value(QLatin1String("lastSeq")));
    if (!id || !name || !topic || !isPrivate.isBool() || !memberCount || !lastSeq)
        return std::nullopt;
    return Channel {*id, *name, *topic, isPrivate.toBool(), *memberCount, *lastSeq};
}

QJsonObject Message::toJson() const
{
    return QJsonObject {
        {QLatin1String("id"), id},
        {QLatin1String("channelId"), channelId},
        {QLatin1String("seq"), seq},
        {QLatin1String("userId"), userId},
        {QLatin1String("author"), author.toJson()},
        {QLatin1String("content"), content},
        {QLatin1String("createdAt"), formatTimestamp(createdAt)},
        {QLatin1String("clientMsgId"),
            clientMsgId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(clientMsgId)},
    };
}

void Message::writeJson(JsonWriter &writer) const
{
    writer.beginObject().key(QLatin1String("author"));
    author.writeJson(writer);
    writer.key(QLatin1String("channelId")).string(channelId).key(QLatin1String("clientMsgId"));
    if (clientMsgId.isEmpty())
        writer.null();
    else
        writer.string(clientMsgId);
    writer.key(QLatin1String("content"))
        .string(content)
        .key(QLatin1String("createdAt"))
        .string(formatTimestamp(createdAt))
        .key(QLatin1String("id"))
        .string(id)
        .key(QLatin1String("seq"))
        .number(seq)
        .key(QLatin1String("userId"))
        .string(userId)
        .endObject();
}

JsonText Message::toJsonText() const
{
    JsonWriter writer(256 + content.size() * 3);
    writeJson(writer);
    return JsonText {writer.take()};
}

std::optional<Message> Message::fromJson(const QJsonObject &json)
{
    const auto id = idFromJson(json.value(QLatin1String("id")));
    const auto channelId = idFromJson(json.value(QLatin1String("channelId")));
    const auto seq = nonNegativeInteger(json.value(QLatin1String("seq")));
    const auto userId = idFromJson(json.value(QLatin1String("userId")));
    const QJsonValue authorJson = json.value(QLatin1String("author"));
    const auto author = authorJson.isObject() ? User::fromJson(authorJson.toObject()) : std::nullopt;
    const auto content = requiredString(json, QLatin1String("content"));
    const auto createdAtText = requiredString(json, QLatin1String("createdAt"));
    const QDateTime createdAt = createdAtText ? parseTimestamp(*createdAtText) : QDateTime();
    const auto clientMsgId = optionalString(json, QLatin1String("clientMsgId"));
    if (!id || !channelId || !seq || !userId || !author || !content || !createdAt.isValid() || !clientMsgId)
        return std::nullopt;
    return Message {*id, *channelId, *seq, *userId, *author, *content, createdAt, *clientMsgId};
}

} // namespace parley::protocol
