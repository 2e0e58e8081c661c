#pragma once

#include <QString>

namespace parley::ui {

// A message's content is plain text from another person: it is shown as rich text
// only after every character of markup is escaped, and only http(s) URLs become
// links (made here, never taken from the text).
QString messageTextToHtml(const QString &plain);

} // namespace parley::ui
