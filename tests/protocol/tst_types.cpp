#include "protocol/types.h"
#include "protocoltestsupport.h"

#include <QTest>
#include <QTimeZone>

using namespace parley::protocol;

namespace {

QByteArray compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QJsonObject object(const QByteArray &text)
{
    return jsonValue(text).toObject();
}

const QDateTime SampleTime(QDate(2026, 11, 26), QTime(17, 30, 0, 123), Qt::UTC);

User sampleUser()
{
    return User {QStringLiteral("3"), QStringLiteral("ada"), QStringLiteral("Ada L.")};
}

Channel sampleChannel()
{
    return Channel {QStringLiteral("7"), QStringLiteral("general"), QString(), false, 12, 1041};
}

Message sampleMessage()
{
    return Message {QStringLiteral("1042"), QStringLiteral("7"), 5, QStringLiteral("3"), sampleUser(),
        QStringLiteral("hi \u00e9"), SampleTime, QStringLiteral("c1")};
}

// Golden JSON: keys in the order QJsonObject writes them (sorted).
const QByteArray UserJson = R"({"displayName":"Ada L.","id":"3","username":"ada"})";
const QByteArray ChannelJson =
    R"({"id":"7","isPrivate":false,"lastSeq":1041,"memberCount":12,"name":"general","topic":""})";
const QByteArray MessageJson = "{\"author\":" + UserJson +
    ",\"channelId\":\"7\",\"clientMsgId\":\"c1\",\"content\":\"hi "
    "\xc3\xa9\",\"createdAt\":\"2026-11-26T17:30:00.123Z\","
    "\"id\":\"1042\",\"seq\":5,\"userId\":\"3\"}";

// Golden JSON with one member replaced (or removed, when value is empty).
QJsonObject withMember(const QByteArray &golden, const char *key, const QByteArray &value)
{
    QJsonObject json = object(golden);
    if (value.isEmpty())
        json.remove(QLatin1String(key));
    else
        json.insert(QLatin1String(key), jsonValue(value));
    return json;
}

} // namespace

Q_DECLARE_METATYPE(parley::protocol::User)
Q_DECLARE_METATYPE(parley::protocol::Channel)
Q_DECLARE_METATYPE(parley::protocol::Message)

class TestTypes : public QObject
{
    Q_OBJECT

private slots:
    void userToJson();
    void channelToJson();
    void messageToJson();
    void messageWithoutClientMsgIdIsNull();
    void goldenJsonRoundTrips_data();
    void goldenJsonRoundTrips();
    void valuesRoundTrip();
    void acceptsLenientForms();
    void rejectsMalformedUser_data();
    void rejectsMalformedUser();
    void rejectsMalformedChannel_data();
    void rejectsMalformedChannel();
    void rejectsMalformedMessage_data();
    void rejectsMalformedMessage();
    void idFromJson_data();
    void idFromJson();
    void formatsTimestamps_data();
    void formatsTimestamps();
    void parsesTimestamps_data();
    void parsesTimestamps();
    void errorCodeNames_data();
    void errorCodeNames();
    void unknownErrorCodeNames_data();
    void unknownErrorCodeNames();
};

void TestTypes::userToJson()
{
    QCOMPARE(compact(sampleUser().toJson()), UserJson);
}

void TestTypes::channelToJson()
{
    // An unset topic is "" on the wire, never null or absent.
    QCOMPARE(compact(sampleChannel().toJson()), ChannelJson);
    Channel privateChannel = sampleChannel();
    privateChannel.isPrivate = true;
    privateChannel.topic = QStringLiteral("t");
    QCOMPARE(compact(privateChannel.toJson()),
        QByteArray(
            R"({"id":"7","isPrivate":true,"lastSeq":1041,"memberCount":12,"name":"general","topic":"t"})"));
}

void TestTypes::messageToJson()
{
    QCOMPARE(compact(sampleMessage().toJson()), MessageJson);
}

void TestTypes::messageWithoutClientMsgIdIsNull()
{
    Message message = sampleMessage();
    message.clientMsgId.clear();
    const QJsonObject json = message.toJson();
    QVERIFY(json.contains(QLatin1String("clientMsgId")));
    QVERIFY(json.value(QLatin1String("clientMsgId")).isNull());
    QVERIFY(compact(json).contains(R"("clientMsgId":null)"));
}

void TestTypes::goldenJsonRoundTrips_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("kind"); // 0 user, 1 channel, 2 message

    QTest::newRow("user") << UserJson << 0;
    QTest::newRow("channel") << ChannelJson << 1;
    QTest::newRow("message") << MessageJson << 2;
    QTest::newRow("message without clientMsgId")
        << QByteArray(MessageJson).replace(R"("clientMsgId":"c1")", R"("clientMsgId":null)") << 2;
}

void TestTypes::goldenJsonRoundTrips()
{
    QFETCH(QByteArray, json);
    QFETCH(int, kind);

    const QJsonObject parsed = object(json);
    QJsonObject again;
    if (kind == 0) {
        const auto user = User::fromJson(parsed);
        QVERIFY(user);
        again = user->toJson();
    } else if (kind == 1) {
        const auto channel = Channel::fromJson(parsed);
        QVERIFY(channel);
        again = channel->toJson();
    } else {
        const auto message = Message::fromJson(parsed);
        QVERIFY(message);
        again = message->toJson();
    }
    QCOMPARE(compact(again), json);
}

void TestTypes::valuesRoundTrip()
{
    QCOMPARE(User::fromJson(sampleUser().toJson()), std::optional<User>(sampleUser()));
    Channel channel = sampleChannel();
    channel.topic = QStringLiteral("a topic");
    QCOMPARE(Channel::fromJson(channel.toJson()), std::optional<Channel>(channel));
    QCOMPARE(Message::fromJson(sampleMessage().toJson()), std::optional<Message>(sampleMessage()));
    Message anonymous = sampleMessage();
    anonymous.clientMsgId.clear();
    QCOMPARE(Message::fromJson(anonymous.toJson()), std::optional<Message>(anonymous));
}

void TestTypes::acceptsLenientForms()
{
    // A JSON integer stands for an id: 7 means "7".
    const auto user = User::fromJson(object(R"({"id":3,"username":"ada","displayName":"Ada L."})"));
    QVERIFY(user);
    QCOMPARE(user->id, QStringLiteral("3"));

    // An unset topic may arrive as null or be left out.
    for (const QByteArray &topic : {QByteArray("null"), QByteArray()}) {
        const auto channel = Channel::fromJson(withMember(ChannelJson, "topic", topic));
        QVERIFY(channel);
        QCOMPARE(channel->topic, QString());
    }

    // clientMsgId may be absent; a time with an offset is converted to UTC.
    QJsonObject json = withMember(MessageJson, "clientMsgId", {});
    json.insert(QLatin1String("channelId"), 7);
    json.insert(QLatin1String("createdAt"), QStringLiteral("2026-11-26T19:30:00.123+02:00"));
    const auto message = Message::fromJson(json);
    QVERIFY(message);
    QCOMPARE(message->channelId, QStringLiteral("7"));
    QCOMPARE(message->clientMsgId, QString());
    QCOMPARE(formatTimestamp(message->createdAt), QStringLiteral("2026-11-26T17:30:00.123Z"));
}

void TestTypes::rejectsMalformedUser_data()
{
    QTest::addColumn<QJsonObject>("json");

    QTest::newRow("empty object") << QJsonObject();
    QTest::newRow("no id") << withMember(UserJson, "id", {});
    QTest::newRow("empty id") << withMember(UserJson, "id", R"("")");
    QTest::newRow("negative id") << withMember(UserJson, "id", "-3");
    QTest::newRow("fractional id") << withMember(UserJson, "id", "3.5");
    QTest::newRow("boolean id") << withMember(UserJson, "id", "true");
    QTest::newRow("null id") << withMember(UserJson, "id", "null");
    QTest::newRow("no username") << withMember(UserJson, "username", {});
    QTest::newRow("numeric username") << withMember(UserJson, "username", "1");
    QTest::newRow("no displayName") << withMember(UserJson, "displayName", {});
    QTest::newRow("null displayName") << withMember(UserJson, "displayName", "null");
}

void TestTypes::rejectsMalformedUser()
{
    QFETCH(QJsonObject, json);
    QCOMPARE(User::fromJson(json), std::nullopt);
}

void TestTypes::rejectsMalformedChannel_data()
{
    QTest::addColumn<QJsonObject>("json");

    QTest::newRow("empty object") << QJsonObject();
    QTest::newRow("no id") << withMember(ChannelJson, "id", {});
    QTest::newRow("object id") << withMember(ChannelJson, "id", "{}");
    QTest::newRow("no name") << withMember(ChannelJson, "name", {});
    QTest::newRow("numeric topic") << withMember(ChannelJson, "topic", "5");
    QTest::newRow("no isPrivate") << withMember(ChannelJson, "isPrivate", {});
    QTest::newRow("string isPrivate") << withMember(ChannelJson, "isPrivate", R"("false")");
    QTest::newRow("no memberCount") << withMember(ChannelJson, "memberCount", {});
    QTest::newRow("negative memberCount") << withMember(ChannelJson, "memberCount", "-1");
    QTest::newRow("fractional memberCount") << withMember(ChannelJson, "memberCount", "1.5");
    QTest::newRow("no lastSeq") << withMember(ChannelJson, "lastSeq", {});
    QTest::newRow("string lastSeq") << withMember(ChannelJson, "lastSeq", R"("5")");
}

void TestTypes::rejectsMalformedChannel()
{
    QFETCH(QJsonObject, json);
    QCOMPARE(Channel::fromJson(json), std::nullopt);
}

void TestTypes::rejectsMalformedMessage_data()
{
    QTest::addColumn<QJsonObject>("json");

    QTest::newRow("empty object") << QJsonObject();
    QTest::newRow("no id") << withMember(MessageJson, "id", {});
    QTest::newRow("no channelId") << withMember(MessageJson, "channelId", {});
    QTest::newRow("empty channelId") << withMember(MessageJson, "channelId", R"("")");
    QTest::newRow("no seq") << withMember(MessageJson, "seq", {});
    QTest::newRow("string seq") << withMember(MessageJson, "seq", R"("5")");
    QTest::newRow("negative seq") << withMember(MessageJson, "seq", "-5");
    QTest::newRow("fractional seq") << withMember(MessageJson, "seq", "5.5");
    QTest::newRow("no userId") << withMember(MessageJson, "userId", {});
    QTest::newRow("no author") << withMember(MessageJson, "author", {});
    QTest::newRow("author not an object") << withMember(MessageJson, "author", R"("ada")");
    QTest::newRow("author malformed") << withMember(MessageJson, "author", R"({"id":"3"})");
    QTest::newRow("no content") << withMember(MessageJson, "content", {});
    QTest::newRow("null content") << withMember(MessageJson, "content", "null");
    QTest::newRow("no createdAt") << withMember(MessageJson, "createdAt", {});
    QTest::newRow("numeric createdAt") << withMember(MessageJson, "createdAt", "1764178200123");
    QTest::newRow("createdAt garbage") << withMember(MessageJson, "createdAt", R"("yesterday")");
    QTest::newRow("createdAt without zone")
        << withMember(MessageJson, "createdAt", R"("2026-11-26T17:30:00.123")");
    QTest::newRow("numeric clientMsgId") << withMember(MessageJson, "clientMsgId", "1");
}

void TestTypes::rejectsMalformedMessage()
{
    QFETCH(QJsonObject, json);
    QCOMPARE(Message::fromJson(json), std::nullopt);
}

void TestTypes::idFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("id"); // null: rejected

    QTest::newRow("string") << QByteArray(R"("7")") << QStringLiteral("7");
    QTest::newRow("opaque string") << QByteArray(R"("u-9f")") << QStringLiteral("u-9f");
    QTest::newRow("integer") << QByteArray("7") << QStringLiteral("7");
    QTest::newRow("zero") << QByteArray("0") << QStringLiteral("0");
    QTest::newRow("integer written as float") << QByteArray("7.0") << QStringLiteral("7");
    QTest::newRow("large integer") << QByteArray("9007199254740991") << QStringLiteral("9007199254740991");
    QTest::newRow("empty string") << QByteArray(R"("")") << QString();
    QTest::newRow("negative") << QByteArray("-7") << QString();
    QTest::newRow("fraction") << QByteArray("7.5") << QString();
    QTest::newRow("too large") << QByteArray("1e300") << QString();
    QTest::newRow("null") << QByteArray("null") << QString();
    QTest::newRow("bool") << QByteArray("true") << QString();
    QTest::newRow("array") << QByteArray(R"(["7"])") << QString();
    QTest::newRow("object") << QByteArray(R"({"id":"7"})") << QString();
    QTest::newRow("undefined") << QByteArray() << QString();
}

void TestTypes::idFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, id);

    const auto parsed = parley::protocol::idFromJson(jsonValue(json));
    if (id.isNull())
        QCOMPARE(parsed, std::nullopt);
    else
        QCOMPARE(parsed, std::optional<QString>(id));
}

void TestTypes::formatsTimestamps_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QString>("text");

    QTest::newRow("utc") << SampleTime << QStringLiteral("2026-11-26T17:30:00.123Z");
    QTest::newRow("whole second keeps milliseconds") << QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC)
                                                     << QStringLiteral("2026-01-02T03:04:05.000Z");
    QTest::newRow("offset converted to utc")
        << QDateTime(QDate(2026, 11, 26), QTime(19, 30, 0, 7), QTimeZone(2 * 3600))
        << QStringLiteral("2026-11-26T17:30:00.007Z");
    QTest::newRow("end of year") << QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59, 999), Qt::UTC)
                                 << QStringLiteral("2026-12-31T23:59:59.999Z");
    QTest::newRow("early year padded") << QDateTime(QDate(42, 3, 4), QTime(5, 6, 7, 89), Qt::UTC)
                                       << QStringLiteral("0042-03-04T05:06:07.089Z");
    const QDateTime farFuture(QDate(10000, 1, 1), QTime(0, 0), Qt::UTC); // beyond four digits: Qt's form
    QTest::newRow("year 10000") << farFuture << farFuture.toString(Qt::ISODateWithMs);
    QTest::newRow("invalid") << QDateTime() << QString();
}

void TestTypes::formatsTimestamps()
{
    QFETCH(QDateTime, time);
    QFETCH(QString, text);
    QCOMPARE(formatTimestamp(time), text);
    if (time.isValid()) // the contract's form is Qt's ISO 8601 with milliseconds
        QCOMPARE(formatTimestamp(time), time.toUTC().toString(Qt::ISODateWithMs));
}

void TestTypes::parsesTimestamps_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("time"); // invalid: rejected

    QTest::newRow("contract form") << QStringLiteral("2026-11-26T17:30:00.123Z") << SampleTime;
    QTest::newRow("offset") << QStringLiteral("2026-11-26T18:30:00.123+01:00") << SampleTime;
    QTest::newRow("no milliseconds") << QStringLiteral("2026-11-26T17:30:00Z")
                                     << QDateTime(QDate(2026, 11, 26), QTime(17, 30), Qt::UTC);
    QTest::newRow("empty") << QString() << QDateTime();
    QTest::newRow("garbage") << QStringLiteral("not a time") << QDateTime();
    QTest::newRow("no zone") << QStringLiteral("2026-11-26T17:30:00.123") << QDateTime();
    QTest::newRow("month 13") << QStringLiteral("2026-13-26T17:30:00.123Z") << QDateTime();
    QTest::newRow("date only") << QStringLiteral("2026-11-26") << QDateTime();
}

void TestTypes::parsesTimestamps()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, time);

    const QDateTime parsed = parseTimestamp(text);
    QCOMPARE(parsed.isValid(), time.isValid());
    if (time.isValid()) {
        QCOMPARE(parsed, time);
        QCOMPARE(parsed.timeSpec(), Qt::UTC);
    }
}

void TestTypes::errorCodeNames_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("name");

    QTest::newRow("invalid payload") << ErrorCode::InvalidPayload << QStringLiteral("INVALID_PAYLOAD");
    QTest::newRow("not found") << ErrorCode::NotFound << QStringLiteral("NOT_FOUND");
    QTest::newRow("forbidden") << ErrorCode::Forbidden << QStringLiteral("FORBIDDEN");
    QTest::newRow("conflict") << ErrorCode::Conflict << QStringLiteral("CONFLICT");
    QTest::newRow("rate limited") << ErrorCode::RateLimited << QStringLiteral("RATE_LIMITED");
    QTest::newRow("internal") << ErrorCode::Internal << QStringLiteral("INTERNAL");
    QTest::newRow("auth missing") << ErrorCode::AuthMissing << QStringLiteral("AUTH_MISSING");
    QTest::newRow("auth expired") << ErrorCode::AuthExpired << QStringLiteral("AUTH_EXPIRED");
    QTest::newRow("auth invalid") << ErrorCode::AuthInvalid << QStringLiteral("AUTH_INVALID");
    QTest::newRow("invalid credentials")
        << ErrorCode::InvalidCredentials << QStringLiteral("INVALID_CREDENTIALS");
    QTest::newRow("username taken") << ErrorCode::UsernameTaken << QStringLiteral("USERNAME_TAKEN");
    QTest::newRow("registration closed")
        << ErrorCode::RegistrationClosed << QStringLiteral("REGISTRATION_CLOSED");
    QTest::newRow("server shutdown") << ErrorCode::ServerShutdown << QStringLiteral("SERVER_SHUTDOWN");
    QTest::newRow("slow consumer") << ErrorCode::SlowConsumer << QStringLiteral("SLOW_CONSUMER");
    QTest::newRow("protocol error") << ErrorCode::ProtocolError << QStringLiteral("PROTOCOL_ERROR");
    QTest::newRow("idle timeout") << ErrorCode::IdleTimeout << QStringLiteral("IDLE_TIMEOUT");
    QTest::newRow("limit reached") << ErrorCode::LimitReached << QStringLiteral("LIMIT_REACHED");
}

void TestTypes::errorCodeNames()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, name);

    QCOMPARE(errorCodeName(code), name);
    QCOMPARE(errorCodeFromName(name), std::optional<ErrorCode>(code));
}

void TestTypes::unknownErrorCodeNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("lower case") << QStringLiteral("invalid_payload");
    QTest::newRow("trailing space") << QStringLiteral("NOT_FOUND ");
    QTest::newRow("unknown") << QStringLiteral("TEAPOT");
}

void TestTypes::unknownErrorCodeNames()
{
    QFETCH(QString, name);
    QCOMPARE(errorCodeFromName(name), std::nullopt);
}

QTEST_APPLESS_MAIN(TestTypes)
#include "tst_types.moc"
