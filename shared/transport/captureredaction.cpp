#include "captureredaction.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <array>

namespace parley::transport::redaction {

namespace {

constexpr std::array<QLatin1String, 5> SecretKeys {QLatin1String("token"), QLatin1String("password"),
    QLatin1String("oldPassword"), QLatin1String("newPassword"), QLatin1String("Authorization")};

bool isSecretKey(const QString &key)
{
    for (const QLatin1String &secret : SecretKeys) {
        if (key.compare(secret, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

const QRegularExpression &jwtPattern()
{
    // A JWT header is base64url JSON, so it starts with "eyJ"; tokens from other
    // issuers may not, hence the second form with long segments. Short dotted words
    // ("v1.2.3", "example.co.uk") match neither.
    static const QRegularExpression pattern(QStringLiteral(
        R"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"));
    return pattern;
}

// A quick test before the regular expression: a JWT has two dots.
bool mayHoldJwt(const QString &text)
{
    return text.size() >= 5 && text.count(QLatin1Char('.')) >= 2;
}

} // namespace

bool containsJwt(const QString &text)
{
    return mayHoldJwt(text) && jwtPattern().match(text).hasMatch();
}

QString redactText(const QString &text)
{
    if (!mayHoldJwt(text))
        return text;
    QString copy = text;
    copy.replace(jwtPattern(), Mark);
    return copy;
}

QJsonValue redact(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return redactText(value.toString());
    case QJsonValue::Array: {
        QJsonArray array;
        for (const QJsonValue &element : value.toArray())
            array.append(redact(element));
        return array;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QJsonObject copy;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = redactText(it.key());
            copy.insert(key, isSecretKey(it.key()) ? QJsonValue(Mark) : redact(it.value()));
        }
        return copy;
    }
    default:
        return value;
    }
}

} // namespace parley::transport::redaction
