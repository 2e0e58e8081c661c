#include "stagetext.h"

#include <QCoreApplication>

namespace parley::ui {

using Stage = client::ClientSession::Stage;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("parley::ui::StageText", text);
}

} // namespace

QString describeStage(Stage stage, int secondsToReconnect, const QString &server, const QString &why)
{
    switch (stage) {
    case Stage::Disconnected:
        return tr("Not connected.");
    case Stage::Connecting:
        return tr("Connecting to %1…").arg(server);
    case Stage::Authenticating:
        return tr("Signing in…");
    case Stage::JoiningRooms:
        return tr("Catching up on your channels…");
    case Stage::Ready:
        return tr("Connected to %1.").arg(server);
    case Stage::Reconnecting:
        if (secondsToReconnect <= 0)
            return tr("Connection lost. Reconnecting now…");
        return secondsToReconnect == 1
            ? tr("Connection lost. Reconnecting in 1 second…")
            : tr("Connection lost. Reconnecting in %1 seconds…").arg(secondsToReconnect);
    case Stage::Failed:
        return why.isEmpty() ? tr("Cannot connect.") : tr("Cannot connect: %1").arg(why);
    }
    return {};
}

QString describeSession(const client::ClientSession *session, const QString &server)
{
    if (!session)
        return describeStage(Stage::Disconnected, 0, server, {});
    const auto error = session->lastError();
    const auto closing = session->lastClosingNotice();
    if (session->stage() == Stage::Reconnecting && closing &&
        closing->code == protocol::ErrorCode::ServerShutdown)
        return tr("The server is restarting or shutting down. Reconnecting in %1 s…")
            .arg(session->secondsToReconnect());
    return describeStage(
        session->stage(), session->secondsToReconnect(), server, error ? error->message : QString());
}

QString describeSignInError(const client::SessionError &error, const QString &server)
{
    using protocol::ErrorCode;
    if (error.noAnswer)
        return tr("Cannot reach %1. Check the address, and that the server is running.").arg(server);
    switch (error.code) {
    case ErrorCode::InvalidCredentials:
        return tr("Wrong username or password.");
    case ErrorCode::UsernameTaken:
        return tr("That username is already taken. Choose another one, or log in.");
    case ErrorCode::RegistrationClosed:
        return tr(
            "This server does not take new accounts. Ask the person who runs it to create one for you.");
    case ErrorCode::RateLimited:
        return tr("Too many attempts from this computer. Wait a minute, then try again.");
    case ErrorCode::InvalidPayload: {
        // The server's own sentence says which rule was broken.
        QString why = error.message.trimmed();
        if (!why.isEmpty() && !why.endsWith(QLatin1Char('.')))
            why += QLatin1Char('.');
        return why.isEmpty() ? client::describeError(error.code) : why;
    }
    default:
        return client::describeError(error.code);
    }
}

} // namespace parley::ui
