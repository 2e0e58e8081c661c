#include "channelaccess.h"

#include "eventrequest.h"
#include "roomregistry.h"
#include "servercontext.h"
#include "store/chatstore.h"

namespace parley::server {

using protocol::ErrorCode;
using Kind = store::StoreError::Kind;

QString ChannelAccess::notFoundMessage()
{
    return QStringLiteral("That channel does not exist");
}

std::optional<ChannelAccess::Visible> ChannelAccess::findVisible(
    const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const
{
    const store::ChannelRepository &channels = m_context.store.channels();
    const auto channel = channels.channelById(channelId);
    const auto member =
        channel ? channels.isMember(channelId, request.userId()) : store::StoreResult<bool>(channel.error());
    const store::StoreError *error = !channel ? &channel.error() : !member ? &member.error() : nullptr;
    if (error) {
        if (error->kind == Kind::NotFound)
            request.fail(ErrorCode::NotFound, notFoundMessage(), errorContext);
        else
            request.failInternal(error->message, errorContext);
        return std::nullopt;
    }
    if (channel->isPrivate && !*member) {
        request.fail(ErrorCode::NotFound, notFoundMessage(), errorContext);
        return std::nullopt;
    }
    return Visible {*channel, *member};
}

bool ChannelAccess::failUnlessMember(
    const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const
{
    if (m_context.rooms.contains(request.connectionId(), RoomRegistry::channelRoom(channelId)))
        return false;
    const store::ChannelRepository &channels = m_context.store.channels();
    const auto member = channels.isMember(channelId, request.userId());
    if (member && *member)
        return false;
    // Not a member: is it a channel this user may even know of?
    const auto channel =
        member ? channels.channelById(channelId) : store::StoreResult<protocol::Channel>(member.error());
    if (!channel && channel.error().kind != Kind::NotFound) {
        request.failInternal(channel.error().message, errorContext);
    } else if (!channel || channel->isPrivate) {
        request.fail(ErrorCode::NotFound, notFoundMessage(), errorContext);
    } else {
        request.fail(ErrorCode::Forbidden,
            QStringLiteral("You are not a member of #%1: join it first").arg(channel->name), errorContext);
    }
    return true;
}

} // namespace parley::server
