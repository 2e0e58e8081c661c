#include "passwordhasher.h"

#include "authlog.h"
#include "sodiuminit.h"

#include <QFutureWatcher>
#include <QPromise>
#include <QRandomGenerator>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <memory>
#include <sodium.h>

namespace parley::auth {

namespace {

constexpr PasswordHasher::Cost MinimumCost;

std::atomic<quint64> g_jobsStarted {0};

// Best effort: clears the bytes when this is the last copy of the password.
// A copy the caller still holds is the caller's to clear.
void wipe(QByteArray &secret)
{
    if (!secret.isEmpty() && secret.isDetached()) {
        sodium_memzero(secret.data(), size_t(secret.size()));
    }
}

// Verifying costs what the stored string says. Far above any cost we would
// choose, it is a damaged or planted row, and honouring it would let one login
// tie up a worker (or terabytes of memory) indefinitely.
constexpr qint64 MaxStoredMemoryKiB = 1024 * 1024; // 1 GiB
constexpr qint64 MaxStoredPasses = 32;

bool withinWorkLimits(const QByteArray &storedHash)
{
    // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
    const QList<QByteArray> fields = storedHash.split('$');
    if (fields.size() != 6) {
        return false;
    }
    qint64 memoryKiB = -1;
    qint64 passes = -1;
    for (const QByteArray &parameter : fields.at(3).split(',')) {
        bool ok = false;
        if (parameter.startsWith("m=")) {
            memoryKiB = parameter.sliced(2).toLongLong(&ok);
        } else if (parameter.startsWith("t=")) {
            passes = parameter.sliced(2).toLongLong(&ok);
        } else {
            continue;
        }
        if (!ok) {
            return false;
        }
    }
    return memoryKiB > 0 && memoryKiB <= MaxStoredMemoryKiB && passes > 0 && passes <= MaxStoredPasses;
}

// A stored hash is text from the database: before libsodium parses it (it
// expects a NUL-terminated string of bounded length) make sure it is one, and
// one whose cost is sane.
bool isArgon2idString(const QByteArray &storedHash)
{
    return storedHash.size() < qsizetype(crypto_pwhash_STRBYTES) && !storedHash.contains('\0') &&
        storedHash.startsWith(crypto_pwhash_argon2id_STRPREFIX) && withinWorkLimits(storedHash);
}

PasswordHasher::HashResult hashWithCost(const QByteArray &password, PasswordHasher::Cost cost)
{
    if (!ensureSodium()) {
        return QStringLiteral("libsodium is not available");
    }
    char encoded[crypto_pwhash_STRBYTES] = {};
    if (crypto_pwhash_str(encoded, password.constData(), static_cast<unsigned long long>(password.size()),
            cost.passes, cost.memoryBytes) != 0) {
        // The only documented cause is failing to allocate the memory cost.
        qCWarning(lcAuth) << "Argon2id hashing failed (out of memory?)";
        return QStringLiteral("the password could not be hashed");
    }
    return QByteArray(encoded);
}

// Runs work() on the pool and hands its result to done() on the thread of
// `context`. The watcher is the context's child, so the context's death deletes
// it and with it the pending callback; the worker only ever touches the promise
// and two atomics, never the context, so there is no race on a dying object. A job
// whose context or requester died before a worker took it is skipped: a client that asked for a
// hash and went away costs no Argon2id work. `pending` counts the jobs not finished.
template<typename R>
void runOffThread(QThreadPool &pool, std::shared_ptr<std::atomic<int>> pending, QObject *context,
    QObject *requester, std::function<R()> work, std::function<void(const R &)> done, R fallback)
{
    Q_ASSERT(!context || context->thread() == QThread::currentThread());
    auto *watcher = new QFutureWatcher<R>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
        [watcher, done = std::move(done), fallback = std::move(fallback)] {
            // No result only when the job never ran (the pool was torn down).
            const QFuture<R> future = watcher->future();
            done(future.resultCount() > 0 ? future.result() : fallback);
            watcher->deleteLater();
        });
    auto wanted = std::make_shared<std::atomic<bool>>(true);
    for (QObject *owner : {context, requester}) {
        if (owner)
            QObject::connect(owner, &QObject::destroyed, [wanted] { wanted->store(false); });
    }
    auto promise = std::make_shared<QPromise<R>>();
    watcher->setFuture(promise->future());
    pending->fetch_add(1);
    pool.start([promise, pending, wanted, work = std::move(work)] {
        promise->start();
        if (wanted->load()) {
            g_jobsStarted.fetch_add(1, std::memory_order_relaxed);
            promise->addResult(work());
        }
        promise->finish();
        pending->fetch_sub(1);
    });
}

} // namespace

PasswordHasher::PasswordHasher()
    : PasswordHasher(Cost {})
{ }

PasswordHasher::PasswordHasher(Cost cost)
    : m_cost {std::max(cost.passes, MinimumCost.passes), std::max(cost.memoryBytes, MinimumCost.memoryBytes)}
{
    if (!ensureSodium()) {
        qCCritical(lcAuth) << "libsodium could not be initialised; every password hash will fail";
    }
    m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
    m_pool.setObjectName(QStringLiteral("parley-password-hasher"));
}

PasswordHasher::~PasswordHasher()
{
    m_pool.waitForDone();
}

void PasswordHasher::hash(const QByteArray &password, QObject *context, HashCallback done, QObject *requester)
{
    const Cost cost = m_cost;
    std::function<HashResult()> work = [password = QByteArray(password), cost]() mutable {
        HashResult result = hashWithCost(password, cost);
        wipe(password);
        return result;
    };
    runOffThread<HashResult>(m_pool, m_pending, context, requester, std::move(work), std::move(done),
        HashResult(QStringLiteral("the password hash was cancelled")));
}

void PasswordHasher::verify(const QByteArray &password, const QByteArray &storedHash, QObject *context,
    VerifyCallback done, QObject *requester)
{
    std::function<bool()> work = [password = QByteArray(password), storedHash]() mutable {
        const bool matches = verifyNow(password, storedHash);
        wipe(password);
        return matches;
    };
    runOffThread<bool>(m_pool, m_pending, context, requester, std::move(work), std::move(done), false);
}

PasswordHasher::HashResult PasswordHasher::hashNow(const QByteArray &password) const
{
    return hashWithCost(password, m_cost);
}

bool PasswordHasher::verifyNow(const QByteArray &password, const QByteArray &storedHash)
{
    if (!ensureSodium() || !isArgon2idString(storedHash)) {
        return false;
    }
    return crypto_pwhash_str_verify(storedHash.constData(), password.constData(),
               static_cast<unsigned long long>(password.size())) == 0;
}

QByteArray PasswordHasher::timingDecoy() const
{
    // libsodium's encoding: 16 bytes of salt and a 32-byte digest, standard
    // base64 without padding.
    const auto randomBytes = [](qsizetype size) {
        QByteArray bytes(size, Qt::Uninitialized);
        for (char &byte : bytes)
            byte = static_cast<char>(QRandomGenerator::system()->bounded(256));
        return bytes.toBase64(QByteArray::OmitTrailingEquals);
    };
    return QByteArray("$argon2id$v=19$m=") + QByteArray::number(quint64(m_cost.memoryBytes / 1024)) +
        ",t=" + QByteArray::number(m_cost.passes) + ",p=1$" + randomBytes(16) + '$' + randomBytes(32);
}

int PasswordHasher::pendingJobs() const
{
    return m_pending->load();
}

quint64 PasswordHasher::jobsStarted()
{
    return g_jobsStarted.load(std::memory_order_relaxed);
}

bool PasswordHasher::needsRehash(const QByteArray &storedHash) const
{
    if (!ensureSodium() || !isArgon2idString(storedHash)) {
        return true;
    }
    return crypto_pwhash_str_needs_rehash(storedHash.constData(), m_cost.passes, m_cost.memoryBytes) != 0;
}

} // namespace parley::auth
