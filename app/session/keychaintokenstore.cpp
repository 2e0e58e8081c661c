#include "keychaintokenstore.h"

#include "sessionlogging.h"

#include <qt6keychain/keychain.h>

namespace parley::client {

namespace {

TokenStoreError errorOf(const QKeychain::Job &job)
{
    using Kind = TokenStoreError::Kind;
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return {Kind::NotFound, QStringLiteral("No saved sign-in.")};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return {Kind::AccessDenied, QStringLiteral("The keyring refused access to the saved sign-in.")};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        // Headless or keyring locked: QtKeychain reports these as OtherError.
        return {Kind::NoSecretService,
            QStringLiteral("No unlocked keyring (Secret Service) is available, so the sign-in cannot be "
                           "saved securely (%1). Start and unlock your keyring, or sign in each time.")
                .arg(job.errorString())};
    default:
        return {Kind::Other, job.errorString()};
    }
}

template<typename JobType>
JobType *makeJob(QObject *parent, const QString &key)
{
    auto *job = new JobType(KeychainTokenStore::Service, parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    return job;
}

} // namespace

void KeychainTokenStore::readToken(const QString &key, ReadCallback callback)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(this, key);
    connect(job, &QKeychain::Job::finished, this, [job, callback = std::move(callback)] {
        if (job->error() != QKeychain::NoError) {
            callback(errorOf(*job));
            return;
        }
        callback(job->textData());
    });
    job->start();
}

void KeychainTokenStore::writeToken(const QString &key, const QString &token, DoneCallback callback)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(this, key);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [job, callback = std::move(callback)] {
        if (job->error() != QKeychain::NoError) {
            const TokenStoreError error = errorOf(*job);
            qCWarning(lcClient) << "the token was not saved:" << error.message;
            callback(error);
            return;
        }
        callback(std::nullopt);
    });
    job->start();
}

void KeychainTokenStore::deleteToken(const QString &key, DoneCallback callback)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(this, key);
    connect(job, &QKeychain::Job::finished, this, [job, callback = std::move(callback)] {
        // Deleting what is not there leaves the wanted state: no token.
        if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound) {
            callback(errorOf(*job));
            return;
        }
        callback(std::nullopt);
    });
    job->start();
}

} // namespace parley::client
