#pragma once

#include "session/clientsession.h"
#include "session/sessionerror.h"

#include <QString>

namespace parley::ui {

// The connection's stage in words for the stage banner. `server` is host:port;
// `why` the reason a Failed session gave up.
QString describeStage(
    client::ClientSession::Stage stage, int secondsToReconnect, const QString &server, const QString &why);
// What the banner says about `session` now (nullptr: not signed in).
QString describeSession(const client::ClientSession *session, const QString &server);
// Why logging in or creating an account did not work, for the connect page.
QString describeSignInError(const client::SessionError &error, const QString &server);

} // namespace parley::ui
