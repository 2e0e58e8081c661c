#pragma once

#include <QColor>
#include <QString>

namespace parley::ui {

// A message's content is plain text from another person: it is shown as rich text
// only after every character of markup is escaped, and only http(s) URLs become
// links (made here, never taken from the text). Links take `linkColor` when it is
// valid: rich text would otherwise draw them in the palette's dark blue, whatever
// the theme.
QString messageTextToHtml(const QString &plain, const QColor &linkColor = {});

} // namespace parley::ui
