#pragma once

#include <QHash>
#include <QString>

#include <functional>

namespace parley::server {

class EventRequest;

// Which handler answers which event, per namespace. Each handler family
// registers its events once at start-up; a session looks the route up for every
// event it receives and knows nothing of what the handlers do.
class EventRoutes
{
public:
    using Route = std::function<void(const EventRequest &)>;

    void add(const QString &nsp, const QString &event, Route route)
    {
        m_routes[nsp].insert(event, std::move(route));
    }
    const Route *find(const QString &nsp, const QString &event) const
    {
        const auto perNamespace = m_routes.constFind(nsp);
        if (perNamespace == m_routes.cend())
            return nullptr;
        const auto route = perNamespace->constFind(event);
        return route == perNamespace->cend() ? nullptr : &*route;
    }

private:
    QHash<QString, QHash<QString, Route>> m_routes;
};

} // namespace parley::server
