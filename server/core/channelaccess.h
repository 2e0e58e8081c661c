#pragma once

#include "protocol/types.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace parley::server {

class EventRequest;
struct ServerContext;

// Who may see and use a channel (docs/protocol.md section 5), decided in one place for
// every handler: a private channel does not exist for outsiders (NOT_FOUND, the answer
// an id that was never used gets), a public one is FORBIDDEN where membership is needed.
// Each call answers the request when it says no.
class ChannelAccess
{
public:
    explicit ChannelAccess(ServerContext &context)
        : m_context(context)
    { }

    struct Visible
    {
        protocol::Channel channel;
        bool member = false;
    };
    // The channel and whether the user is in it; nullopt when answered (NOT_FOUND for an
    // unknown channel or a private one the user is not in, INTERNAL for a store failure).
    std::optional<Visible> findVisible(
        const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const;
    // True when answered: NOT_FOUND (unknown, or private and not a member), FORBIDDEN (public,
    // not a member). The channel rooms follow the stored memberships, so a connection in
    // the room is a member and the database is asked only about the rest.
    bool failUnlessMember(
        const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const;

    static QString notFoundMessage();

private:
    ServerContext &m_context;
};

} // namespace parley::server
