#pragma once

#include "capturedframe.h"
#include "protocol/result.h"

#include <QByteArray>
#include <QList>

// JSON Lines, the one exchange format of the protocol capture: one object per record,
// keys in a fixed order, as docs/trace.md describes.
namespace parley::transport::tracefile {

// One line without its newline. The payload is written only when withPayload is set
// (and the record has one).
QByteArray toLine(const CapturedFrame &frame, bool withPayload);

// One line back into a record; an error message when it is not a trace record.
protocol::Result<CapturedFrame, QString> fromLine(QByteArrayView line);

// Every record of a trace file, in file order. Blank lines are skipped; any other
// line that is not a record makes the whole read fail, naming the line.
protocol::Result<QList<CapturedFrame>, QString> readFile(const QString &path);

} // namespace parley::transport::tracefile
