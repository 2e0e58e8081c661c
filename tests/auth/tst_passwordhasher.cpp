#include "auth/passwordhasher.h"

#include <QCoreApplication>
#include <QSet>
#include <QTest>
#include <QThread>

#include <memory>

using parley::auth::PasswordHasher;

class TestPasswordHasher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hashThenVerify();
    void usesArgon2idWithTheMinimumCost();
    void costBelowMinimumIsRaised();
    void hashCallbackRunsOnCallerThread();
    void verifyCallbackRunsOnCallerThread();
    void concurrentHashesAllComplete();
    void deadContextDropsCallback();
    void oddInputsDoNotCrash_data();
    void oddInputsDoNotCrash();
    void needsRehash();
    void timingDecoyCostsARealVerifyAndMatchesNothing();
    void jobsAreCounted();
    void pendingJobsAreCounted();
    void goneRequesterSkipsTheWork();
};

void TestPasswordHasher::hashThenVerify()
{
    const PasswordHasher hasher;
    const PasswordHasher::HashResult stored = hasher.hashNow("correct horse battery staple");
    QVERIFY(stored.ok());
    QVERIFY(PasswordHasher::verifyNow("correct horse battery staple", *stored));
    QVERIFY(!PasswordHasher::verifyNow("correct horse battery stapl", *stored));
    QVERIFY(!PasswordHasher::verifyNow("", *stored));
    // Salted: the same password never gives the same string twice.
    QVERIFY(*hasher.hashNow("correct horse battery staple") != *stored);
}

void TestPasswordHasher::usesArgon2idWithTheMinimumCost()
{
    const QByteArray stored = *PasswordHasher().hashNow("password1");
    QVERIFY2(stored.startsWith("$argon2id$v=19$m=19456,t=2,"), stored.constData());
}

void TestPasswordHasher::costBelowMinimumIsRaised()
{
    const PasswordHasher weak(PasswordHasher::Cost {1, 1024 * 1024});
    QCOMPARE(weak.cost().passes, 2ULL);
    QCOMPARE(weak.cost().memoryBytes, size_t(19 * 1024 * 1024));
    const PasswordHasher strong(PasswordHasher::Cost {3, 32 * 1024 * 1024});
    QCOMPARE(strong.cost().passes, 3ULL);
}

void TestPasswordHasher::hashCallbackRunsOnCallerThread()
{
    PasswordHasher hasher;
    QObject context;
    QThread *callbackThread = nullptr;
    std::optional<PasswordHasher::HashResult> result;

    hasher.hash("password1", &context, [&](const PasswordHasher::HashResult &hashed) {
        callbackThread = QThread::currentThread();
        result = hashed;
    });
    QVERIFY(!result); // never synchronous: the event loop has to deliver it
    QTRY_VERIFY(result.has_value());
    QCOMPARE(callbackThread, QThread::currentThread());
    QVERIFY(result->ok());
    QVERIFY(PasswordHasher::verifyNow("password1", result->value()));
}

void TestPasswordHasher::verifyCallbackRunsOnCallerThread()
{
    PasswordHasher hasher;
    const QByteArray stored = *hasher.hashNow("password1");
    QObject context;
    QList<std::pair<bool, QThread *>> answers;

    hasher.verify("password1", stored, &context, [&](bool matches) {
        answers.append({matches, QThread::currentThread()});
    });
    hasher.verify("password2", stored, &context, [&](bool matches) {
        answers.append({matches, QThread::currentThread()});
    });
    QTRY_COMPARE(answers.size(), 2);
    // Either may finish first; one matched and one did not, both on this thread.
    QCOMPARE(answers[0].first != answers[1].first, true);
    QCOMPARE(answers[0].second, QThread::currentThread());
    QCOMPARE(answers[1].second, QThread::currentThread());
}

void TestPasswordHasher::concurrentHashesAllComplete()
{
    PasswordHasher hasher;
    QCOMPARE(hasher.maxConcurrentJobs(), std::max(1, QThread::idealThreadCount()));
    QObject context;
    constexpr int Jobs = 6; // more than the pool runs at once on the 2-core CI machine
    QSet<QByteArray> hashes;
    int failures = 0;
    for (int i = 0; i < Jobs; ++i) {
        hasher.hash(
            "password" + QByteArray::number(i), &context, [&, i](const PasswordHasher::HashResult &hashed) {
                if (!hashed.ok() || !PasswordHasher::verifyNow("password" + QByteArray::number(i), *hashed)) {
                    ++failures;
                    return;
                }
                hashes.insert(*hashed);
            });
    }
    QTRY_COMPARE_WITH_TIMEOUT(hashes.size() + failures, Jobs, 30000);
    QCOMPARE(failures, 0);
}

void TestPasswordHasher::deadContextDropsCallback()
{
    bool called = false;
    {
        PasswordHasher hasher;
        auto context = std::make_unique<QObject>();
        hasher.hash("password1", context.get(), [&](const PasswordHasher::HashResult &) { called = true; });
        context.reset(); // e.g. the connection closed while its login was hashing
    } // ~PasswordHasher waits for the job, so it has finished by now
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    QVERIFY(!called);
}

void TestPasswordHasher::oddInputsDoNotCrash_data()
{
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("storedHash");

    const QByteArray validHash = *PasswordHasher().hashNow("password1");
    QTest::newRow("empty password, empty hash") << QByteArray() << QByteArray();
    QTest::newRow("empty password") << QByteArray() << validHash;
    QTest::newRow("NUL bytes in password") << QByteArray("pass\0word1", 10) << validHash;
    QTest::newRow("1 MiB password") << QByteArray(1024 * 1024, 'p') << validHash;
    QTest::newRow("garbage hash") << QByteArray("password1") << QByteArray("not a hash");
    QTest::newRow("bcrypt hash") << QByteArray("password1")
                                 << QByteArray(
                                        "$2b$12$KIXQJQ0b1Dx8p7UeZ4oGdOeZkO4o1ZpQy9mF1w9e8y5rQnB3n5c6S");
    QTest::newRow("truncated hash") << QByteArray("password1") << validHash.left(40);
    QTest::newRow("NUL inside hash") << QByteArray("password1")
                                     << QByteArray(validHash).replace(20, 1, "\0", 1);
    QTest::newRow("overlong hash") << QByteArray("password1") << validHash + QByteArray(200, 'A');
    QTest::newRow("absurd cost") << QByteArray("password1")
                                 << QByteArray(
                                        "$argon2id$v=19$m=4294967295,t=4294967295,p=1$c2FsdHNhbHQ$aGFzaA");
}

void TestPasswordHasher::oddInputsDoNotCrash()
{
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, storedHash);

    QVERIFY(!PasswordHasher::verifyNow(password, storedHash));
    // And a hash of any password can be made and checked.
    const PasswordHasher hasher;
    const PasswordHasher::HashResult own = hasher.hashNow(password);
    QVERIFY(own.ok());
    QVERIFY(PasswordHasher::verifyNow(password, *own));
}

void TestPasswordHasher::needsRehash()
{
    const PasswordHasher hasher;
    QVERIFY(!hasher.needsRehash(*hasher.hashNow("password1")));
    const PasswordHasher stronger(PasswordHasher::Cost {3, 19 * 1024 * 1024});
    QVERIFY(stronger.needsRehash(*hasher.hashNow("password1")));
    QVERIFY(hasher.needsRehash("not a hash"));
}

void TestPasswordHasher::timingDecoyCostsARealVerifyAndMatchesNothing()
{
    const PasswordHasher hasher;
    const QByteArray decoy = hasher.timingDecoy();
    const QByteArray real = *hasher.hashNow("password1");
    // The same parameters as a real hash: libsodium would do the same work.
    QCOMPARE(decoy.split('$').mid(0, 4), real.split('$').mid(0, 4));
    QCOMPARE(decoy.size(), real.size());
    QVERIFY(!hasher.needsRehash(decoy));
    QVERIFY(!PasswordHasher::verifyNow("password1", decoy));
    QVERIFY(!PasswordHasher::verifyNow("", decoy));
    QVERIFY(hasher.timingDecoy() != decoy); // random salt and digest each time
}

void TestPasswordHasher::jobsAreCounted()
{
    PasswordHasher hasher;
    QObject context;
    const quint64 before = PasswordHasher::jobsStarted();
    int answered = 0;
    hasher.hash("password1", &context, [&](const PasswordHasher::HashResult &) { ++answered; });
    hasher.verify("password1", hasher.timingDecoy(), &context, [&](bool) { ++answered; });
    QTRY_COMPARE(answered, 2);
    QCOMPARE(PasswordHasher::jobsStarted(), before + 2);
    (void)hasher.hashNow("password1"); // the synchronous helpers are not jobs
    QCOMPARE(PasswordHasher::jobsStarted(), before + 2);
}

// The server bounds its queue by this count.
void TestPasswordHasher::pendingJobsAreCounted()
{
    PasswordHasher hasher;
    QObject context;
    int answered = 0;
    for (int i = 0; i < 3; ++i)
        hasher.hash("password1", &context, [&](const PasswordHasher::HashResult &) { ++answered; });
    QVERIFY(hasher.pendingJobs() > 0); // nothing finished a 19 MiB Argon2id hash yet
    QTRY_COMPARE_WITH_TIMEOUT(answered, 3, 30000);
    QTRY_COMPARE(hasher.pendingJobs(), 0);
}

// A client that asked for a login and went away before a worker took the job costs no
// hash: strangers cannot queue work and leave.
void TestPasswordHasher::goneRequesterSkipsTheWork()
{
    PasswordHasher hasher;
    QObject context;
    const int busy = hasher.maxConcurrentJobs();
    int answered = 0;
    bool skippedAnswered = false;
    PasswordHasher::HashResult skippedResult = QByteArray();
    const quint64 before = PasswordHasher::jobsStarted();
    // Every worker busy first, so the next job has to wait in the queue.
    for (int i = 0; i < busy; ++i)
        hasher.hash("password1", &context, [&](const PasswordHasher::HashResult &) { ++answered; });
    {
        QObject requester;
        hasher.hash(
            "password2", &context,
            [&](const PasswordHasher::HashResult &result) {
                skippedAnswered = true;
                skippedResult = result;
            },
            &requester);
    } // the connection closes while its job waits
    QTRY_COMPARE_WITH_TIMEOUT(answered, busy, 30000);
    QTRY_VERIFY(skippedAnswered); // the context lives: it hears that nothing was done
    QVERIFY(!skippedResult.ok());
    QTRY_COMPARE(hasher.pendingJobs(), 0);
    QCOMPARE(PasswordHasher::jobsStarted(), before + quint64(busy));
}

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
