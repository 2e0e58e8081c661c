#include "abusesupport.h"

#include "eventwait.h"
#include "protocol/catalogue.h"
#include "transport/socketioconnection.h"
#include "transport/websocketchannel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <sys/resource.h>
#include <utility>

namespace parley::abuse {

using reliability::waitUntil;
using transport::SocketIoConnection;

namespace {

constexpr std::chrono::seconds AckTimeout {30}; // a busy sanitized server, never a lost ack
constexpr qsizetype KeptFailures = 5;

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact));
}

} // namespace

QHostAddress attackerAddress(int k)
{
    return QHostAddress(quint32((127u << 24) | quint32(2 + k)));
}

qint64 raiseOwnDescriptorLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<qint64>::max() : qint64(limit.rlim_cur);
}

LegitChat::LegitChat(QUrl url, QString channelId, std::array<QString, 2> tokens, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_channelId(std::move(channelId))
    , m_turns(new QTimer(this))
{
    m_members[0].token = std::move(tokens[0]);
    m_members[1].token = std::move(tokens[1]);
    connect(m_turns, &QTimer::timeout, this, &LegitChat::onTurn);
}

LegitChat::~LegitChat()
{
    leave();
}

bool LegitChat::connectBoth(std::chrono::milliseconds timeout)
{
    for (Member &member : m_members) {
        member.connection = new SocketIoConnection(
            SocketIoConnection::Role::Client, transport::WebSocketChannel::connectTo(m_url), {}, this);
        Member *self = &member;
        connect(member.connection, &SocketIoConnection::eventReceived, this,
            [self](const transport::IncomingEvent &event) {
                if (event.nsp != protocol::ns::Main)
                    return;
                const QJsonObject payload =
                    event.args.isEmpty() ? QJsonObject() : event.args.first().toObject();
                if (event.name == protocol::event::MessageNew)
                    self->seenIds.insert(payload.value(QLatin1String("id")).toString());
                else if (event.name == protocol::event::ConnectionReady)
                    self->ready = true;
                else if (event.name == protocol::event::ConnectionClosing &&
                    self->failures.size() < KeptFailures)
                    self->failures.append(QStringLiteral("connection:closing ") + compact(payload));
            });
        connect(member.connection, &SocketIoConnection::closed, this, [this, self](const QString &reason) {
            if (m_leaving)
                return;
            ++self->disconnects;
            self->ready = false;
            if (self->failures.size() < KeptFailures)
                self->failures.append(QStringLiteral("disconnected: ") + reason);
        });
        member.connection->connectNamespace(
            QString(protocol::ns::Main), QJsonObject {{QStringLiteral("token"), member.token}});
    }
    return waitUntil([this] { return m_members[0].ready && m_members[1].ready; }, timeout);
}

void LegitChat::startChatting(std::chrono::milliseconds interval)
{
    m_turns->start(interval);
}

void LegitChat::onTurn()
{
    const int member = m_turn++ % 2;
    send(member, QStringLiteral("legitimate message %1 from member %2").arg(++m_sent).arg(member));
}

void LegitChat::send(int member, const QString &content, const QString &channelId)
{
    Member &sender = m_members[member];
    if (!sender.connection)
        return;
    ++sender.inFlight;
    Member *self = &sender;
    sender.connection->emitWithAck(
        QString(protocol::ns::Main), protocol::event::MessageSend,
        QJsonArray {QJsonObject {{QStringLiteral("channelId"), channelId.isEmpty() ? m_channelId : channelId},
            {QStringLiteral("content"), content}}},
        [self](const transport::AckReply &reply) {
            --self->inFlight;
            const QJsonObject ack = reply.args.isEmpty() ? QJsonObject() : reply.args.first().toObject();
            if (!reply.timedOut && ack.value(QLatin1String("success")).toBool()) {
                self->ackedIds.append(ack.value(QLatin1String("messageId")).toString());
                return;
            }
            ++self->failed;
            if (self->failures.size() < KeptFailures)
                self->failures.append(reply.timedOut
                        ? QStringLiteral("send without ack (%1)").arg(int(reply.failure))
                        : QStringLiteral("send refused: ") + compact(ack));
        },
        AckTimeout);
}

std::optional<QJsonObject> LegitChat::request(
    int member, const QString &event, const QJsonObject &payload, std::chrono::milliseconds timeout)
{
    std::optional<QJsonObject> answer;
    bool done = false;
    m_members[member].connection->emitWithAck(
        QString(protocol::ns::Main), event, QJsonArray {payload},
        [&](const transport::AckReply &reply) {
            done = true;
            if (!reply.timedOut && !reply.args.isEmpty())
                answer = reply.args.first().toObject();
        },
        timeout);
    waitUntil([&] { return done; }, timeout + std::chrono::seconds(1));
    return answer;
}

bool LegitChat::settle(std::chrono::milliseconds timeout)
{
    m_turns->stop();
    return waitUntil(
        [this] {
            for (const Member &member : m_members) {
                if (member.inFlight > 0)
                    return false;
            }
            return lost() == 0;
        },
        timeout);
}

void LegitChat::leave()
{
    m_turns->stop();
    m_leaving = true;
    for (Member &member : m_members) {
        if (member.connection) {
            member.connection->close(QStringLiteral("the test is over"));
            member.connection->deleteLater();
            member.connection = nullptr;
        }
    }
}

qsizetype LegitChat::acked() const
{
    return m_members[0].ackedIds.size() + m_members[1].ackedIds.size();
}

qsizetype LegitChat::lost() const
{
    qsizetype lost = 0;
    for (const Member &sender : m_members) {
        for (const QString &id : sender.ackedIds) {
            for (const Member &receiver : m_members)
                lost += receiver.seenIds.contains(id) ? 0 : 1;
        }
    }
    return lost;
}

qsizetype LegitChat::failedSends() const
{
    return m_members[0].failed + m_members[1].failed;
}

int LegitChat::disconnects() const
{
    return m_members[0].disconnects + m_members[1].disconnects;
}

QString LegitChat::summary() const
{
    QString text = QStringLiteral("legitimate chat: %1 acked, %2 lost, %3 failed sends, %4 disconnects")
                       .arg(acked())
                       .arg(lost())
                       .arg(failedSends())
                       .arg(disconnects());
    for (int i = 0; i < 2; ++i) {
        if (!m_members[i].failures.isEmpty())
            text += QStringLiteral("; member %1: %2")
                        .arg(i)
                        .arg(m_members[i].failures.join(QStringLiteral(", ")));
    }
    return text;
}

QString freshClientReaches(const QUrl &url, const QString &token, std::chrono::milliseconds timeout)
{
    SocketIoConnection connection(
        SocketIoConnection::Role::Client, transport::WebSocketChannel::connectTo(url));
    bool ready = false;
    QString ended;
    QObject::connect(&connection, &SocketIoConnection::eventReceived, &connection,
        [&](const transport::IncomingEvent &event) {
            ready = ready || event.name == protocol::event::ConnectionReady;
        });
    QObject::connect(&connection, &SocketIoConnection::namespaceRefused, &connection,
        [&](const QString &, const QJsonValue &error) {
            ended = QStringLiteral("refused: ") + compact(error);
        });
    QObject::connect(&connection, &SocketIoConnection::closed, &connection,
        [&](const QString &reason) { ended = reason; });
    connection.connectNamespace(QString(protocol::ns::Main), QJsonObject {{QStringLiteral("token"), token}});
    waitUntil([&] { return ready || !ended.isEmpty(); }, timeout);
    connection.close(QStringLiteral("health check done"));
    if (ready)
        return {};
    return ended.isEmpty() ? QStringLiteral("no connection:ready in time") : ended;
}

Flooder::Flooder(QHostAddress source, QByteArray chunk, qint64 target, bool reconnect, QObject *parent)
    : QObject(parent)
    , m_client(std::move(source))
    , m_chunk(std::move(chunk))
    , m_target(target)
    , m_reconnect(reconnect)
{
    m_client.setReading(false);
    m_client.setAnswerPings(false);
    m_client.setReceiveBuffer(4096);
    connect(&m_client.socket(), &QTcpSocket::bytesWritten, this, [this] {
        m_lastProgress.start();
        feed();
    });
    connect(&m_client.socket(), &QTcpSocket::connected, this, &Flooder::feed);
    connect(&m_client, &churn::RawClient::ended, this, [this] {
        ++m_cuts;
        m_queued = sent(); // what Qt still held is gone with the socket
        if (m_reconnect && !reachedTarget())
            QTimer::singleShot(0, this, [this] { start(m_port); });
    });
}

void Flooder::start(quint16 port)
{
    m_port = port;
    m_lastProgress.start();
    m_client.connectToServer(port);
}

void Flooder::feed()
{
    // A few chunks ahead of the kernel, never the whole target in Qt's buffer.
    while (!isCut() && m_queued < m_target && m_client.bytesQueued() < 4 * m_chunk.size()) {
        m_client.sendRaw(m_chunk);
        m_queued += m_chunk.size();
    }
}

bool Flooder::isThrottled(std::chrono::milliseconds quiet) const
{
    return !isCut() && m_client.bytesQueued() > 0 && m_lastProgress.elapsed() > quiet.count();
}

RssWatch::RssWatch(qint64 pid, QObject *parent)
    : QObject(parent)
    , m_pid(pid)
{
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this,
        [this] { m_peakKiB = std::max(m_peakKiB, churn::residentKiB(m_pid)); });
    timer->start(std::chrono::milliseconds(20));
    m_peakKiB = churn::residentKiB(m_pid);
}

} // namespace parley::abuse
