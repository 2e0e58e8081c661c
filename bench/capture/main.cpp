// bench/capture: pushes frames through a client-role SocketIoConnection over an
// in-memory channel (no sockets, no event loop) and reports the cost per frame of
// the protocol capture: compiled out, compiled in but switched off, and on.
//
// parley-bench-capture [--frames N] [--rounds R]    every variant, each run in a
//     child process (parley-bench-capture-out, next to it, for the compiled-out one)
// parley-bench-capture --raw off|on|lean [--frames N]  one run, prints CPU ns
// parley-bench-capture-out --raw [--frames N]          one compiled-out run

#include "transport/capturerecorder.h"
#include "transport/framechannel.h"
#include "transport/socketioconnection.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <vector>

using namespace parley::transport;

namespace {

// Takes what the connection sends and drops it; the bench plays the server by
// emitting textReceived() itself.
class NullChannel final : public FrameChannel
{
public:
    void sendText(const QByteArray &utf8) override { sent += utf8.size(); }
    void sendBinary(const QByteArray &bytes) override { sent += bytes.size(); }
    qint64 queuedBytes() const override { return 0; }
    void close(const QString &) override { }
    QUrl requestUrl() const override { return {}; }
    QByteArray requestHeader(const QByteArray &) const override { return {}; }
    QString peerAddress() const override { return QStringLiteral("memory"); }

    qint64 sent = 0;
};

enum class Variant
{
    CompiledOut, // this executable's transport has no capture hooks
    Off, // hooks compiled in, a recorder attached but switched off
    On, // recording, payloads kept (redacted)
    OnWithoutPayloads,
};

// One round: frames / 4 times an emitWithAck (out), its ack (in), a message:new
// (in) and a typing event (out), like a busy chat client.
struct Workload
{
    explicit Workload(int frames)
    {
        const int rounds = frames / 4;
        const QString content =
            QStringLiteral("a chat message of ordinary length, about sixty characters...");
        for (int i = 0; i < rounds; ++i) {
            acks.append(QByteArray("43") + QByteArray::number(i) + R"([{"ok":true,"message":{"id":")" +
                QByteArray::number(i) + R"(","seq":)" + QByteArray::number(i) + "}}]");
            news.append(QByteArray(R"(42["message:new",{"id":")") + QByteArray::number(i) +
                R"(","channelId":"1","seq":)" + QByteArray::number(i) +
                R"(,"userId":"7","author":{"id":"7","username":"ada","displayName":"Ada"},"content":")" +
                content.toUtf8() + R"(","createdAt":"2026-11-27T03:00:00.000Z","clientMsgId":null}])");
        }
        sendArgs = QJsonArray {QJsonObject {{QStringLiteral("channelId"), QStringLiteral("1")},
            {QStringLiteral("content"), content},
            {QStringLiteral("clientMsgId"), QStringLiteral("0b6f1c2e-6f8a-4c1e-9a57-3f1d2c4b5a69")}}};
        typingArgs = QJsonArray {QJsonObject {{QStringLiteral("channelId"), QStringLiteral("1")}}};
    }
    int frames() const { return int(acks.size()) * 4; }

    QList<QByteArray> acks;
    QList<QByteArray> news;
    QJsonArray sendArgs;
    QJsonArray typingArgs;
};

// CPU time of this thread: the machine may be shared, and wall time would count
// what other processes took.
qint64 threadCpuNs()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

std::optional<Variant> variantNamed(const QString &name)
{
    if (name == QLatin1String("off"))
        return Variant::Off;
    if (name == QLatin1String("on"))
        return Variant::On;
    if (name == QLatin1String("lean"))
        return Variant::OnWithoutPayloads;
    return std::nullopt;
}

// CPU nanoseconds for the whole workload; nullopt if the connection misbehaved.
std::optional<qint64> run(const Workload &work, Variant variant)
{
    CaptureRecorder recorder;
    auto *channel = new NullChannel;
    SocketIoConnection client(SocketIoConnection::Role::Client, channel);
    if (variant != Variant::CompiledOut) {
        client.attachCapture(&recorder);
        recorder.setEnabled(variant == Variant::On || variant == Variant::OnWithoutPayloads);
        recorder.setKeepPayloads(variant == Variant::On);
    }
    qint64 acked = 0;
    qint64 received = 0;
    QObject::connect(&client, &SocketIoConnection::eventReceived, &client, [&] { ++received; });
    client.connectNamespace(QStringLiteral("/"));
    Q_EMIT channel->opened();
    Q_EMIT channel->textReceived(
        R"(0{"sid":"bench","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
    Q_EMIT channel->textReceived(R"(40{"sid":"nsp-bench"})");
    if (!client.isNamespaceConnected(QStringLiteral("/")))
        return std::nullopt;

    const QString nsp = QStringLiteral("/");
    const QString send = QStringLiteral("message:send");
    const QString typing = QStringLiteral("typing:start");
    const qint64 started = threadCpuNs();
    for (qsizetype i = 0; i < work.acks.size(); ++i) {
        client.emitWithAck(nsp, send, work.sendArgs, [&acked](const AckReply &) { ++acked; });
        Q_EMIT channel->textReceived(work.acks.at(i));
        Q_EMIT channel->textReceived(work.news.at(i));
        client.emitEvent(nsp, typing, work.typingArgs);
    }
    const qint64 elapsed = threadCpuNs() - started;
    if (acked != work.acks.size() || received != work.news.size())
        return std::nullopt;
    return elapsed;
}

// One variant in a fresh process (the compiled-out one is the other executable), so
// that no variant inherits another's heap: prints its CPU nanoseconds.
std::optional<qint64> runChild(const QString &program, const QString &variant, int frames)
{
    QProcess child;
    child.start(
        program, {QStringLiteral("--raw"), variant, QStringLiteral("--frames"), QString::number(frames)});
    if (!child.waitForFinished(600000) || child.exitCode() != 0)
        return std::nullopt;
    bool ok = false;
    const qint64 ns = child.readAllStandardOutput().trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(ns) : std::nullopt;
}

struct Samples
{
    void add(std::optional<qint64> ns)
    {
        if (ns)
            values.push_back(*ns);
    }
    std::optional<qint64> best() const
    {
        if (values.empty())
            return std::nullopt;
        return *std::min_element(values.begin(), values.end());
    }
    std::optional<qint64> median() const
    {
        if (values.empty())
            return std::nullopt;
        std::vector<qint64> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        return sorted[sorted.size() / 2];
    }
    std::vector<qint64> values;
};

void printLine(const char *label, const Samples &samples, int frames, const Samples &baseline)
{
    const auto best = samples.best();
    const auto median = samples.median();
    if (!best) {
        std::printf("  %-26s n/a\n", label);
        return;
    }
    std::printf(
        "  %-26s %8.1f ns/frame (median %8.1f)", label, double(*best) / frames, double(*median) / frames);
    const auto baseBest = baseline.best();
    const auto baseMedian = baseline.median();
    if (baseBest && &samples != &baseline)
        std::printf("  %+6.1f%% (median %+6.1f%%) vs compiled out",
            100.0 * double(*best - *baseBest) / double(*baseBest),
            100.0 * double(*median - *baseMedian) / double(*baseMedian));
    std::printf("\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The cost of the protocol capture per frame."));
    parser.addHelpOption();
    const QCommandLineOption framesOption(QStringLiteral("frames"), QStringLiteral("Frames per run."),
        QStringLiteral("n"), QStringLiteral("200000"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"),
        QStringLiteral("Runs of each variant; the best counts."), QStringLiteral("n"), QStringLiteral("7"));
    const QCommandLineOption rawOption(QStringLiteral("raw"),
        QStringLiteral("One run of the variant named (off, on, lean; the -out executable: its own), "
                       "after a warm-up; print CPU ns only."));
    parser.addPositionalArgument(QStringLiteral("variant"), QStringLiteral("With --raw: off, on or lean."));
    parser.addOptions({framesOption, roundsOption, rawOption});
    parser.process(app);

    const Workload work(std::max(parser.value(framesOption).toInt(), 4));
    const int frames = work.frames();
    if (parser.isSet(rawOption)) {
        const QString name = parser.positionalArguments().value(0, QStringLiteral("off"));
        const std::optional<Variant> variant =
            CaptureRecorder::isCompiledIn() ? variantNamed(name) : std::optional(Variant::CompiledOut);
        if (!variant)
            return 2;
        run(Workload(std::max(frames / 10, 4)), *variant); // warm-up: heap, code, Qt's lazy statics
        const auto ns = run(work, *variant);
        if (!ns)
            return 1;
        std::printf("%lld\n", static_cast<long long>(*ns));
        return 0;
    }
    if (!CaptureRecorder::isCompiledIn()) {
        std::fprintf(stderr,
            "this build has -DPARLEY_CAPTURE=OFF: run parley-bench-capture from a build with it ON\n");
        return 1;
    }

    const QDir here(QCoreApplication::applicationDirPath());
    const QString self = QCoreApplication::applicationFilePath();
    const QString outProgram = here.filePath(QStringLiteral("parley-bench-capture-out"));
    const int rounds = std::max(parser.value(roundsOption).toInt(), 1);
    Samples out, off, on, lean;
    // Interleaved rounds, so that a busy moment on the machine hits every variant.
    for (int round = 0; round < rounds; ++round) {
        out.add(runChild(outProgram, QStringLiteral("out"), frames));
        off.add(runChild(self, QStringLiteral("off"), frames));
        on.add(runChild(self, QStringLiteral("on"), frames));
        lean.add(runChild(self, QStringLiteral("lean"), frames));
    }

    std::printf("bench/capture: %d frames through a client SocketIoConnection (in-memory channel);\n"
                "CPU time of the sending thread, best and median of %d rounds, one process per run\n",
        frames, rounds);
    printLine("compiled out", out, frames, out);
    printLine("compiled in, switched off", off, frames, out);
    printLine("on, payloads kept", on, frames, out);
    printLine("on, without payloads", lean, frames, out);
    return 0;
}
