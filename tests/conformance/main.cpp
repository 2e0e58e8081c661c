// parley-conformance: the app the official protocol test suites talk to.
//   parley-conformance --listen 127.0.0.1:3000 --mode engine.io|socket.io [--websocket native|qt]
// With port 0 the bound port is printed ("listening on HOST:PORT") for the test runner.
#include "core/httplistener.h"
#include "engineechosession.h"
#include "net/epolleventdispatcher.h"
#include "socketiofixturesession.h"
#include "transport/framechannel.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRandomGenerator>

#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;
using namespace parley;

namespace {

// The values the suites assert on (their PING_INTERVAL / PING_TIMEOUT constants).
constexpr auto PingInterval = 300ms;
constexpr auto PingTimeout = 200ms;
constexpr auto ConnectTimeout = 1000ms;
constexpr qint64 MaxPayload = 1000000;

QString randomEngineId()
{
    QByteArray bytes(15, Qt::Uninitialized);
    QRandomGenerator::global()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

int main(int argc, char *argv[])
{
    // The suites run against the dispatcher parley-server uses (PARLEY_EVENT_DISPATCHER=glib: Qt's).
    if (qgetenv("PARLEY_EVENT_DISPATCHER") != "glib")
        QCoreApplication::setEventDispatcher(new parley::net::EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("parley-conformance"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PARLEY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Reference app for the Engine.IO / Socket.IO protocol test suites"));
    parser.addHelpOption();
    const QCommandLineOption listenOption(QStringLiteral("listen"), QStringLiteral("Address to listen on."),
        QStringLiteral("host:port"), QStringLiteral("127.0.0.1:3000"));
    const QCommandLineOption modeOption(QStringLiteral("mode"), QStringLiteral("engine.io or socket.io."),
        QStringLiteral("mode"), QStringLiteral("socket.io"));
    const QCommandLineOption webSocketOption(QStringLiteral("websocket"),
        QStringLiteral("native (Parley's own framing) or qt (Qt WebSockets), as parley-server takes it."),
        QStringLiteral("native|qt"), QStringLiteral("native"));
    parser.addOption(listenOption);
    parser.addOption(modeOption);
    parser.addOption(webSocketOption);
    parser.process(app);

    const QString mode = parser.value(modeOption);
    if (mode != QLatin1String("engine.io") && mode != QLatin1String("socket.io")) {
        std::fprintf(stderr, "--mode must be engine.io or socket.io\n");
        return 2;
    }
    const bool engineMode = mode == QLatin1String("engine.io");
    const auto webSocket = server::webSocketTransportNamed(parser.value(webSocketOption));
    if (!webSocket) {
        std::fprintf(stderr, "--websocket must be native or qt\n");
        return 2;
    }

    const QString listen = parser.value(listenOption);
    const qsizetype colon = listen.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = listen.mid(colon + 1).toUInt(&portOk);
    const QHostAddress address(listen.left(colon));
    if (colon <= 0 || !portOk || port > 65535 || address.isNull()) {
        std::fprintf(stderr, "--listen must be HOST:PORT with a numeric host address\n");
        return 2;
    }

    server::HttpListenerOptions listenerOptions;
    listenerOptions.webSocketPath =
        engineMode ? QStringLiteral("/engine.io/") : QStringLiteral("/socket.io/");
    listenerOptions.maxIncomingMessageBytes = MaxPayload;
    listenerOptions.webSocket = *webSocket;
    server::HttpListener listener(listenerOptions);

    transport::ConnectionOptions connectionOptions;
    connectionOptions.pingInterval = PingInterval;
    connectionOptions.pingTimeout = PingTimeout;
    connectionOptions.connectTimeout = ConnectTimeout;
    connectionOptions.maxPayload = MaxPayload;

    QObject::connect(
        &listener, &server::HttpListener::channelAccepted, &listener, [&](transport::FrameChannel *channel) {
            if (engineMode) {
                protocol::EngineOpenInfo open;
                open.sid = randomEngineId();
                open.pingInterval = int(PingInterval.count());
                open.pingTimeout = int(PingTimeout.count());
                open.maxPayload = MaxPayload;
                new conformance::EngineEchoSession(channel, open, &app);
            } else {
                new conformance::SocketIoFixtureSession(channel, connectionOptions, &app);
            }
        });

    const auto bound = listener.listen(address, quint16(port));
    if (!bound) {
        std::fprintf(
            stderr, "cannot listen on %s: %s\n", qPrintable(listen), qPrintable(bound.error().message));
        return 1;
    }
    std::printf("listening on %s:%u\n", qPrintable(address.toString()), unsigned(*bound));
    std::fflush(stdout);
    return app.exec();
}
