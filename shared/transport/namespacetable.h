#pragma once

#include "socketioconnection.h"

#include <QAnyStringView>
#include <QList>
#include <QString>

#include <algorithm>

namespace parley::transport {

// The namespaces of one connection: joined ones, and ones whose CONNECT waits for
// an answer. A client keeps the events that arrive for a waiting namespace here
// until the CONNECT reply lets it deliver them. Connections join one or two
// namespaces, so plain lists beat hashing on every packet.
class NamespaceTable
{
public:
    bool isConnected(QAnyStringView nsp) const
    {
        return std::any_of(m_connected.cbegin(), m_connected.cend(),
            [nsp](const QString &connected) { return QAnyStringView::equal(connected, nsp); });
    }
    bool isPending(const QString &nsp) const { return indexOfPending(nsp) >= 0; }
    bool hasConnected() const { return !m_connected.isEmpty(); }
    bool hasPending() const { return !m_pending.isEmpty(); }

    void markPending(const QString &nsp);
    // Moves nsp from waiting to joined; returns the events buffered meanwhile.
    QList<IncomingEvent> markConnected(const QString &nsp);
    void bufferEvent(IncomingEvent event); // for a waiting namespace
    // Forgets nsp, joined or waiting, with its buffered events. False if unknown.
    bool remove(const QString &nsp);
    void clear();

private:
    struct Waiting
    {
        QString nsp;
        QList<IncomingEvent> buffered;
    };
    qsizetype indexOfPending(const QString &nsp) const;

    QList<QString> m_connected;
    QList<Waiting> m_pending;
};

} // namespace parley::transport
