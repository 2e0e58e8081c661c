#pragma once

#include "protocol/catalogue.h"
#include "protocol/engineio.h"
#include "protocol/protocolerror.h"
#include "protocol/socketio.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaType>
#include <QTest>

// Shared by the protocol tests: metatypes for _data() columns, and readable
// QCOMPARE output for the codec's value types (found by argument-dependent lookup).
Q_DECLARE_METATYPE(parley::protocol::EnginePacketType)
Q_DECLARE_METATYPE(parley::protocol::SocketPacketType)
Q_DECLARE_METATYPE(parley::protocol::ProtocolErrorKind)
Q_DECLARE_METATYPE(parley::protocol::ErrorCode)
Q_DECLARE_METATYPE(parley::protocol::SocketPacket)
Q_DECLARE_METATYPE(std::optional<qint64>)

namespace parley::protocol {

inline QByteArray jsonText(const QJsonValue &value)
{
    if (value.isUndefined())
        return QByteArrayLiteral("undefined");
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return wrapped.sliced(1, wrapped.size() - 2);
}

inline char *toString(ProtocolErrorKind kind)
{
    return QTest::toString(static_cast<int>(kind));
}

inline char *toString(const SocketPacket &packet)
{
    QByteArray text = "SocketPacket(type " + QByteArray::number(static_cast<int>(packet.type)) + ", nsp " +
        packet.nsp.toUtf8() + ", ackId " +
        (packet.ackId ? QByteArray::number(*packet.ackId) : QByteArrayLiteral("none")) + ", data " +
        jsonText(packet.data) + ", attachments";
    for (const QByteArray &attachment : packet.attachments)
        text += ' ' + attachment.toHex();
    text += ')';
    return qstrdup(text.constData());
}

// Parses JSON text of any kind (scalars too), for writing expected values in tables.
inline QJsonValue jsonValue(const QByteArray &text)
{
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson('[' + text + ']', &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        qFatal("test table holds bad JSON: %s", text.constData());
    return document.array().first();
}

} // namespace parley::protocol
