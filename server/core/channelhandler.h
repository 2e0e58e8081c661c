#pragma once

#include "channelaccess.h"
#include "protocol/types.h"
#include "servercontext.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace parley::store {
struct StoreError;
}

namespace parley::server {

class EventRequest;
class EventRoutes;

// channel:list, channel:create, channel:join, channel:leave, channel:invite,
// channel:members (docs/protocol.md section 5). Joining, leaving or being invited
// moves every session of that user between rooms.
//
// Checks run in the contract's order: payload (INVALID_PAYLOAD), the channel as
// this user may see it (NOT_FOUND: a private channel does not exist for
// outsiders), membership (FORBIDDEN), then the rate (RATE_LIMITED). Failures
// carry the request's channelId in channel:error when it gave a readable one.
//
// channel:member_joined goes to the members that were in the channel before the
// newcomer's sessions entered it, and channel:member_left to those that remain:
// the user who joined or left learns of it from channel:joined / channel:left.
class ChannelHandler
{
public:
    explicit ChannelHandler(ServerContext &context);
    void registerRoutes(EventRoutes &routes);

private:
    void list(const EventRequest &request);
    void create(const EventRequest &request);
    void join(const EventRequest &request);
    void leave(const EventRequest &request);
    void invite(const EventRequest &request);
    void members(const EventRequest &request);

    bool failIfAtChannelLimit(
        const EventRequest &request, const QString &userId, const QJsonObject &errorContext) const;

    // The channel as it is now (memberCount after a change), or an answered INTERNAL.
    std::optional<protocol::Channel> freshChannel(
        const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const;

    // Adds the user to the channel and tells everyone who needs to know: the
    // members already there, then every session of the user. Answers nothing
    // to the request; false when the store failed (the request got INTERNAL).
    // `added` is false when the user already was a member (no broadcast).
    struct Admission
    {
        bool added = false;
        protocol::Channel channel;
    };
    std::optional<Admission> admit(const EventRequest &request, const QString &channelId,
        const protocol::User &user, const QJsonObject &errorContext);

    void failStore(const EventRequest &request, const store::StoreError &error, const QString &notFound,
        const QJsonObject &errorContext) const;

    ServerContext &m_context;
    ChannelAccess m_access;
};

} // namespace parley::server
