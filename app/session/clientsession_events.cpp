// ClientSession: what arrives on a connected session, token refresh, and the
// channel/message/outbox API the desktop app calls.
#include "authclient.h"
#include "channelsync.h"
#include "clientsession.h"
#include "outboxsender.h"
#include "requester.h"
#include "sessionlogging.h"
#include "tokenstore.h"

#include <QJsonArray>

namespace parley::client {

using protocol::ErrorCode;
namespace event = protocol::event;

void ClientSession::onEvent(const transport::IncomingEvent &incoming)
{
    if (incoming.nsp != mainNamespace())
        return;
    Q_EMIT eventReceived(incoming);
    if (m_options.raw)
        return;
    const QJsonObject payload = incoming.args.isEmpty() ? QJsonObject() : incoming.args.first().toObject();
    if (incoming.name == event::ConnectionReady) {
        onReady(payload);
    } else if (incoming.name == event::MessageNew) {
        if (auto message = protocol::Message::fromJson(payload); message && m_sync)
            m_sync->receive(*message);
    } else if (incoming.name == event::ConnectionClosing) {
        m_closingNotice = sessionErrorFromJson(payload);
        qCInfo(lcClient) << m_options.account
                         << "server closing:" << protocol::errorCodeName(m_closingNotice->code);
        Q_EMIT serverClosing(*m_closingNotice);
        if (m_closingNotice->code == ErrorCode::AuthExpired)
            onTokenExpired();
    } else if (incoming.name == event::AuthExpired) {
        onTokenExpired();
    } else if (incoming.name == event::ChannelJoined) {
        if (auto channel = protocol::Channel::fromJson(payload); channel && m_cache) {
            if (auto done = m_cache->upsertChannel(*channel); !done)
                return reportCacheFailure(done.error().message);
            Q_EMIT channelsChanged();
            m_sync->syncChannel(channel->id);
        }
    } else if (incoming.name == event::ChannelLeft) {
        const auto channelId = protocol::idFromJson(payload.value(QStringLiteral("channelId")));
        if (channelId && m_cache) {
            if (auto done = m_cache->removeChannel(*channelId); !done)
                return reportCacheFailure(done.error().message);
            Q_EMIT channelsChanged();
        }
    }
}

void ClientSession::onTokenExpired()
{
    const auto expiresAt = tokenExpiresAt(m_token);
    if (expiresAt && *expiresAt > QDateTime::currentDateTimeUtc()) {
        // The connection's token ran out, but a refresh already gave us a newer one.
        qCInfo(lcClient) << m_options.account
                         << "connection token expired; reconnecting with the refreshed one";
        connectNow();
        return;
    }
    fail(SessionError {ErrorCode::AuthExpired, describeError(ErrorCode::AuthExpired), false});
}

void ClientSession::onReady(const QJsonObject &payload)
{
    if (m_stage != Stage::JoiningRooms || !m_cache)
        return;
    if (auto user = protocol::User::fromJson(payload.value(QStringLiteral("user")).toObject()))
        m_user = *user;
    QList<protocol::Channel> channels;
    const QJsonArray list = payload.value(QStringLiteral("channels")).toArray();
    for (const QJsonValue &value : list) {
        if (auto channel = protocol::Channel::fromJson(value.toObject()))
            channels.append(*channel);
    }
    if (auto done = m_cache->replaceChannels(channels); !done)
        reportCacheFailure(done.error().message);
    Q_EMIT channelsChanged();
    m_backoff.reset();
    setStage(Stage::Ready);
    const Requester requester(m_connection, protocol::ns::Main);
    // Catch-up first, then the outbox: both go out in one burst either way, and the
    // server numbers our new messages after what we missed.
    m_sync->start(requester);
    m_outbox->start(requester);
    refreshTokenIfDue();
}

void ClientSession::refreshTokenIfDue()
{
    if (m_stage != Stage::Ready || !m_connection)
        return;
    const auto expiresAt = tokenExpiresAt(m_token);
    if (!expiresAt ||
        QDateTime::currentDateTimeUtc().secsTo(*expiresAt) >
            std::chrono::duration_cast<std::chrono::seconds>(m_options.refreshWhenLessThan).count())
        return;
    if (!m_connection->isNamespaceConnected(protocol::ns::Auth)) {
        if (!m_refreshing)
            m_connection->connectNamespace(protocol::ns::Auth);
        m_refreshing = true;
        return;
    }
    const Requester auth(m_connection, protocol::ns::Auth);
    auth.request(this, event::AuthRefresh, QJsonObject {{QStringLiteral("token"), m_token}},
        [this](const AckResult &result) {
            m_refreshing = false;
            if (m_connection && m_connection->isNamespaceConnected(protocol::ns::Auth))
                m_connection->disconnectNamespace(protocol::ns::Auth);
            const auto grant = result.succeeded() ? AuthGrant::fromAck(result.body) : std::nullopt;
            if (!grant) {
                // The current token still works for now; the next Ready tries again.
                qCInfo(lcClient) << m_options.account << "token refresh did not succeed";
                return;
            }
            m_token = grant->token;
            Q_EMIT tokenRefreshed(m_token);
            if (m_tokenStore) {
                m_tokenStore->writeToken(accountKey(m_options.server, m_options.account), m_token,
                    [](const std::optional<TokenStoreError> &error) {
                        if (error)
                            qCWarning(lcClient) << "the refreshed sign-in was not saved:" << error->message;
                    });
            }
        });
}

QList<CachedChannel> ClientSession::channels() const
{
    if (!m_cache)
        return {};
    auto channels = m_cache->channels();
    return channels ? *channels : QList<CachedChannel> {};
}

QList<protocol::Message> ClientSession::cachedMessages(const QString &channelId, int limit) const
{
    if (!m_cache)
        return {};
    const auto channel = m_cache->channel(channelId);
    if (!channel || !*channel || !(*channel)->syncedSeq)
        return {};
    // Only what was already delivered: newer messages still come through messagesArrived.
    const auto messages = m_cache->messagesBefore(channelId, *(*channel)->syncedSeq + 1, limit);
    return messages ? *messages : QList<protocol::Message> {};
}

void ClientSession::loadOlderMessages(const QString &channelId, qint64 beforeSeq, int limit)
{
    if (m_sync)
        m_sync->loadOlder(channelId, beforeSeq, limit);
}

void ClientSession::markRead(const QString &channelId, qint64 seq)
{
    if (!m_cache)
        return;
    if (auto done = m_cache->setLastReadSeq(channelId, seq); !done)
        return reportCacheFailure(done.error().message);
    Q_EMIT channelsChanged();
}

QString ClientSession::sendMessage(const QString &channelId, const QString &content)
{
    if (!m_cache)
        return {};
    const auto entry = m_cache->addToOutbox(channelId, content);
    if (!entry) {
        reportCacheFailure(entry.error().message);
        return {};
    }
    Q_EMIT messageStateChanged(entry->clientMsgId, MessageState::Pending);
    m_outbox->wake();
    return entry->clientMsgId;
}

QList<OutboxEntry> ClientSession::outbox() const
{
    if (!m_cache)
        return {};
    const auto entries = m_cache->outbox();
    return entries ? *entries : QList<OutboxEntry> {};
}

void ClientSession::resend(const QString &clientMsgId)
{
    if (!m_cache)
        return;
    if (auto done = m_cache->setOutboxState(clientMsgId, MessageState::Pending); !done)
        return reportCacheFailure(done.error().message);
    Q_EMIT messageStateChanged(clientMsgId, MessageState::Pending);
    m_outbox->wake();
}

void ClientSession::discard(const QString &clientMsgId)
{
    if (!m_cache)
        return;
    if (auto done = m_cache->removeFromOutbox(clientMsgId); !done)
        reportCacheFailure(done.error().message);
}

void ClientSession::request(const QString &eventName, const QJsonObject &payload, AckHandler done)
{
    const Requester requester =
        m_stage == Stage::Ready ? Requester(m_connection, mainNamespace()) : Requester();
    requester.request(this, eventName, payload, [done = std::move(done)](const AckResult &result) {
        if (done)
            done(result);
    });
}

void ClientSession::createChannel(const QString &name, const QString &topic, bool isPrivate, AckHandler done)
{
    request(event::ChannelCreate,
        QJsonObject {{QStringLiteral("name"), name}, {QStringLiteral("topic"), topic},
            {QStringLiteral("isPrivate"), isPrivate}},
        std::move(done));
}

void ClientSession::joinChannel(const QString &channelId, AckHandler done)
{
    request(event::ChannelJoin, QJsonObject {{QStringLiteral("channelId"), channelId}}, std::move(done));
}

void ClientSession::leaveChannel(const QString &channelId, AckHandler done)
{
    request(event::ChannelLeave, QJsonObject {{QStringLiteral("channelId"), channelId}}, std::move(done));
}

void ClientSession::emitEvent(const QString &eventName, const QJsonArray &args)
{
    if (m_connection && m_connection->isNamespaceConnected(mainNamespace()))
        m_connection->emitEvent(mainNamespace(), eventName, args);
}

} // namespace parley::client
