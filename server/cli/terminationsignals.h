#pragma once

#include <QObject>

class QSocketNotifier;

namespace parley::server::app {

// Turns SIGINT and SIGTERM into a Qt signal on the event loop. The handler only
// write()s the signal number to one end of a socketpair (async-signal-safe); a
// QSocketNotifier on the other end reads it and emits received(). One instance
// at a time; the default dispositions come back when it is destroyed.
class TerminationSignals : public QObject
{
    Q_OBJECT
public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

    // False (and a warning logged) when the socketpair or sigaction failed.
    bool isInstalled() const { return m_installed; }

Q_SIGNALS:
    void received(int signalNumber);

private:
    void readPending();

    QSocketNotifier *m_notifier = nullptr;
    bool m_installed = false;
};

} // namespace parley::server::app
