#include "tracefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace parley::transport::tracefile {

namespace {

constexpr QLatin1String KindNames[] {
    QLatin1String("frame"), QLatin1String("unanswered"), QLatin1String("closed")};

void appendString(QByteArray &out, const QString &text)
{
    out.append('"');
    for (const char c : text.toUtf8()) {
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (uchar(c) < 0x20)
                out.append("\\u00").append(QByteArray::number(uchar(c), 16).rightJustified(2, '0'));
            else
                out.append(c);
        }
    }
    out.append('"');
}

// JSON text of any value, scalars included.
QByteArray jsonText(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
}

class LineWriter
{
public:
    LineWriter() { m_line.append('{'); }
    void key(const char *name)
    {
        if (m_line.size() > 1)
            m_line.append(',');
        m_line.append('"').append(name).append("\":");
    }
    void add(const char *name, const QString &text)
    {
        key(name);
        appendString(m_line, text);
    }
    void add(const char *name, qint64 number)
    {
        key(name);
        m_line.append(QByteArray::number(number));
    }
    void addRaw(const char *name, const QByteArray &json)
    {
        key(name);
        m_line.append(json);
    }
    QByteArray finish() { return m_line.append('}'); }

private:
    QByteArray m_line;
};

template<typename T>
protocol::Result<T, QString> missing(const char *key)
{
    return QStringLiteral("missing or invalid \"%1\"").arg(QLatin1String(key));
}

} // namespace

QByteArray toLine(const CapturedFrame &frame, bool withPayload)
{
    LineWriter line;
    line.add("timeUs", frame.timeUs);
    line.add("conn", qint64(frame.connection));
    line.add("kind", KindNames[int(frame.kind)]);
    if (frame.kind != CaptureKind::Closed)
        line.add("dir", frame.direction == FrameDirection::In ? QStringLiteral("in") : QStringLiteral("out"));
    if (frame.engineType)
        line.add("eio", engineTypeName(*frame.engineType));
    if (frame.binary)
        line.addRaw("binary", "true");
    if (frame.socketType)
        line.add("sio", socketTypeName(*frame.socketType));
    if (!frame.nsp.isEmpty())
        line.add("nsp", frame.nsp);
    if (!frame.event.isEmpty())
        line.add("event", frame.event);
    if (frame.ackId)
        line.add("ackId", *frame.ackId);
    if (frame.kind == CaptureKind::Frame)
        line.add("bytes", frame.bytes);
    if (frame.rttUs)
        line.add("rttUs", *frame.rttUs);
    if (!frame.note.isEmpty())
        line.add("note", frame.note);
    if (withPayload && !frame.payload.isUndefined())
        line.addRaw("payload", jsonText(frame.payload));
    return line.finish();
}

protocol::Result<CapturedFrame, QString> fromLine(QByteArrayView line)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (!document.isObject())
        return error.error == QJsonParseError::NoError ? QStringLiteral("not a JSON object")
                                                       : error.errorString();
    const QJsonObject object = document.object();
    CapturedFrame frame;

    const QString kind = object.value(QLatin1String("kind")).toString();
    if (kind == KindNames[0])
        frame.kind = CaptureKind::Frame;
    else if (kind == KindNames[1])
        frame.kind = CaptureKind::Unanswered;
    else if (kind == KindNames[2])
        frame.kind = CaptureKind::Closed;
    else
        return missing<CapturedFrame>("kind");

    const QJsonValue time = object.value(QLatin1String("timeUs"));
    const QJsonValue conn = object.value(QLatin1String("conn"));
    if (!time.isDouble())
        return missing<CapturedFrame>("timeUs");
    if (!conn.isDouble() || conn.toInteger(-1) < 0)
        return missing<CapturedFrame>("conn");
    frame.timeUs = time.toInteger();
    frame.connection = quint64(conn.toInteger());

    if (frame.kind != CaptureKind::Closed) {
        const QString dir = object.value(QLatin1String("dir")).toString();
        if (dir != QLatin1String("in") && dir != QLatin1String("out"))
            return missing<CapturedFrame>("dir");
        frame.direction = dir == QLatin1String("in") ? FrameDirection::In : FrameDirection::Out;
    }
    if (object.contains(QLatin1String("eio"))) {
        frame.engineType = engineTypeFromName(object.value(QLatin1String("eio")).toString());
        if (!frame.engineType)
            return missing<CapturedFrame>("eio");
    }
    if (object.contains(QLatin1String("sio"))) {
        frame.socketType = socketTypeFromName(object.value(QLatin1String("sio")).toString());
        if (!frame.socketType)
            return missing<CapturedFrame>("sio");
    }
    frame.binary = object.value(QLatin1String("binary")).toBool();
    frame.nsp = object.value(QLatin1String("nsp")).toString();
    frame.event = object.value(QLatin1String("event")).toString();
    frame.note = object.value(QLatin1String("note")).toString();
    if (object.contains(QLatin1String("ackId")))
        frame.ackId = object.value(QLatin1String("ackId")).toInteger();
    frame.bytes = object.value(QLatin1String("bytes")).toInteger();
    if (object.contains(QLatin1String("rttUs")))
        frame.rttUs = object.value(QLatin1String("rttUs")).toInteger();
    if (object.contains(QLatin1String("payload")))
        frame.payload = object.value(QLatin1String("payload"));
    return frame;
}

protocol::Result<QList<CapturedFrame>, QString> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
    QList<CapturedFrame> frames;
    qint64 lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        auto frame = fromLine(line);
        if (!frame)
            return QStringLiteral("%1:%2: %3").arg(path).arg(lineNumber).arg(frame.error());
        frames.append(std::move(*frame));
    }
    return frames;
}

} // namespace parley::transport::tracefile
