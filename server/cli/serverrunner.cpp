#include "serverrunner.h"

#include "applogging.h"
#include "core/chatserver.h"
#include "optionvalues.h"
#include "terminationsignals.h"

#include <QCoreApplication>
#include <QTextStream>

namespace parley::server::app {

int runServer(const ServerConfig &config, QTextStream &out, QTextStream &err)
{
    // Handled before the server listens, so a signal right after the announcement is not lost.
    TerminationSignals terminationSignals;
    ChatServer server(config);
    const auto port = server.start();
    if (!port) {
        err << "parley-server: " << port.error().message << Qt::endl;
        return 1;
    }
    QObject::connect(
        &terminationSignals, &TerminationSignals::received, &server, [&server](int signalNumber) {
            if (!server.isRunning())
                return;
            qCInfo(lcApp) << "signal" << signalNumber << "received: shutting down";
            server.shutdown();
        });
    QObject::connect(&server, &ChatServer::stopped, QCoreApplication::instance(), &QCoreApplication::quit,
        Qt::QueuedConnection);

    out << "listening on " << formatListenAddress(config.address, *port) << Qt::endl;
    return QCoreApplication::exec();
}

} // namespace parley::server::app
