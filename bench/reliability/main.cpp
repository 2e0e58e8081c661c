// parley-bench-reliability: parley-server under crash load. Seeds a fresh data
// dir, lets N senders send with clientMsgId retries while the server is
// SIGKILLed at random moments and started again, then prints restart-to-ready
// times and throughput under crash load, and checks that every acked message is
// stored exactly once (tests/reliability/README.md records the figures).
#include "crashload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdio>

using namespace parley::reliability;

namespace {

int positive(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    return ok && value >= 0 ? value : -1;
}

void print(const QString &text)
{
    std::printf("%s\n", qPrintable(text));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "parley-server under crash load: senders retry each clientMsgId until acked while the server is "
        "killed with SIGKILL at random moments and restarted. Prints restart-to-ready times and "
        "throughput, then checks every acked message is stored exactly once."));
    parser.addHelpOption();
    const QCommandLineOption server(QStringLiteral("server"),
        QStringLiteral("parley-server to run (a Release build for figures). Default: %1.")
            .arg(QStringLiteral(PARLEY_SERVER_BINARY)),
        QStringLiteral("path"), QStringLiteral(PARLEY_SERVER_BINARY));
    const QCommandLineOption senders(QStringLiteral("senders"), QStringLiteral("Clients sending at once."),
        QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption messages(QStringLiteral("messages"), QStringLiteral("Messages per sender."),
        QStringLiteral("n"), QStringLiteral("250"));
    const QCommandLineOption channels(QStringLiteral("channels"),
        QStringLiteral("Channels, every sender in each."), QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption kills(QStringLiteral("kills"),
        QStringLiteral("SIGKILLs at random moments (one more at the end)."), QStringLiteral("n"),
        QStringLiteral("20"));
    const QCommandLineOption faultPoints(QStringLiteral("fault-points"),
        QStringLiteral(
            "Also crash once at each fault point (parley-server built with -DPARLEY_FAULT_POINTS=ON)."));
    const QCommandLineOption serverArgument(QStringLiteral("server-arg"),
        QStringLiteral("Passed to parley-server, e.g. --server-arg=--commit-window=0; repeatable."),
        QStringLiteral("arg"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QStringLiteral("A fresh directory to seed and keep. Default: a temporary one, removed at the end."),
        QStringLiteral("dir"));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("A line per kill."));
    parser.addOptions(
        {server, senders, messages, channels, kills, faultPoints, serverArgument, dataDir, verbose});
    parser.process(app);

    CrashPlan plan;
    plan.serverBinary = parser.value(server);
    plan.senders = positive(parser, senders);
    plan.messagesPerSender = positive(parser, messages);
    plan.channels = positive(parser, channels);
    plan.randomKills = positive(parser, kills);
    if (plan.senders < 1 || plan.messagesPerSender < 1 || plan.channels < 1 || plan.randomKills < 0) {
        std::fprintf(stderr, "--senders, --messages and --channels need a number >= 1, --kills >= 0\n");
        return 2;
    }
    if (parser.isSet(faultPoints))
        plan.faultPoints = {QStringLiteral("before-commit"), QStringLiteral("after-commit-before-ack"),
            QStringLiteral("mid-broadcast")};
    plan.serverArguments = parser.values(serverArgument);
    plan.seed = runSeed();
    if (parser.isSet(verbose))
        plan.progress = print;
    QTemporaryDir scratch;
    if (parser.isSet(dataDir)) {
        plan.dataDir = parser.value(dataDir);
    } else if (scratch.isValid()) {
        plan.dataDir = scratch.filePath(QStringLiteral("data"));
    } else {
        std::fprintf(stderr, "no temporary directory\n");
        return 1;
    }

    CrashLoad load(plan);
    if (const QString failed = load.seed(); !failed.isEmpty()) {
        std::fprintf(stderr, "seeding failed: %s\n", qPrintable(failed));
        return 1;
    }
    print(QStringLiteral("parley-bench-reliability (%1 build): %2, %3 senders x %4 messages in %5 channels, "
                         "%6 random kills%7%8, seed %9 (PARLEY_SEED=%9 replays it)")
              .arg(QStringLiteral(PARLEY_BUILD_TYPE), plan.serverBinary)
              .arg(plan.senders)
              .arg(plan.messagesPerSender)
              .arg(plan.channels)
              .arg(plan.randomKills)
              .arg(plan.faultPoints.isEmpty() ? QString() : QStringLiteral(" + each fault point"),
                  plan.serverArguments.isEmpty()
                      ? QString()
                      : QStringLiteral(", server ") + plan.serverArguments.join(QLatin1Char(' ')))
              .arg(plan.seed));
    const CrashReport report = load.run();
    print(report.figures());
    if (!report.failures.isEmpty()) {
        print(QStringLiteral("RUN FAILED:\n") + report.failures.join(QLatin1Char('\n')));
        return 1;
    }
    const QStringList wrong = checkExactlyOnce(load.databasePath(), load.log());
    if (!wrong.isEmpty()) {
        print(QStringLiteral("EXACTLY-ONCE FAILED:\n") + wrong.join(QLatin1Char('\n')));
        return 1;
    }
    print(
        QStringLiteral("exactly once: every acked message stored once with its id and seq, every message:new "
                       "has its row, seq gap-free, integrity_check ok"));
    return 0;
}
