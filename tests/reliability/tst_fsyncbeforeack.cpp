#include "promisedcheck.h"
#include "protocol/catalogue.h"
#include "reliabilitysupport.h"
#include "serverharness.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace parley;
using namespace parley::reliability;
using namespace parley::server::test;

namespace {

// One system call strace logged, in the order they happened.
struct Call
{
    QString name;
    int fd = -1;
    QString text; // the whole line, buffers included
};

// What the trace says about one message between its row reaching the WAL and its ack.
enum class Verdict
{
    Synced, // WAL write, then a sync of the WAL file, then the ack
    NoWalWrite, // its row never reached the WAL file
    NoAck, // no success ack names it
    AckedBeforeWrite,
    NoSyncBetween, // acked without a WAL sync after its write: what the test exists to catch
};

const char *describe(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Synced:
        return "synced before its ack";
    case Verdict::NoWalWrite:
        return "no WAL write of its row";
    case Verdict::NoAck:
        return "no success ack";
    case Verdict::AckedBeforeWrite:
        return "acked before its row was written";
    case Verdict::NoSyncBetween:
        return "acked without a WAL sync after its write";
    }
    return "?";
}

// A server run under strace: the messages sent and the calls it made.
struct TracedRun
{
    QStringList ids; // clientMsgIds, each message's content is "content of <id>"
    QList<Call> calls;
    QString serverStderr;
    QString skipReason; // set when strace cannot trace here
};

// "PID name(FD, ..." — the calls we asked strace for; "<... resumed>" halves skipped.
QList<Call> readTrace(const QString &path, const QString &walPath)
{
    static const QRegularExpression callLine(QStringLiteral("^\\d+\\s+(\\w+)\\((\\d+|AT_FDCWD)"));
    static const QRegularExpression openResult(QStringLiteral("= (\\d+)$"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<Call> calls;
    QSet<int> walFds;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const auto match = callLine.match(line);
        if (!match.hasMatch())
            continue;
        Call call {match.captured(1), match.captured(2).toInt(), line};
        if (call.name == QLatin1String("openat")) {
            const auto result = openResult.match(line);
            if (line.contains(QLatin1Char('"') + walPath + QLatin1Char('"')) && result.hasMatch())
                walFds.insert(result.captured(1).toInt());
            continue;
        }
        if (call.name == QLatin1String("close")) {
            walFds.remove(call.fd);
            continue;
        }
        if (walFds.contains(call.fd))
            call.name.prepend(QStringLiteral("wal:")); // wal:pwrite64, wal:fdatasync, ...
        calls.append(call);
    }
    return calls;
}

bool isSync(const QString &name)
{
    return name == QLatin1String("wal:fsync") || name == QLatin1String("wal:fdatasync");
}

qsizetype syncCount(const QList<Call> &calls)
{
    qsizetype syncs = 0;
    for (const Call &call : calls)
        syncs += isSync(call.name) ? 1 : 0;
    return syncs;
}

// The order of events for the message `id`: its first WAL write, its success ack,
// and whether a WAL sync lies between them.
Verdict verdictFor(const QList<Call> &calls, const QString &id)
{
    const QString content = QStringLiteral("content of ") + id;
    const QString ackedId = QStringLiteral("\\\"clientMsgId\\\":\\\"%1\\\"").arg(id);
    qsizetype insert = -1;
    qsizetype ack = -1;
    for (qsizetype i = 0; i < calls.size() && ack < 0; ++i) {
        const Call &call = calls.at(i);
        if (insert < 0 && call.name == QLatin1String("wal:pwrite64") && call.text.contains(content))
            insert = i;
        else if (!call.name.startsWith(QLatin1String("wal:")) &&
            call.text.contains(QStringLiteral("\\\"success\\\":true")) && call.text.contains(ackedId))
            ack = i;
    }
    if (insert < 0)
        return Verdict::NoWalWrite;
    if (ack < 0)
        return Verdict::NoAck;
    if (ack < insert)
        return Verdict::AckedBeforeWrite;
    for (qsizetype i = insert + 1; i < ack; ++i) {
        if (isSync(calls.at(i).name))
            return Verdict::Synced;
    }
    return Verdict::NoSyncBetween;
}

} // namespace

// parley-server (synchronous=FULL, WAL) under strace -f. For
// every message, the WAL write that holds its row comes first, then a sync of
// the WAL file, and only then the ack frame naming it — with group commit (a
// burst of sends from several clients sharing a commit) and without a window.
// The same analysis on a server that does not sync (PARLEY_FAULT_NO_SYNC, in
// fault-point builds) reports every message as acked without a sync; in other
// builds the switch is ignored and every ack is still synced.
class TestFsyncBeforeAck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walIsSyncedBeforeEveryAck_data();
    void walIsSyncedBeforeEveryAck();
    void unsyncedServerIsCaught();

private:
    // Sends 53 messages through a traced server (5 alone, then 3 bursts of 4 from
    // each of 4 clients) and reads the trace back.
    void traceSends(const QStringList &serverArguments, const QStringList &environment, TracedRun &run);
};

void TestFsyncBeforeAck::traceSends(
    const QStringList &serverArguments, const QStringList &environment, TracedRun &run)
{
    const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
    if (strace.isEmpty()) {
        run.skipReason = QStringLiteral("strace is not installed (scripts/install-deps.sh installs it)");
        return;
    }

    TestServer setup(TestServer::Storage::TemporaryFile);
    QVERIFY(setup.start());
    QList<TestServer::Account> accounts;
    for (int i = 0; i < 4; ++i)
        accounts.append(setup.createUser(QStringLiteral("syncer%1").arg(i)));
    const auto channel = setup.createChannel(QStringLiteral("synced"), accounts.first().user.id);
    for (int i = 1; i < accounts.size(); ++i)
        setup.addMember(channel.id, accounts.at(i).user.id);
    QVERIFY(setup.stop());

    QTemporaryDir traceDir;
    QVERIFY(traceDir.isValid());
    const QString tracePath = traceDir.filePath(QStringLiteral("server.strace"));
    const QString walPath = QDir(setup.dataDir()).filePath(QStringLiteral("parley.db-wal"));
    ServerProcess server(ServerBinary);
    ServerProcess::Launch launch;
    launch.dataDir = setup.dataDir();
    launch.secretFile = setup.config().jwtSecretFile;
    launch.arguments = serverArguments;
    // LeakSanitizer cannot work under ptrace: leaks are other tests' business.
    launch.environment = environment + QStringList {QStringLiteral("ASAN_OPTIONS=detect_leaks=0")};
    launch.wrapper = strace;
    launch.wrapperArguments = {QStringLiteral("-f"), QStringLiteral("-o"), tracePath, QStringLiteral("-s"),
        QStringLiteral("65536"), QStringLiteral("-e"), QStringLiteral("signal=none"), QStringLiteral("-e"),
        QStringLiteral("trace=openat,close,fsync,fdatasync,write,writev,sendto,sendmsg,pwrite64")};
    const quint16 port = server.start(launch);
    if (port == 0 && server.standardError().contains(QLatin1String("ptrace"))) {
        run.skipReason = QStringLiteral("strace cannot trace here: ") + server.standardError();
        return;
    }
    QVERIFY2(port != 0, qPrintable(server.standardError()));

    // Sends with an ack each: single ones, then bursts from every client at once
    // (sharing a group commit), each message's content and clientMsgId unique.
    QList<std::shared_ptr<TestClient>> clients;
    for (const auto &account : accounts) {
        clients.append(std::make_shared<TestClient>(server.url()));
        QVERIFY(clients.last()->connectMain(account.token));
    }
    auto acked = std::make_shared<QSet<QString>>();
    auto sendOne = [&](TestClient &client, const QString &id) {
        run.ids.append(id);
        client.connection().emitWithAck(QStringLiteral("/"), protocol::event::MessageSend,
            QJsonArray {QJsonObject {{QStringLiteral("channelId"), channel.id},
                {QStringLiteral("content"), QStringLiteral("content of ") + id},
                {QStringLiteral("clientMsgId"), id}}},
            [acked, id](const transport::AckReply &reply) {
                if (!reply.timedOut && !reply.args.isEmpty() &&
                    reply.args.first().toObject().value(QLatin1String("success")).toBool())
                    acked->insert(id);
            });
    };
    for (int i = 0; i < 5; ++i) {
        sendOne(*clients.first(), QStringLiteral("single-%1").arg(i));
        QVERIFY(QTest::qWaitFor([&] { return acked->size() == run.ids.size(); }, 30000));
    }
    for (int round = 0; round < 3; ++round) {
        for (int c = 0; c < clients.size(); ++c) {
            for (int k = 0; k < 4; ++k)
                sendOne(*clients.at(c), QStringLiteral("burst-%1-%2-%3").arg(round).arg(c).arg(k));
        }
        QVERIFY(QTest::qWaitFor([&] { return acked->size() == run.ids.size(); }, 30000));
    }
    clients.clear();

    // The server is strace's child: SIGTERM to it ends both cleanly, trace flushed.
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(server.pid()));
    QVERIFY(children.open(QIODevice::ReadOnly));
    const qint64 serverPid =
        QString::fromLatin1(children.readAll()).section(QLatin1Char(' '), 0, 0).toLongLong();
    QVERIFY(serverPid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(serverPid), SIGTERM), 0);
    QVERIFY(server.waitForEnd());
    run.serverStderr = server.standardError();
    run.calls = readTrace(tracePath, walPath);
    QVERIFY2(!run.calls.isEmpty(), "empty trace");
}

void TestFsyncBeforeAck::walIsSyncedBeforeEveryAck_data()
{
    QTest::addColumn<QStringList>("serverArguments");
    QTest::newRow("group commit, default 2 ms window") << QStringList();
    QTest::newRow("no window (--commit-window 0)")
        << QStringList {QStringLiteral("--commit-window"), QStringLiteral("0")};
}

void TestFsyncBeforeAck::walIsSyncedBeforeEveryAck()
{
    QFETCH(QStringList, serverArguments);
    TracedRun run;
    traceSends(serverArguments, {}, run);
    if (!run.skipReason.isEmpty())
        PARLEY_SKIP_OR_FAIL_IN_CI(run.skipReason);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(run.ids.size(), 53);
    for (const QString &id : std::as_const(run.ids)) {
        const Verdict verdict = verdictFor(run.calls, id);
        QVERIFY2(verdict == Verdict::Synced,
            qPrintable(id + QStringLiteral(": ") + QLatin1String(describe(verdict))));
    }
    qInfo().noquote() << QStringLiteral("FIGURES: %1 messages acked, %2 WAL syncs")
                             .arg(run.ids.size())
                             .arg(syncCount(run.calls));
}

void TestFsyncBeforeAck::unsyncedServerIsCaught()
{
    TracedRun run;
    traceSends({}, {QStringLiteral("PARLEY_FAULT_NO_SYNC=1")}, run);
    if (!run.skipReason.isEmpty())
        PARLEY_SKIP_OR_FAIL_IN_CI(run.skipReason);
    if (QTest::currentTestFailed())
        return;
#ifdef PARLEY_FAULT_POINTS
    QVERIFY2(run.serverStderr.contains(QLatin1String("PARLEY_FAULT_NO_SYNC: synchronous=OFF")),
        qPrintable(run.serverStderr));
    QCOMPARE(syncCount(run.calls), 0);
    const Verdict expected = Verdict::NoSyncBetween;
#else
    // Without fault points the switch does not exist: the server still syncs every ack.
    QVERIFY(!run.serverStderr.contains(QLatin1String("PARLEY_FAULT_NO_SYNC")));
    const Verdict expected = Verdict::Synced;
#endif
    for (const QString &id : std::as_const(run.ids)) {
        const Verdict verdict = verdictFor(run.calls, id);
        QVERIFY2(
            verdict == expected, qPrintable(id + QStringLiteral(": ") + QLatin1String(describe(verdict))));
    }
}

QTEST_GUILESS_MAIN(TestFsyncBeforeAck)
#include "tst_fsyncbeforeack.moc"
