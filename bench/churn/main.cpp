// parley-bench-churn: connection churn against parley-server. Seeds a fresh data dir
// (one user in a few channels), then runs connect → connection:ready → disconnect
// cycles, a few in flight at once, and prints the server's descriptors, rooms,
// connections and resident memory at the start and after each third: descriptors,
// rooms and connections must come back to the start, and memory must not grow
// between the second and the third third.
#include "churnrun.h"
#include "seededserver.h"
#include "serverprobe.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace parley::churn;
using namespace std::chrono_literals;

namespace {

struct Sample
{
    int descriptors = -1;
    int rooms = -1;
    int connections = -1;
    qint64 rssKiB = -1;
};

Sample sample(SeededServer &server)
{
    Sample s;
    if (const auto health = fetchHealth(server.port())) {
        s.rooms = health->rooms;
        s.connections = health->connections;
    }
    s.descriptors = openDescriptors(server.pid()); // after /healthz: its socket is gone again
    s.rssKiB = residentKiB(server.pid());
    return s;
}

void print(const QString &label, const Sample &s, const QString &extra = {})
{
    std::printf("%-10s descriptors %5d  rooms %4d  connections %4d  RSS %7.1f MiB%s\n", qPrintable(label),
        s.descriptors, s.rooms, s.connections, double(s.rssKiB) / 1024.0, qPrintable(extra));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Connection churn against parley-server: connect, connection:ready, disconnect, over and over. "
        "Prints descriptors, rooms, connections and RSS at the start and after each third."));
    parser.addHelpOption();
    const QCommandLineOption server(QStringLiteral("server"),
        QStringLiteral("parley-server to run (a Release build for figures). Default: %1.")
            .arg(QStringLiteral(PARLEY_SERVER_BINARY)),
        QStringLiteral("path"), QStringLiteral(PARLEY_SERVER_BINARY));
    const QCommandLineOption cycles(QStringLiteral("cycles"), QStringLiteral("Cycles in all."),
        QStringLiteral("n"), QStringLiteral("100000"));
    const QCommandLineOption parallel(QStringLiteral("parallel"), QStringLiteral("Cycles in flight at once."),
        QStringLiteral("n"), QStringLiteral("8"));
    const QCommandLineOption channels(QStringLiteral("channels"),
        QStringLiteral("Channels the user is in (a room each, besides user:<id>)."), QStringLiteral("n"),
        QStringLiteral("5"));
    parser.addOptions({server, cycles, parallel, channels});
    parser.process(app);
    const qint64 total = parser.value(cycles).toLongLong();
    const int inFlight = parser.value(parallel).toInt();
    const int channelCount = parser.value(channels).toInt();
    if (total < 3 || inFlight < 1 || channelCount < 1) {
        std::fprintf(stderr, "--cycles at least 3, --parallel and --channels at least 1\n");
        return 2;
    }

    SeededServer seeded({parser.value(server), 1, channelCount, {}});
    if (const QString failure = seeded.start(); !failure.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(failure));
        return 1;
    }
    std::printf("parley-bench-churn (%s build of the bench): %lld cycles, %d in flight, %d channels\n",
        PARLEY_BUILD_TYPE, total, inFlight, channelCount);
    const Sample start = sample(seeded);
    print(QStringLiteral("start"), start);

    ChurnRun churn({seeded.port(), seeded.token(1), inFlight});
    QList<Sample> thirds;
    qint64 failed = 0;
    for (int third = 1; third <= 3; ++third) {
        const qint64 share = third < 3 ? total / 3 : total - 2 * (total / 3);
        const ChurnResult result = churn.run(share, std::chrono::hours(2));
        failed += result.failed + (share - result.completed - result.failed);
        // Let the server finish the last closes before counting.
        Sample s;
        QElapsedTimer settle;
        settle.start();
        do {
            s = sample(seeded);
        } while ((s.descriptors != start.descriptors || s.connections != start.connections) &&
            settle.elapsed() < 10000);
        thirds.append(s);
        print(QStringLiteral("third %1").arg(third), s,
            QStringLiteral("  (%1 cycles in %2 ms: %3 cycles/s, %4 failed%5)")
                .arg(result.completed)
                .arg(result.elapsedMs)
                .arg(
                    result.elapsedMs > 0 ? double(result.completed) * 1000.0 / double(result.elapsedMs) : 0.0,
                    0, 'f', 0)
                .arg(result.failed)
                .arg(result.failures.isEmpty() ? QString() : QStringLiteral(": ") + result.failures.first()));
    }
    const Sample &last = thirds.last();
    const bool back = last.descriptors == start.descriptors && last.rooms == start.rooms &&
        last.connections == start.connections;
    const qint64 growthKiB = last.rssKiB - thirds.at(1).rssKiB;
    std::printf("descriptors, rooms and connections back to the start: %s; RSS from the second to the third "
                "third: %+lld KiB; failed cycles: %lld\n",
        back ? "yes" : "NO", growthKiB, failed);
    seeded.process().terminate();
    return back && failed == 0 ? 0 : 1;
}
