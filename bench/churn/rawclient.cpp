#include "rawclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <utility>

namespace parley::churn {

namespace {

// Qt's own buffer while reading is off: small, so that the kernel's fills behind it.
constexpr qint64 PausedReadBuffer = 4096;

} // namespace

RawClient::RawClient(QHostAddress source, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &RawClient::onReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, [this](qint64 bytes) { m_bytesSent += bytes; });
    connect(&m_socket, &QTcpSocket::disconnected, this, &RawClient::end);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket.state() != QAbstractSocket::ConnectedState)
            end();
    });
}

QByteArray RawClient::upgradeRequest(quint16 port)
{
    QByteArray key(16, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
    return "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:" +
        QByteArray::number(port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key.toBase64() +
        "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

void RawClient::connectToServer(quint16 port, bool sendUpgrade)
{
    m_stage = Stage::Connecting;
    m_in.clear();
    m_closeSent = false;
    m_closeFrame = false;
    m_authJoined = false;
    if (!m_source.isNull())
        m_socket.bind(m_source);
    if (m_receiveBuffer > 0)
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, m_receiveBuffer);
    m_socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (sendUpgrade)
        m_socket.write(upgradeRequest(port)); // Qt sends it once connected
}

void RawClient::setReading(bool reading)
{
    m_reading = reading;
    m_socket.setReadBufferSize(reading ? 0 : PausedReadBuffer);
    if (reading && m_socket.bytesAvailable() > 0)
        onReadyRead();
}

QByteArray RawClient::frame(quint8 firstByte, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(payload.size() + 14);
    out.append(char(firstByte));
    const qsizetype length = payload.size();
    if (length < 126) {
        out.append(char(0x80 | length));
    } else if (length < 65536) {
        out.append(char(0x80 | 126));
        out.append(char(length >> 8)).append(char(length & 0xff));
    } else {
        out.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(length) >> shift) & 0xff));
    }
    const quint32 key = QRandomGenerator::global()->generate();
    const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
    out.append(mask, 4);
    const qsizetype start = out.size();
    out.append(payload.data(), length);
    char *masked = out.data() + start;
    for (qsizetype i = 0; i < length; ++i)
        masked[i] = char(masked[i] ^ mask[i % 4]);
    return out;
}

void RawClient::sendRaw(const QByteArray &bytes)
{
    if (m_stage != Stage::Closed)
        m_socket.write(bytes);
}

void RawClient::connectMain(const QString &token)
{
    sendText(
        "40" + QJsonDocument(QJsonObject {{QStringLiteral("token"), token}}).toJson(QJsonDocument::Compact));
}

void RawClient::sendCloseFrame()
{
    m_closeSent = true;
    sendRaw(frame(0x88, QByteArrayView("\x03\xe8", 2)));
}

void RawClient::abort()
{
    m_socket.abort();
    end();
}

void RawClient::disconnectGracefully()
{
    sendCloseFrame();
    m_socket.disconnectFromHost();
}

void RawClient::onReadyRead()
{
    if (!m_reading)
        return; // left in the buffers: the server's queue for this client grows
    m_in += m_socket.readAll();
    if (m_stage == Stage::Connecting) {
        const qsizetype headEnd = m_in.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        if (!m_in.startsWith("HTTP/1.1 101")) {
            m_socket.abort();
            end();
            return;
        }
        m_in.remove(0, headEnd + 4);
        m_stage = Stage::Upgraded;
    }
    decodeFrames();
}

void RawClient::decodeFrames()
{
    while (m_in.size() >= 2) {
        const auto *bytes = reinterpret_cast<const uchar *>(m_in.constData());
        const int opcode = bytes[0] & 0x0f;
        quint64 length = bytes[1] & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (m_in.size() < 4)
                return;
            length = (quint64(bytes[2]) << 8) | bytes[3];
            header = 4;
        } else if (length == 127) {
            if (m_in.size() < 10)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | bytes[i];
            header = 10;
        }
        if (quint64(m_in.size() - header) < length)
            return;
        const QByteArray payload = m_in.mid(header, qsizetype(length));
        m_in.remove(0, header + qsizetype(length));
        if (opcode == 0x1)
            onText(payload);
        else if (opcode == 0xA)
            ++m_pongs;
        else if (opcode == 0x8)
            onCloseFrame();
        if (m_stage == Stage::Closed)
            return;
    }
}

void RawClient::onCloseFrame()
{
    // Answered as a client does, so that the server can close at once instead of
    // waiting out its closing handshake.
    m_closeFrame = true;
    if (!m_closeSent)
        sendCloseFrame();
    m_socket.disconnectFromHost();
}

void RawClient::onText(const QByteArray &text)
{
    ++m_texts;
    if (m_keepTexts)
        m_kept.append(text);
    if (text.startsWith('0') && m_stage == Stage::Upgraded) {
        m_stage = Stage::Open;
        Q_EMIT opened();
    } else if (text == "2") {
        if (m_answerPings)
            sendText("3");
    } else if (text.startsWith("42[\"connection:ready\"")) {
        m_ready = true;
        Q_EMIT ready();
    } else if (text.startsWith("43")) {
        // 43<id>[...] on `/`, 43/nsp,<id>[...] elsewhere
        qsizetype begin = 2;
        if (text.size() > 2 && text.at(2) == '/')
            begin = text.indexOf(',') + 1;
        qsizetype end = begin;
        while (begin > 0 && end < text.size() && text.at(end) >= '0' && text.at(end) <= '9')
            ++end;
        bool ok = false;
        const qint64 id = text.mid(begin, end - begin).toLongLong(&ok);
        if (ok && id > m_lastAckId)
            m_lastAckId = id;
    } else if (text.startsWith("44{")) {
        Q_EMIT refused(); // CONNECT_ERROR on `/`, e.g. LIMIT_REACHED: the WebSocket stays open
    } else if (text.startsWith("40/auth,{")) {
        m_authJoined = true;
        Q_EMIT authJoined();
    }
    Q_EMIT textReceived(text);
}

void RawClient::end()
{
    if (m_stage == Stage::Closed)
        return;
    m_stage = Stage::Closed;
    Q_EMIT ended();
}

} // namespace parley::churn
