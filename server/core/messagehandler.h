#pragma once

#include "messagewriter.h"
#include "servercontext.h"

#include <QJsonObject>

namespace parley::server {

class EventRequest;
class EventRoutes;

// message:send and message:history (docs/protocol.md section 5). A send is acked
// and broadcast only after its commit returns (MessageWriter's group commit).
class MessageHandler
{
public:
    explicit MessageHandler(ServerContext &context);
    ~MessageHandler();
    Q_DISABLE_COPY_MOVE(MessageHandler)

    void registerRoutes(EventRoutes &routes);
    // Commits what is waiting and answers it (shutdown).
    void flush();

private:
    void send(const EventRequest &request);
    void history(const EventRequest &request);
    // NOT_FOUND or FORBIDDEN for a channel the user is not in (a private one
    // does not exist for outsiders); true when the request was answered.
    bool failUnlessMember(
        const EventRequest &request, const QString &channelId, const QJsonObject &errorContext) const;
    bool isMemberByRoom(const EventRequest &request, const QString &channelId) const;
    // clientMsgId: the send's, as parsed (empty: none).
    void answerCommitted(
        const EventRequest &request, const QString &clientMsgId, const MessageWriter::Outcome &outcome) const;
    void failInternal(
        const EventRequest &request, const QString &detail, const QJsonObject &errorContext) const;

    ServerContext &m_context;
    MessageWriter m_writer;
};

} // namespace parley::server
