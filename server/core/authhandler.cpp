#include "authhandler.h"

#include "accountrules.h"
#include "auth/authenticator.h"
#include "auth/passwordhasher.h"
#include "clientaddress.h"
#include "eventrequest.h"
#include "eventroutes.h"
#include "protocol/types.h"
#include "serverlogging.h"
#include "serversession.h"
#include "sessiondirectory.h"
#include "store/chatstore.h"

#include <QJsonObject>

#include <optional>

namespace parley::server {

using protocol::ErrorCode;
using namespace rules;
using PayloadCheck = protocol::Result<QJsonObject, QString>; // the payload, or what is wrong with it
namespace event = protocol::event;

namespace {

// A string field, or nullopt when it is missing or of another type.
std::optional<QString> stringField(const QJsonObject &payload, QLatin1String name)
{
    const QJsonValue value = payload.value(name);
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

// The payload object, or INVALID_PAYLOAD's message when it is not one or a
// required string field is missing.
PayloadCheck payloadWithStrings(const EventRequest &request, std::initializer_list<QLatin1String> fields)
{
    const std::optional<QJsonObject> payload = request.payload();
    if (!payload)
        return QStringLiteral("The payload must be an object");
    for (const QLatin1String field : fields) {
        if (!stringField(*payload, field))
            return QStringLiteral("\"%1\" must be a string").arg(field);
    }
    return *payload;
}

std::optional<QString> newPasswordProblem(const QByteArray &password, QLatin1String field)
{
    if (password.size() < MinPasswordBytes || password.size() > MaxPasswordBytes) {
        return QStringLiteral("\"%1\" must be %2 to %3 bytes of UTF-8")
            .arg(field)
            .arg(MinPasswordBytes)
            .arg(MaxPasswordBytes);
    }
    return std::nullopt;
}

// A password to check against a stored hash: any non-empty one up to the cap.
std::optional<QString> givenPasswordProblem(const QByteArray &password, QLatin1String field)
{
    if (password.isEmpty() || password.size() > MaxPasswordBytes)
        return QStringLiteral("\"%1\" must be 1 to %2 bytes of UTF-8").arg(field).arg(MaxPasswordBytes);
    return std::nullopt;
}

QByteArray utf8Field(const QJsonObject &payload, QLatin1String field)
{
    return payload.value(field).toString().toUtf8();
}

// What verify() runs against: the user's hash, or a decoy of the same cost when
// there is no user or no password (an externally provisioned account), so the
// time to answer is the same either way.
QByteArray hashToCheck(const std::optional<store::UserAccount> &account, const auth::PasswordHasher &hasher)
{
    if (account && !account->passwordHash.isEmpty())
        return account->passwordHash.toUtf8();
    return hasher.timingDecoy();
}

const QString WrongCredentials = QStringLiteral("Wrong username or password");

} // namespace

AuthHandler::AuthHandler(ServerContext &context)
    : m_context(context)
{ }

void AuthHandler::registerRoutes(EventRoutes &routes)
{
    const QString nsp = protocol::ns::Auth;
    routes.add(nsp, event::AuthRegister, [this](const EventRequest &request) { registerUser(request); });
    routes.add(nsp, event::AuthLogin, [this](const EventRequest &request) { login(request); });
    routes.add(nsp, event::AuthRefresh, [this](const EventRequest &request) { refresh(request); });
    routes.add(nsp, event::AuthLogout, [this](const EventRequest &request) { logout(request); });
    routes.add(
        nsp, event::AuthChangePassword, [this](const EventRequest &request) { changePassword(request); });
}

auth::RateLimiter::Decision AuthHandler::countAttempt(const EventRequest &request)
{
    return m_context.authLimiter.tryAcquire(clientaddress::limitKey(QHostAddress(request.peerAddress())));
}

// The hasher's queue is bounded: past it a request is refused at once (like a rate
// limit, with a retry hint) instead of waiting behind every stranger's attempt.
bool AuthHandler::refuseIfHasherBusy(const EventRequest &request)
{
    if (m_context.passwords.pendingJobs() < m_context.config.limits.passwordHashQueue)
        return false;
    qCInfo(lcServer) << "password hash queue full; refusing a request from" << request.peerAddress();
    request.failRateLimited(HasherBusyRetryMs);
    return true;
}

void AuthHandler::registerUser(const EventRequest &request)
{
    const auto rate = countAttempt(request);
    if (!m_context.config.registrationOpen)
        return request.fail(
            ErrorCode::RegistrationClosed, QStringLiteral("This server does not take new accounts"));

    const PayloadCheck payload =
        payloadWithStrings(request, {QLatin1String("username"), QLatin1String("password")});
    if (!payload)
        return request.fail(ErrorCode::InvalidPayload, payload.error());
    const std::optional<QString> username =
        canonicalUsername(payload->value(QLatin1String("username")).toString());
    if (!username) {
        return request.fail(ErrorCode::InvalidPayload,
            QStringLiteral("A username has 2 to 32 of the characters a-z 0-9 _ . -"));
    }
    const QByteArray password = utf8Field(*payload, QLatin1String("password"));
    if (const auto problem = newPasswordProblem(password, QLatin1String("password")))
        return request.fail(ErrorCode::InvalidPayload, *problem);
    QString displayName = *username;
    const QJsonValue givenDisplayName = payload->value(QLatin1String("displayName"));
    if (givenDisplayName.isString() && !givenDisplayName.toString().isEmpty()) {
        displayName = givenDisplayName.toString();
        if (displayName.size() > MaxDisplayNameLength) {
            return request.fail(ErrorCode::InvalidPayload,
                QStringLiteral("\"displayName\" has at most %1 characters").arg(MaxDisplayNameLength));
        }
        if (rules::hasHiddenCharacters(displayName)) {
            return request.fail(ErrorCode::InvalidPayload,
                QStringLiteral(
                    "\"displayName\" may not hold control characters, line breaks or direction marks"));
        }
    } else if (!givenDisplayName.isUndefined() && !givenDisplayName.isNull() &&
        !givenDisplayName.isString()) {
        return request.fail(ErrorCode::InvalidPayload, QStringLiteral("\"displayName\" must be a string"));
    }
    if (!rate.allowed)
        return request.failRateLimited(rate.retryAfterMs);
    if (refuseIfHasherBusy(request))
        return;

    // Taken names are refused before the hash; the insert checks again, for a
    // registration of the same name that finishes its hash first.
    const auto existing = m_context.store.users().userByUsername(*username);
    if (existing)
        return request.fail(ErrorCode::UsernameTaken, QStringLiteral("That username is taken"));
    if (existing.error().kind != store::StoreError::Kind::NotFound)
        return request.failInternal(existing.error().message);

    m_context.passwords.hash(
        password, &m_callbacks,
        [this, request, newUser = store::NewUser {*username, displayName, {}, {}}](
            const auth::PasswordHasher::HashResult &hashed) mutable {
            if (!hashed)
                return request.failInternal(hashed.error());
            newUser.passwordHash = QString::fromLatin1(*hashed);
            const auto account = m_context.store.users().createUser(newUser);
            if (!account && account.error().kind == store::StoreError::Kind::Conflict)
                return request.fail(ErrorCode::UsernameTaken, QStringLiteral("That username is taken"));
            if (!account)
                return request.failInternal(account.error().message);
            qCInfo(lcServer) << "registered user" << account->user.id << "from" << request.peerAddress();
            answerWithToken(request, account->user, account->tokenVersion);
        },
        request.session());
}

void AuthHandler::login(const EventRequest &request)
{
    const auto rate = countAttempt(request);
    const PayloadCheck payload =
        payloadWithStrings(request, {QLatin1String("username"), QLatin1String("password")});
    if (!payload)
        return request.fail(ErrorCode::InvalidPayload, payload.error());
    const QString givenName = payload->value(QLatin1String("username")).toString();
    if (givenName.isEmpty())
        return request.fail(ErrorCode::InvalidPayload, QStringLiteral("\"username\" must not be empty"));
    const QByteArray password = utf8Field(*payload, QLatin1String("password"));
    if (const auto problem = givenPasswordProblem(password, QLatin1String("password")))
        return request.fail(ErrorCode::InvalidPayload, *problem);
    if (!rate.allowed)
        return request.failRateLimited(rate.retryAfterMs);
    if (refuseIfHasherBusy(request))
        return;

    // A name no account can have is simply not found: same answer, same cost.
    std::optional<store::UserAccount> account;
    if (const auto username = canonicalUsername(givenName)) {
        auto found = m_context.store.users().userByUsername(*username);
        if (found)
            account = std::move(*found);
        else if (found.error().kind != store::StoreError::Kind::NotFound)
            return request.failInternal(found.error().message);
    }

    const QByteArray stored = hashToCheck(account, m_context.passwords);
    m_context.passwords.verify(
        password, stored, &m_callbacks,
        [this, request, account](bool matches) {
            if (!account || !matches) {
                qCInfo(lcServer) << "login refused from" << request.peerAddress();
                return request.fail(ErrorCode::InvalidCredentials, WrongCredentials);
            }
            // Read again: the hash took a while, and the account may have changed.
            const auto current = m_context.store.users().userById(account->user.id);
            if (!current && current.error().kind != store::StoreError::Kind::NotFound)
                return request.failInternal(current.error().message);
            if (!current || current->disabled) {
                qCInfo(lcServer) << "login refused from" << request.peerAddress()
                                 << "(account gone or disabled)";
                return request.fail(ErrorCode::InvalidCredentials, WrongCredentials);
            }
            answerWithToken(request, current->user, current->tokenVersion);
        },
        request.session());
}

void AuthHandler::refresh(const EventRequest &request)
{
    const auto rate = countAttempt(request);
    const PayloadCheck payload = payloadWithStrings(request, {QLatin1String("token")});
    if (!payload)
        return request.fail(ErrorCode::InvalidPayload, payload.error());
    const QByteArray token = utf8Field(*payload, QLatin1String("token"));
    if (token.isEmpty())
        return request.fail(ErrorCode::InvalidPayload, QStringLiteral("\"token\" must not be empty"));
    if (!rate.allowed)
        return request.failRateLimited(rate.retryAfterMs);

    const auto outcome = m_context.authenticator.authenticateToken(token);
    if (!outcome)
        return failToken(request, outcome.error().code, outcome.error().message);
    const auto account = m_context.store.users().userById(outcome->userId);
    if (!account && account.error().kind == store::StoreError::Kind::NotFound)
        return failToken(request, ErrorCode::AuthInvalid, QStringLiteral("the token's user does not exist"));
    if (!account)
        return request.failInternal(account.error().message);
    answerWithToken(request, account->user, account->tokenVersion, outcome->hardExpiresAt);
}

void AuthHandler::logout(const EventRequest &request)
{
    const auto rate = countAttempt(request);
    const PayloadCheck payload = payloadWithStrings(request, {QLatin1String("token")});
    if (!payload)
        return request.fail(ErrorCode::InvalidPayload, payload.error());
    const QByteArray token = utf8Field(*payload, QLatin1String("token"));
    if (token.isEmpty())
        return request.fail(ErrorCode::InvalidPayload, QStringLiteral("\"token\" must not be empty"));
    if (!rate.allowed)
        return request.failRateLimited(rate.retryAfterMs);

    const auto outcome = m_context.authenticator.authenticateToken(token);
    if (!outcome)
        return failToken(request, outcome.error().code, outcome.error().message);
    const QString userId = outcome->userId;
    const auto bumped = m_context.store.users().bumpTokenVersion(userId);
    if (!bumped)
        return request.failInternal(bumped.error().message);
    qCInfo(lcServer) << "user" << userId << "logged out everywhere";
    // The ack first: the asking socket may itself be one of the sessions closed.
    request.succeed();
    closeSessionsOf(userId, QStringLiteral("You signed out: sign in again to continue"));
}

void AuthHandler::changePassword(const EventRequest &request)
{
    const auto rate = countAttempt(request);
    const PayloadCheck payload = payloadWithStrings(
        request, {QLatin1String("token"), QLatin1String("oldPassword"), QLatin1String("newPassword")});
    if (!payload)
        return request.fail(ErrorCode::InvalidPayload, payload.error());
    const QByteArray token = utf8Field(*payload, QLatin1String("token"));
    if (token.isEmpty())
        return request.fail(ErrorCode::InvalidPayload, QStringLiteral("\"token\" must not be empty"));
    const QByteArray oldPassword = utf8Field(*payload, QLatin1String("oldPassword"));
    if (const auto problem = givenPasswordProblem(oldPassword, QLatin1String("oldPassword")))
        return request.fail(ErrorCode::InvalidPayload, *problem);
    const QByteArray newPassword = utf8Field(*payload, QLatin1String("newPassword"));
    if (const auto problem = newPasswordProblem(newPassword, QLatin1String("newPassword")))
        return request.fail(ErrorCode::InvalidPayload, *problem);
    if (!rate.allowed)
        return request.failRateLimited(rate.retryAfterMs);
    if (refuseIfHasherBusy(request))
        return;

    const auto outcome = m_context.authenticator.authenticateToken(token);
    if (!outcome)
        return failToken(request, outcome.error().code, outcome.error().message);
    const auto found = m_context.store.users().userById(outcome->userId);
    if (!found)
        return request.failInternal(found.error().message);
    const std::optional<store::UserAccount> account = *found;

    m_context.passwords.verify(oldPassword, hashToCheck(account, m_context.passwords), &m_callbacks,
        [this, request, token, newPassword, user = account->user](bool matches) {
            if (!matches) {
                qCInfo(lcServer) << "password change refused for user" << user.id << ": wrong password";
                return request.fail(
                    ErrorCode::InvalidCredentials, QStringLiteral("The old password is wrong"));
            }
            m_context.passwords.hash(newPassword, &m_callbacks,
                [this, request, token, user](const auth::PasswordHasher::HashResult &hashed) {
                    if (!hashed)
                        return request.failInternal(hashed.error());
                    // Two hashes later the token may have been revoked (a log-out
                    // elsewhere): then this change is refused like any late request.
                    const auto stillValid = m_context.authenticator.authenticateToken(token);
                    if (!stillValid)
                        return failToken(request, stillValid.error().code, stillValid.error().message);
                    const auto version =
                        m_context.store.users().replacePasswordHash(user.id, QString::fromLatin1(*hashed));
                    if (!version)
                        return request.failInternal(version.error().message);
                    qCInfo(lcServer) << "user" << user.id << "changed their password";
                    answerWithToken(request, user, *version);
                    closeSessionsOf(user.id, QStringLiteral("Your password was changed: sign in again"));
                });
        });
}

void AuthHandler::failToken(const EventRequest &request, ErrorCode code, const QString &message) const
{
    // /auth knows two token failures: expired, and everything else.
    request.fail(code == ErrorCode::AuthExpired ? ErrorCode::AuthExpired : ErrorCode::AuthInvalid,
        QStringLiteral("The token was refused: %1").arg(message));
}

void AuthHandler::answerWithToken(const EventRequest &request, const protocol::User &user, int tokenVersion,
    std::optional<QDateTime> hardExpiresAt) const
{
    const auth::IssuedToken issued = m_context.authenticator.issueToken(user.id, tokenVersion, hardExpiresAt);
    request.succeed({{QStringLiteral("token"), issued.token}, {QStringLiteral("user"), user.toJson()},
        {QStringLiteral("expiresAt"), protocol::formatTimestamp(issued.expiresAt)}});
}

void AuthHandler::closeSessionsOf(const QString &userId, const QString &why)
{
    // A copy: each close leaves the room being walked.
    const QSet<ConnectionId> members = m_context.rooms.members(RoomRegistry::userRoom(userId));
    for (const ConnectionId id : members) {
        if (ServerSession *session = m_context.sessions.find(id))
            session->closeWith(ErrorCode::AuthExpired, why);
    }
}

} // namespace parley::server
