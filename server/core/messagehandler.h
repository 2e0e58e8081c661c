#pragma once

#include "channelaccess.h"
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
    // clientMsgId: the send's, as parsed (empty: none).
    void answerCommitted(
        const EventRequest &request, const QString &clientMsgId, const MessageWriter::Outcome &outcome) const;

    ServerContext &m_context;
    ChannelAccess m_access;
    MessageWriter m_writer;
};

} // namespace parley::server
