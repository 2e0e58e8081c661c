#include "messagetext.h"

#include <QRegularExpression>

namespace parley::ui {

namespace {

QString escapedWithLineBreaks(const QString &plain)
{
    QString html = plain.toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QLatin1String("<br>"));
    return html;
}

} // namespace

QString messageTextToHtml(const QString &plain, const QColor &linkColor)
{
    const QString style = linkColor.isValid()
        ? QStringLiteral(" style=\"color:%1\"").arg(linkColor.name(QColor::HexRgb))
        : QString();
    // Trailing punctuation is usually the sentence's, not the URL's.
    static const QRegularExpression url(QStringLiteral(R"((https?://[^\s<>"]+[^\s<>".,;:!?)\]']))"),
        QRegularExpression::CaseInsensitiveOption);
    QString html;
    qsizetype done = 0;
    auto it = url.globalMatch(plain);
    while (it.hasNext()) {
        const auto match = it.next();
        html += escapedWithLineBreaks(plain.mid(done, match.capturedStart() - done));
        const QString link = match.captured().toHtmlEscaped();
        html += QStringLiteral("<a href=\"%1\"%2>%1</a>").arg(link, style);
        done = match.capturedEnd();
    }
    html += escapedWithLineBreaks(plain.mid(done));
    return html;
}

} // namespace parley::ui
