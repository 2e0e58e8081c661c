#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>

namespace parley::churn {

// A WebSocket client written frame by frame onto a QTcpSocket, for the attacks and the
// churn: unlike the project's client transport it binds a chosen loopback source
// address, can stop reading, can send anything (broken frames included) and does
// nothing on its own except answer the server's Engine.IO ping when asked to.
class RawClient : public QObject
{
    Q_OBJECT
public:
    enum class Stage
    {
        Idle,
        Connecting, // TCP, then the upgrade request sent
        Upgraded, // 101 received
        Open, // Engine.IO open packet received
        Closed, // the TCP connection ended (either side)
    };
    Q_ENUM(Stage)

    // source: the address to bind before connecting; null: the kernel's choice (127.0.0.1).
    explicit RawClient(QHostAddress source = {}, QObject *parent = nullptr);

    // The kernel's receive buffer for the next connection (SO_RCVBUF, before connect):
    // a client that stops reading then fills up after a few KiB instead of megabytes.
    void setReceiveBuffer(int bytes) { m_receiveBuffer = bytes; }
    // Binds, connects to 127.0.0.1:port and sends the upgrade request (unless
    // sendUpgrade is false: the caller writes whatever request it likes).
    void connectToServer(quint16 port, bool sendUpgrade = true);
    static QByteArray upgradeRequest(quint16 port);

    // Reading: off, Qt's buffer stops at a few KiB and the kernel's fills behind it.
    void setReading(bool reading);
    void setAnswerPings(bool answer) { m_answerPings = answer; }

    // A masked client frame: the first byte (FIN, RSV bits, opcode) as given.
    static QByteArray frame(quint8 firstByte, QByteArrayView payload);
    static QByteArray textFrame(QByteArrayView utf8) { return frame(0x81, utf8); }
    void sendRaw(const QByteArray &bytes);
    void sendText(QByteArrayView utf8) { sendRaw(textFrame(utf8)); }
    void connectMain(const QString &token); // 40{"token":...}
    void sendCloseFrame(); // code 1000
    void abort();
    // The last hint of a graceful end: a close frame, then FIN.
    void disconnectGracefully();

    Stage stage() const { return m_stage; }
    bool isReady() const { return m_ready; } // connection:ready arrived
    QTcpSocket &socket() { return m_socket; }
    qint64 bytesQueued() const { return m_socket.bytesToWrite(); }
    qint64 bytesSent() const { return m_bytesSent; } // taken by the kernel
    qint64 pongsReceived() const { return m_pongs; }
    qint64 textsReceived() const { return m_texts; }
    qint64 lastAckId() const { return m_lastAckId; } // the highest ack id answered, any namespace
    bool hasJoinedAuth() const { return m_authJoined; }
    bool sawCloseFrame() const { return m_closeFrame; }
    QList<QByteArray> keptTexts() const { return m_kept; }
    void setKeepTexts(bool keep) { m_keepTexts = keep; }

Q_SIGNALS:
    void opened(); // the Engine.IO open packet arrived
    void ready(); // connection:ready arrived
    void authJoined(); // the CONNECT to /auth was accepted
    void refused(); // a CONNECT_ERROR for `/` arrived
    void textReceived(const QByteArray &text);
    void ended(); // the TCP connection is gone

private:
    void onReadyRead();
    void decodeFrames();
    void onText(const QByteArray &text);
    void onCloseFrame();
    void end();

    QTcpSocket m_socket;
    QHostAddress m_source;
    QByteArray m_in;
    Stage m_stage = Stage::Idle;
    int m_receiveBuffer = 0;
    bool m_reading = true;
    bool m_answerPings = true;
    bool m_ready = false;
    bool m_closeFrame = false;
    bool m_closeSent = false;
    bool m_authJoined = false;
    bool m_keepTexts = false;
    qint64 m_bytesSent = 0;
    qint64 m_pongs = 0;
    qint64 m_texts = 0;
    qint64 m_lastAckId = -1;
    QList<QByteArray> m_kept;
};

} // namespace parley::churn
