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

// Issue 8, test 2: parley-server (synchronous=FULL, WAL) under strace -f. For
// every message, the WAL write that holds its row comes first, then a sync of
// the WAL file, and only then the ack frame naming it — also when a burst of
// sends from several clients shares one group commit.
class TestFsyncBeforeAck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walIsSyncedBeforeEveryAck();
};

namespace {

// One system call strace logged, in the order they happened.
struct Call
{
    QString name;
    int fd = -1;
    QString text; // the whole line, buffers included
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

} // namespace

void TestFsyncBeforeAck::walIsSyncedBeforeEveryAck()
{
    const QString strace = QStandardPaths::findExecutable(QStringLiteral("strace"));
    if (strace.isEmpty())
        QSKIP("strace is not installed (scripts/install-deps.sh installs it)");

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
    ServerProcess server;
    // LeakSanitizer cannot work under ptrace: leaks are other tests' business.
    const quint16 port = server.start(setup.dataDir(), setup.config().jwtSecretFile, {},
        {QStringLiteral("ASAN_OPTIONS=detect_leaks=0")}, strace,
        {QStringLiteral("-f"), QStringLiteral("-o"), tracePath, QStringLiteral("-s"), QStringLiteral("65536"),
            QStringLiteral("-e"), QStringLiteral("signal=none"), QStringLiteral("-e"),
            QStringLiteral("trace=openat,close,fsync,fdatasync,write,writev,sendto,sendmsg,pwrite64")});
    if (port == 0 && server.standardError().contains(QLatin1String("ptrace")))
        QSKIP(qPrintable(QStringLiteral("strace cannot trace here: ") + server.standardError()));
    QVERIFY2(port != 0, qPrintable(server.standardError()));

    // Sends with an ack each: single ones, then bursts from every client at once
    // (sharing a group commit), each message's content and clientMsgId unique.
    QList<std::shared_ptr<TestClient>> clients;
    for (const auto &account : accounts) {
        clients.append(std::make_shared<TestClient>(server.url()));
        QVERIFY(clients.last()->connectMain(account.token));
    }
    QStringList ids;
    auto acked = std::make_shared<QSet<QString>>();
    auto sendOne = [&](TestClient &client, const QString &id) {
        ids.append(id);
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
        QVERIFY(QTest::qWaitFor([&] { return acked->size() == ids.size(); }, 30000));
    }
    for (int round = 0; round < 3; ++round) {
        for (int c = 0; c < clients.size(); ++c) {
            for (int k = 0; k < 4; ++k)
                sendOne(*clients.at(c), QStringLiteral("burst-%1-%2-%3").arg(round).arg(c).arg(k));
        }
        QVERIFY(QTest::qWaitFor([&] { return acked->size() == ids.size(); }, 30000));
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

    const QList<Call> calls = readTrace(tracePath, walPath);
    QVERIFY2(!calls.isEmpty(), "empty trace");
    qsizetype syncs = 0;
    for (const Call &call : calls)
        syncs += isSync(call.name) ? 1 : 0;
    for (const QString &id : std::as_const(ids)) {
        const QString content = QStringLiteral("content of ") + id;
        qsizetype insert = -1;
        qsizetype ack = -1;
        for (qsizetype i = 0; i < calls.size() && ack < 0; ++i) {
            const Call &call = calls.at(i);
            if (insert < 0 && call.name == QLatin1String("wal:pwrite64") && call.text.contains(content))
                insert = i;
            else if (!call.name.startsWith(QLatin1String("wal:")) &&
                call.text.contains(QStringLiteral("\\\"success\\\":true")) &&
                call.text.contains(QStringLiteral("\\\"clientMsgId\\\":\\\"%1\\\"").arg(id)))
                ack = i;
        }
        QVERIFY2(insert >= 0, qPrintable(QStringLiteral("no WAL write of %1's row").arg(id)));
        QVERIFY2(ack > insert,
            qPrintable(QStringLiteral("%1: ack at %2, WAL write at %3").arg(id).arg(ack).arg(insert)));
        bool synced = false;
        for (qsizetype i = insert + 1; i < ack && !synced; ++i)
            synced = isSync(calls.at(i).name);
        QVERIFY2(synced, qPrintable(QStringLiteral("%1 acked without a WAL sync after its write").arg(id)));
    }
    qInfo().noquote() << QStringLiteral("FIGURES: %1 messages acked, %2 WAL syncs (group commit shares them)")
                             .arg(ids.size())
                             .arg(syncs);
}

QTEST_GUILESS_MAIN(TestFsyncBeforeAck)
#include "tst_fsyncbeforeack.moc"
