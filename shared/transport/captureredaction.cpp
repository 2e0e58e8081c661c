#include "captureredaction.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <array>
#include <optional>

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

bool isBase64Url(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
        (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
        (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') || c == QLatin1Char('_');
}

// A quick test before the regular expression: a JWT has two dots, each after a
// base64url character (the signature may be empty). Most text ("...", "v1.2", a
// word) fails it at once.
bool mayHoldJwt(const QString &text)
{
    int joints = 0;
    for (qsizetype i = 1; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('.') && isBase64Url(text[i - 1]) && ++joints == 2)
            return true;
    }
    return false;
}

// The redacted value, or nullopt when nothing in value needs it: the common case
// costs a walk and no copy.
std::optional<QJsonValue> redacted(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: {
        const QString text = value.toString();
        if (!mayHoldJwt(text))
            return std::nullopt;
        QString copy = redactText(text);
        return copy == text ? std::nullopt : std::optional<QJsonValue>(copy);
    }
    case QJsonValue::Array: {
        QJsonArray array = value.toArray();
        bool changed = false;
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto element = redacted(array.at(i))) {
                array.replace(i, *element);
                changed = true;
            }
        }
        return changed ? std::optional<QJsonValue>(array) : std::nullopt;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QJsonObject copy = object;
        bool changed = false;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = redactText(it.key());
            std::optional<QJsonValue> replacement =
                isSecretKey(it.key()) ? std::optional<QJsonValue>(Mark) : redacted(it.value());
            if (key != it.key()) {
                copy.remove(it.key());
                copy.insert(key, replacement ? *replacement : it.value());
                changed = true;
            } else if (replacement) {
                copy.insert(key, *replacement);
                changed = true;
            }
        }
        return changed ? std::optional<QJsonValue>(copy) : std::nullopt;
    }
    default:
        return std::nullopt;
    }
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
    std::optional<QJsonValue> changed = redacted(value);
    return changed ? *std::move(changed) : value;
}

} // namespace parley::transport::redaction
