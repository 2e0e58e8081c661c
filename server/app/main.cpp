#include "core/chatserver.h"

#include <QCoreApplication>
#include <QDebug>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("parley-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    parley::server::ChatServer server({});
    auto port = server.start();
    if (!port) {
        qCritical().noquote() << port.error().message;
        return 1;
    }
    return app.exec();
}
