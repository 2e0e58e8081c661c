// parley-bench-seed --data-dir DIR --users N --channels C [--per-user K] --tokens FILE
// Seeds a fresh Parley data dir for the load generator in ../shared/bench (see
// bench/run-bench.sh) and writes the tokens file it reads with --tokens.
#include "benchseeder.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Seeds a Parley data dir for the load generator"));
    parser.addHelpOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"), QStringLiteral("Fresh data dir."), QStringLiteral("dir"));
    const QCommandLineOption users(
        QStringLiteral("users"), QStringLiteral("Users 1..N."), QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption channels(QStringLiteral("channels"), QStringLiteral("Channels 1..C."),
        QStringLiteral("c"), QStringLiteral("50"));
    const QCommandLineOption perUser(QStringLiteral("per-user"), QStringLiteral("Channels per user (K)."),
        QStringLiteral("k"), QStringLiteral("1"));
    const QCommandLineOption tokens(
        QStringLiteral("tokens"), QStringLiteral("Tokens file to write."), QStringLiteral("file"));
    parser.addOptions({dataDir, users, channels, perUser, tokens});
    parser.process(app);
    if (!parser.isSet(dataDir) || !parser.isSet(tokens)) {
        std::fprintf(stderr, "--data-dir and --tokens are required\n");
        return 2;
    }

    parley::bench::SeedPlan plan;
    plan.dataDir = parser.value(dataDir);
    plan.users = parser.value(users).toInt();
    plan.channels = parser.value(channels).toInt();
    plan.perUser = parser.value(perUser).toInt();
    plan.tokensFile = parser.value(tokens);
    const auto seeded = parley::bench::seed(plan);
    if (!seeded) {
        std::fprintf(stderr, "seeding failed: %s\n", qPrintable(seeded.error()));
        return 1;
    }
    std::printf("seeded %d users, %d channels, %d memberships; tokens in %s\n", seeded->users,
        seeded->channels, seeded->memberships, qPrintable(plan.tokensFile));
    return 0;
}
