#pragma once

#include <QJsonValue>
#include <QString>

// Redaction at capture: what the protocol capture keeps of a payload. Secrets are
// replaced before a record exists, so neither the ring, nor a trace file, nor a
// later inspector can show one.
namespace parley::transport::redaction {

// What stands where a secret was.
inline constexpr QLatin1String Mark("[redacted]");

// A copy of value with the value of every key named token, password, oldPassword,
// newPassword or Authorization (any case, at any depth) replaced by Mark, and every
// JWT-shaped run of characters in any string (values and keys) replaced by Mark.
QJsonValue redact(const QJsonValue &value);

// text with every JWT-shaped run replaced by Mark.
QString redactText(const QString &text);

// Whether text holds a JWT-shaped run: three base64url segments joined by dots,
// either starting with "eyJ" (a JSON header) or each at least 10 characters long.
bool containsJwt(const QString &text);

} // namespace parley::transport::redaction
