#pragma once

#include "jsonwriter.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

// The contract's value objects (docs/protocol.md section 4) and their JSON form.
// Ids are strings on the wire; fromJson also takes a JSON integer where an id
// stands ("7" and 7 are the same id).
namespace parley::protocol {

struct User
{
    QString id;
    QString username;
    QString displayName;

    QJsonObject toJson() const;
    // The same object as toJson(), written as text (keys in the same order).
    void writeJson(JsonWriter &writer) const;
    static std::optional<User> fromJson(const QJsonObject &json);
    friend bool operator==(const User &, const User &) = default;
};

struct Channel
{
    QString id;
    QString name;
    QString topic; // "" when unset
    bool isPrivate = false;
    qint64 memberCount = 0;
    qint64 lastSeq = 0;

    QJsonObject toJson() const;
    static std::optional<Channel> fromJson(const QJsonObject &json);
    friend bool operator==(const Channel &, const Channel &) = default;
};

struct Message
{
    QString id;
    QString channelId;
    qint64 seq = 0;
    QString userId;
    User author;
    QString content;
    QDateTime createdAt; // UTC
    QString clientMsgId; // empty: null on the wire

    QJsonObject toJson() const;
    // The same object as toJson(), written as text (keys in the same order): what the
    // server sends for every stored message, without a QJsonObject on the way.
    void writeJson(JsonWriter &writer) const;
    JsonText toJsonText() const;
    static std::optional<Message> fromJson(const QJsonObject &json);
    friend bool operator==(const Message &, const Message &) = default;
};

// ISO 8601 UTC with milliseconds: 2026-11-26T17:30:00.123Z
QString formatTimestamp(const QDateTime &time);
QDateTime parseTimestamp(const QString &text);

// An id field as the contract allows it: a non-empty string, or a non-negative
// JSON integer (converted to its decimal string). nullopt for anything else.
std::optional<QString> idFromJson(const QJsonValue &value);

} // namespace parley::protocol
