// parley: the desktop chat client, and "host on this computer".
#include "host/hostserver.h"
#include "session/keychaintokenstore.h"
#include "ui/chatapp.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlEngineExtensionPlugin>
#include <QQuickWindow>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

Q_IMPORT_QML_PLUGIN(Parley_UiPlugin)
Q_IMPORT_QML_PLUGIN(Parley_ViewsPlugin)

namespace {

struct Arguments
{
    bool host = false;
    parley::ui::HostOptions hostOptions;
    QString server;
    QString screenshot;
};

// Errors on the command line are sentences for people, then a hint, then exit 2.
[[noreturn]] void refuse(const QString &why)
{
    std::fprintf(
        stderr, "parley: %s\nRun `parley --help` to see what parley understands.\n", qPrintable(why));
    std::exit(2);
}

Arguments parseArguments(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Parley: chat with your team.\n\n"
        "  parley                      open the app and sign in to a server\n"
        "  parley --server HOST:7275   open the app with that server filled in\n"
        "  parley --host               host a server on this computer and chat on it at once;\n"
        "                              teammates type one of the addresses the window shows"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Host a server on this computer."));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port to host on (default 7275)."),
        QStringLiteral("N"), QStringLiteral("7275"));
    const QCommandLineOption bind(QStringLiteral("bind"),
        QStringLiteral("Address to host on: 0.0.0.0 for the whole network (default), 127.0.0.1 for this "
                       "computer only."),
        QStringLiteral("ADDR"), QStringLiteral("0.0.0.0"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QStringLiteral("Where the hosted server keeps its data (default $XDG_DATA_HOME/parley/server)."),
        QStringLiteral("DIR"));
    const QCommandLineOption user(QStringLiteral("user"),
        QStringLiteral("Your username on the server you host (default: your login name, asked once)."),
        QStringLiteral("NAME"));
    const QCommandLineOption server(QStringLiteral("server"),
        QStringLiteral("The server to sign in to, e.g. ws://HOST:7275."), QStringLiteral("URL"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
        QStringLiteral("FILE"));
    parser.addOptions({host, port, bind, dataDir, user, server, screenshot});
    parser.process(app);

    Arguments args;
    args.host = parser.isSet(host);
    bool portOk = false;
    const uint portNumber = parser.value(port).toUInt(&portOk);
    if (!portOk || portNumber == 0 || portNumber > 65535)
        refuse(QStringLiteral("--port wants a number from 1 to 65535, not “%1”.").arg(parser.value(port)));
    args.hostOptions.port = quint16(portNumber);
    const QHostAddress address(parser.value(bind));
    if (address.isNull())
        refuse(QStringLiteral("--bind wants an IP address such as 0.0.0.0 or 127.0.0.1, not “%1”.")
                   .arg(parser.value(bind)));
    args.hostOptions.bind = address;
    args.hostOptions.dataDir = parser.value(dataDir);
    args.hostOptions.username = parser.value(user);
    args.server = parser.value(server);
    args.screenshot = parser.value(screenshot);
    if (!args.host &&
        (parser.isSet(port) || parser.isSet(bind) || parser.isSet(dataDir) || parser.isSet(user)))
        refuse(QStringLiteral("--port, --bind, --data-dir and --user go with --host."));
    return args;
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Parley"));
    QCoreApplication::setApplicationName(QStringLiteral("parley"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PARLEY_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Parley"));
    QGuiApplication::setDesktopFileName(QStringLiteral("parley"));
    const Arguments args = parseArguments(app);

    parley::client::KeychainTokenStore tokens;
    // Declared before the app: the app's session closes while the server still runs.
    parley::host::HostServer host;
    parley::ui::ChatApp chat;
    chat.account().setTokenStore(&tokens);
    chat.hosting().setServer(&host);

    if (args.host) {
        // The server listens now, before any question is asked.
        const QString error = chat.hosting().start(args.hostOptions);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "parley: cannot host on this computer: %s\n", qPrintable(error));
            return 1;
        }
        const auto addresses = chat.hosting().addresses();
        std::fprintf(
            stdout, "Hosting. Teammates connect to: %s\n", qPrintable(addresses.join(QStringLiteral(", "))));
        std::fflush(stdout);
    }

    QQmlApplicationEngine engine;
    chat.attachTo(&engine);
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QSettings settings;
    engine.setInitialProperties({
        {QStringLiteral("initialServer"), args.server},
        {QStringLiteral("width"), settings.value(QStringLiteral("window/width"), 1000).toInt()},
        {QStringLiteral("height"), settings.value(QStringLiteral("window/height"), 700).toInt()},
    });
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Parley/Views/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());

    if (!args.screenshot.isEmpty() && window) {
        QTimer::singleShot(1200, window, [window, file = args.screenshot] {
            const bool saved = window->grabWindow().save(file);
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    const int code = app.exec();
    if (window && args.screenshot.isEmpty()) {
        settings.setValue(QStringLiteral("window/width"), window->width());
        settings.setValue(QStringLiteral("window/height"), window->height());
    }
    return code;
}
