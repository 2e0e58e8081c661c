#include "channelhandler.h"

#include "auth/ratelimiter.h"
#include "broadcaster.h"
#include "channelpayloads.h"
#include "eventrequest.h"
#include "eventroutes.h"
#include "protocol/catalogue.h"
#include "serverlogging.h"
#include "serversession.h" // EventRequest::session() needs the complete type
#include "store/chatstore.h"

#include <QJsonArray>

namespace parley::server {

using protocol::ErrorCode;
using namespace payload;
using Kind = store::StoreError::Kind;

namespace {

const QLatin1String ChannelIdKey("channelId");
const QLatin1String ChannelKey("channel");

// What channel:error carries besides code and message: the request's channelId
// as far as the client gave a readable one.
QJsonObject errorContextOf(const std::optional<QJsonObject> &payload)
{
    QJsonObject context;
    if (payload) {
        if (const auto channelId = protocol::idFromJson(payload->value(ChannelIdKey)))
            context.insert(ChannelIdKey, *channelId);
    }
    return context;
}

} // namespace

ChannelHandler::ChannelHandler(ServerContext &context)
    : m_context(context)
    , m_access(context)
{ }

void ChannelHandler::registerRoutes(EventRoutes &routes)
{
    const auto add = [&](QLatin1String event, void (ChannelHandler::*handle)(const EventRequest &)) {
        routes.add(protocol::ns::Main, event,
            [this, handle](const EventRequest &request) { (this->*handle)(request); });
    };
    add(protocol::event::ChannelList, &ChannelHandler::list);
    add(protocol::event::ChannelCreate, &ChannelHandler::create);
    add(protocol::event::ChannelJoin, &ChannelHandler::join);
    add(protocol::event::ChannelLeave, &ChannelHandler::leave);
    add(protocol::event::ChannelInvite, &ChannelHandler::invite);
    add(protocol::event::ChannelMembers, &ChannelHandler::members);
}

void ChannelHandler::list(const EventRequest &request)
{
    // socket.io-client sends no argument at all for emit("channel:list", ack).
    const QJsonArray &arguments = request.arguments();
    if (!arguments.isEmpty() && !arguments.first().isObject() && !arguments.first().isNull()) {
        request.fail(ErrorCode::InvalidPayload,
            QStringLiteral("channel:list takes an object {afterName?, limit?}, or nothing"));
        return;
    }
    const auto parsed = parseList(arguments.isEmpty() ? QJsonObject() : arguments.first().toObject());
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message);
        return;
    }
    if (request.failIfRateLimited())
        return;
    // Paged, so that no answer grows with the server's channel count past what one
    // connection's send queue may hold.
    const auto page =
        m_context.store.channels().channelsVisibleTo(request.userId(), parsed->afterName, parsed->limit);
    if (!page) {
        request.failInternal(page.error().message, {});
        return;
    }
    QJsonArray list;
    for (const protocol::Channel &channel : page->channels)
        list.append(channel.toJson());
    request.succeed({{QStringLiteral("channels"), list}, {QStringLiteral("hasMore"), page->hasMore}});
}

// The per-user caps of channels (docs/protocol.md section 7): creations per hour answer
// RATE_LIMITED, a membership past --max-channels-per-user LIMIT_REACHED. True when the
// request was answered. `userId` is whoever would gain the membership (an invitee too).
bool ChannelHandler::failIfAtChannelLimit(
    const EventRequest &request, const QString &userId, const QJsonObject &errorContext) const
{
    const auto count = m_context.store.channels().membershipCount(userId);
    if (!count) {
        request.failInternal(count.error().message, errorContext);
        return true;
    }
    if (*count < m_context.config.limits.maxChannelsPerUser)
        return false;
    const bool self = userId == request.userId();
    request.fail(ErrorCode::LimitReached,
        self ? QStringLiteral("You are in %1 channels, the most this server allows: leave one first")
                   .arg(m_context.config.limits.maxChannelsPerUser)
             : QStringLiteral("That user is in as many channels as this server allows"),
        errorContext);
    return true;
}

void ChannelHandler::create(const EventRequest &request)
{
    const auto payload = request.objectPayload(QStringLiteral("{name, topic?, isPrivate?}"), {});
    if (!payload)
        return;
    const auto parsed = parseCreate(*payload);
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message);
        return;
    }
    store::ChannelRepository &channels = m_context.store.channels();
    const auto taken = channels.nameTaken(parsed->name);
    if (!taken) {
        request.failInternal(taken.error().message, {});
        return;
    }
    if (*taken) {
        request.fail(ErrorCode::Conflict,
            QStringLiteral("A channel named \"%1\" exists already: pick another name").arg(parsed->name));
        return;
    }
    if (request.failIfRateLimited())
        return;
    if (const auto creations = m_context.channelCreateLimiter.tryAcquire(request.userId());
        !creations.allowed) {
        request.failRateLimited(creations.retryAfterMs);
        return;
    }
    if (failIfAtChannelLimit(request, request.userId(), {}))
        return;
    const auto created =
        channels.createChannel({parsed->name, parsed->topic, parsed->isPrivate, request.userId()});
    if (!created) {
        failStore(request, created.error(), ChannelAccess::notFoundMessage(), {});
        return;
    }
    m_context.rooms.moveUserIn(request.userId(), created->id);
    request.succeed({{ChannelKey, created->toJson()}});
    m_context.broadcaster.toUser(request.userId(), protocol::event::ChannelJoined, created->toJson());
}

void ChannelHandler::join(const EventRequest &request)
{
    const auto payload = request.payload();
    const QJsonObject errorContext = errorContextOf(payload);
    if (!request.objectPayload(QStringLiteral("{channelId}"), errorContext))
        return;
    const auto channelId = channelIdOf(*payload);
    if (!channelId) {
        request.fail(ErrorCode::InvalidPayload, channelId.error().message, errorContext);
        return;
    }
    // A private channel is reached by invitation only: findVisible() answers
    // NOT_FOUND unless the user is in it already (a re-join).
    const auto visible = m_access.findVisible(request, *channelId, errorContext);
    if (!visible)
        return;
    if (request.failIfRateLimited(errorContext))
        return;
    if (!visible->member && failIfAtChannelLimit(request, request.userId(), errorContext))
        return;
    const auto me = m_context.store.users().userById(request.userId());
    if (!me) {
        request.failInternal(me.error().message, errorContext);
        return;
    }
    const auto admitted = admit(request, *channelId, me->user, errorContext);
    if (!admitted)
        return;
    request.succeed({{ChannelKey, admitted->channel.toJson()}});
}

void ChannelHandler::leave(const EventRequest &request)
{
    const auto payload = request.payload();
    const QJsonObject errorContext = errorContextOf(payload);
    if (!request.objectPayload(QStringLiteral("{channelId}"), errorContext))
        return;
    const auto channelId = channelIdOf(*payload);
    if (!channelId) {
        request.fail(ErrorCode::InvalidPayload, channelId.error().message, errorContext);
        return;
    }
    store::ChannelRepository &channels = m_context.store.channels();
    const auto member = channels.isMember(*channelId, request.userId());
    if (!member && member.error().kind != Kind::NotFound) {
        request.failInternal(member.error().message, errorContext);
        return;
    }
    if (!member || !*member) {
        request.fail(ErrorCode::NotFound, QStringLiteral("You are not in that channel"), errorContext);
        return;
    }
    if (request.failIfRateLimited(errorContext))
        return;
    const auto removed = channels.removeMember(*channelId, request.userId());
    if (!removed) {
        failStore(request, removed.error(), QStringLiteral("You are not in that channel"), errorContext);
        return;
    }
    // Out of the room first: member_left is for those who stay.
    m_context.rooms.moveUserOut(request.userId(), *channelId);
    request.succeed();
    m_context.broadcaster.toUser(
        request.userId(), protocol::event::ChannelLeft, QJsonObject {{ChannelIdKey, *channelId}});
    m_context.broadcaster.toChannel(*channelId, protocol::event::ChannelMemberLeft,
        QJsonObject {{ChannelIdKey, *channelId}, {QStringLiteral("userId"), request.userId()}});
}

void ChannelHandler::invite(const EventRequest &request)
{
    const auto payload = request.payload();
    const QJsonObject errorContext = errorContextOf(payload);
    if (!request.objectPayload(QStringLiteral("{channelId, username}"), errorContext))
        return;
    const auto parsed = parseInvite(*payload);
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message, errorContext);
        return;
    }
    const auto visible = m_access.findVisible(request, parsed->channelId, errorContext);
    if (!visible)
        return;
    if (!visible->member) {
        request.fail(ErrorCode::Forbidden,
            QStringLiteral("Only members of #%1 may invite: join it first").arg(visible->channel.name),
            errorContext);
        return;
    }
    const auto invitee = m_context.store.users().userByUsername(parsed->username);
    if (!invitee) {
        failStore(request, invitee.error(),
            QStringLiteral("There is no user named \"%1\"").arg(parsed->username), errorContext);
        return;
    }
    if (request.failIfRateLimited(errorContext))
        return;
    // Invitations count against the invitee's cap: nobody can fill another's list.
    const auto already = m_context.store.channels().isMember(parsed->channelId, invitee->user.id);
    if (!already) {
        request.failInternal(already.error().message, errorContext);
        return;
    }
    if (!*already && failIfAtChannelLimit(request, invitee->user.id, errorContext))
        return;
    if (admit(request, parsed->channelId, invitee->user, errorContext))
        request.succeed();
}

void ChannelHandler::members(const EventRequest &request)
{
    const auto payload = request.payload();
    const QJsonObject errorContext = errorContextOf(payload);
    if (!request.objectPayload(QStringLiteral("{channelId, afterUsername?, limit?}"), errorContext))
        return;
    const auto parsed = parseMembers(*payload);
    if (!parsed) {
        request.fail(ErrorCode::InvalidPayload, parsed.error().message, errorContext);
        return;
    }
    // Anyone may see who is in a public channel; a private one exists for its members only.
    if (!m_access.findVisible(request, parsed->channelId, errorContext))
        return;
    if (request.failIfRateLimited(errorContext))
        return;
    const auto page =
        m_context.store.channels().members(parsed->channelId, parsed->afterUsername, parsed->limit);
    if (!page) {
        failStore(request, page.error(), ChannelAccess::notFoundMessage(), errorContext);
        return;
    }
    QJsonArray members;
    for (const protocol::User &user : page->members)
        members.append(user.toJson());
    request.succeed({{QStringLiteral("members"), members}, {QStringLiteral("hasMore"), page->hasMore}});
}

std::optional<protocol::Channel> ChannelHandler::freshChannel(
    const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const
{
    auto channel = m_context.store.channels().channelById(channelId);
    if (!channel) {
        failStore(request, channel.error(), ChannelAccess::notFoundMessage(), errorContext);
        return std::nullopt;
    }
    return std::move(*channel);
}

std::optional<ChannelHandler::Admission> ChannelHandler::admit(const EventRequest &request,
    const QString &channelId, const protocol::User &user, const QJsonObject &errorContext)
{
    const auto added = m_context.store.channels().addMember(channelId, user.id);
    if (!added) {
        failStore(request, added.error(), ChannelAccess::notFoundMessage(), errorContext);
        return std::nullopt;
    }
    if (*added) {
        // Sent before the newcomer's sessions enter the room: they get channel:joined instead.
        m_context.broadcaster.toChannel(channelId, protocol::event::ChannelMemberJoined,
            QJsonObject {{ChannelIdKey, channelId}, {QStringLiteral("user"), user.toJson()}});
    }
    // Also on a re-join: the rooms follow the stored membership, whatever happened before.
    m_context.rooms.moveUserIn(user.id, channelId);
    auto channel = freshChannel(request, channelId, errorContext);
    if (!channel)
        return std::nullopt;
    if (*added)
        m_context.broadcaster.toUser(user.id, protocol::event::ChannelJoined, channel->toJson());
    return Admission {*added, std::move(*channel)};
}

void ChannelHandler::failStore(const EventRequest &request, const store::StoreError &error,
    const QString &notFound, const QJsonObject &errorContext) const
{
    switch (error.kind) {
    case Kind::NotFound:
        request.fail(ErrorCode::NotFound, notFound, errorContext);
        return;
    case Kind::Conflict:
        request.fail(
            ErrorCode::Conflict, QStringLiteral("A channel with that name exists already"), errorContext);
        return;
    case Kind::InvalidArgument:
    case Kind::NotOpen:
    case Kind::Internal:
        break;
    }
    // The handler checked every argument before the store saw it: anything else is ours.
    request.failInternal(error.message, errorContext);
}

} // namespace parley::server
