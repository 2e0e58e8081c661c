#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace parley::auth {

// Argon2id password hashes (libsodium's crypto_pwhash_str), computed on a pool of
// worker threads so a login's ~50 ms of deliberate work never stalls the event
// loop that serves every other connection. At most QThread::idealThreadCount()
// hashes run at once (each holds its memory cost); further requests queue.
//
// Results come back on the calling thread through `context`, which must live on
// that thread. If the context is destroyed first, the callback is dropped: it
// never runs against a dead object.
class PasswordHasher
{
public:
    struct Cost
    {
        // OWASP's Argon2id minimum: 19 MiB of memory, 2 passes.
        unsigned long long passes = 2;
        size_t memoryBytes = 19 * 1024 * 1024;
    };
    using HashResult = protocol::Result<QByteArray, QString>; // "$argon2id$v=19$...", or why not
    using HashCallback = std::function<void(const HashResult &)>;
    using VerifyCallback = std::function<void(bool matches)>;

    PasswordHasher();
    // A cost below the minimum is raised to it: a weaker hash is never stored.
    explicit PasswordHasher(Cost cost);
    // Waits for the jobs already started; their callbacks still need their contexts.
    ~PasswordHasher();

    PasswordHasher(const PasswordHasher &) = delete;
    PasswordHasher &operator=(const PasswordHasher &) = delete;

    // requester (optional): whom the work is for, e.g. a connection. Destroyed before a
    // worker takes the job, the job is skipped; done() is still called from context,
    // with a failure, if context lives.
    void hash(const QByteArray &password, QObject *context, HashCallback done, QObject *requester = nullptr);
    void verify(const QByteArray &password, const QByteArray &storedHash, QObject *context,
        VerifyCallback done, QObject *requester = nullptr);

    // The same work on the calling thread, for tests and tools. Never call these
    // from the server's event loop.
    HashResult hashNow(const QByteArray &password) const;
    static bool verifyNow(const QByteArray &password, const QByteArray &storedHash);
    // True when a stored hash was made with other parameters than ours (re-hash it
    // at the next successful login) or is not an Argon2id hash at all.
    bool needsRehash(const QByteArray &storedHash) const;

    // A well-formed Argon2id string with this hasher's cost that no password
    // matches (random salt and digest). Verifying against it costs what a real
    // verify costs: a login for an unknown user does it, so the answer's timing
    // does not tell which usernames exist.
    QByteArray timingDecoy() const;

    // hash() and verify() jobs that reached Argon2id so far, by every hasher in the
    // process: lets tests show that a refused request never did. A job whose context
    // was destroyed before a worker took it is skipped and not counted.
    static quint64 jobsStarted();
    // Jobs asked for and not finished (running or waiting for a worker): the server
    // answers RATE_LIMITED past its bound instead of queueing without end.
    int pendingJobs() const;

    Cost cost() const { return m_cost; }
    int maxConcurrentJobs() const { return m_pool.maxThreadCount(); }

private:
    Cost m_cost;
    std::shared_ptr<std::atomic<int>> m_pending = std::make_shared<std::atomic<int>>(0);
    QThreadPool m_pool;
};

} // namespace parley::auth
