#include "accountrules.h"

#include <algorithm>

namespace parley::server::rules {

std::optional<QString> canonicalUsername(const QString &given)
{
    if (given.size() < MinUsernameLength || given.size() > MaxUsernameLength)
        return std::nullopt;
    QString name;
    name.reserve(given.size());
    for (const QChar character : given) {
        const auto kept = usernameCharacter(character);
        if (!kept)
            return std::nullopt;
        name.append(*kept);
    }
    return name;
}

std::optional<QChar> usernameCharacter(QChar given)
{
    char16_t unit = given.unicode();
    if (unit >= u'A' && unit <= u'Z')
        unit = static_cast<char16_t>(unit - u'A' + u'a');
    const bool allowed = (unit >= u'a' && unit <= u'z') || (unit >= u'0' && unit <= u'9') || unit == u'_' ||
        unit == u'.' || unit == u'-';
    if (!allowed)
        return std::nullopt;
    return QChar(unit);
}

bool isValidPassword(const QByteArray &password)
{
    return password.size() >= MinPasswordBytes && password.size() <= MaxPasswordBytes;
}

namespace {

bool isHidden(QChar c)
{
    switch (c.category()) {
    case QChar::Other_Control:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        break;
    }
    const char16_t unit = c.unicode();
    return unit == 0x061C // Arabic letter mark
        || unit == 0x200E || unit == 0x200F // left-to-right and right-to-left marks
        || (unit >= 0x202A && unit <= 0x202E) // embeddings and overrides
        || (unit >= 0x2066 && unit <= 0x2069); // isolates
}

} // namespace

bool hasHiddenCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), isHidden);
}

QString withoutHiddenCharacters(const QString &text)
{
    QString kept;
    kept.reserve(text.size());
    for (const QChar c : text) {
        if (!isHidden(c))
            kept.append(c);
    }
    return kept;
}

} // namespace parley::server::rules
