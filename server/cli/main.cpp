#include "cli/admintool.h"
#include "cli/applogging.h"
#include "cli/serveroptions.h"
#include "cli/serverrunner.h"
#include "net/descriptorlimit.h"
#include "net/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>
#include <sys/stat.h>

using namespace parley::server::app;

int main(int argc, char *argv[])
{
    // Everything the server and its admin commands create (database, WAL, key, trace,
    // lock) is for this account alone; the files that matter are also made private
    // explicitly, for the desktop app's host mode which keeps the user's umask.
    ::umask(077);
    // Qt's default dispatcher hands the kernel every socket on every loop turn; epoll keeps
    // a turn's cost to the ready sockets. PARLEY_EVENT_DISPATCHER=glib goes back to Qt's.
    if (qgetenv("PARLEY_EVENT_DISPATCHER") != "glib")
        QCoreApplication::setEventDispatcher(new parley::net::EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("parley-server"));
    QCoreApplication::setApplicationVersion(ServerOptions::version());

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto invocation = ServerOptions::parse(QCoreApplication::arguments());
    if (!invocation) {
        err << "parley-server: " << invocation.error().message << Qt::endl;
        return 2;
    }
    switch (invocation->kind) {
    case Invocation::Kind::ShowText:
        out << invocation->text << Qt::flush;
        return 0;
    case Invocation::Kind::Admin: {
        // A command's output is its answer; the store's progress notes would bury it.
        // QT_LOGGING_RULES still overrides this.
        QLoggingCategory::setFilterRules(QStringLiteral("parley.*.debug=false\nparley.*.info=false"));
        QFile input;
        if (!input.open(stdin, QIODevice::ReadOnly)) {
            err << "parley-server: cannot read standard input" << Qt::endl;
            return 1;
        }
        AdminTool tool(invocation->config, out, err, input);
        return tool.run(invocation->admin);
    }
    case Invocation::Kind::Serve:
        break;
    }
    // One descriptor per connection: the soft limit (often 1024) would cap the server far
    // below what the hard limit allows.
    const parley::net::DescriptorLimit limit = parley::net::raiseDescriptorLimit();
    if (limit.raised())
        qCInfo(lcApp) << "open-descriptor limit raised from" << limit.before << "to" << limit.soft;
    else
        qCInfo(lcApp) << "open-descriptor limit" << limit.soft << "(hard limit" << limit.hard << ")";
    return runServer(invocation->config, out, err);
}
