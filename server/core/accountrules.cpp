#include "accountrules.h"

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

} // namespace parley::server::rules
