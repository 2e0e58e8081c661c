#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

// The value syntaxes of parley-server's options; each returns nullopt for a
// value it does not accept, and the caller says which option wanted what.
namespace parley::server::app {

struct ListenAddress
{
    QHostAddress address;
    quint16 port = 0;
};

// Digits only (no sign, no spaces), within [minimum, maximum].
std::optional<qint64> parseWholeNumber(const QString &text, qint64 minimum, qint64 maximum);
// "127.0.0.1:7275", "[::1]:7275", "localhost:7275"; port 0-65535.
std::optional<ListenAddress> parseListenAddress(const QString &text);
// A browser Origin as it arrives in the header: scheme://host[:port], nothing after.
bool isOrigin(const QString &text);
// How an address is written in "HOST:PORT": IPv6 in brackets.
QString formatListenAddress(const QHostAddress &address, quint16 port);
// QCommandLineParser's help with its first line ("Usage: <argv[0]> ...") replaced,
// so it names the program the same way however it was started.
QString withUsageLine(const QString &helpText, const QString &usage);
// $XDG_DATA_HOME/parley/server (QStandardPaths::GenericDataLocation).
QString defaultDataDir();

} // namespace parley::server::app
