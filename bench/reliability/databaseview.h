#pragma once

#include <QSqlQuery>
#include <QString>

namespace parley::reliability {

// A look at parley.db after the server is gone, SQLite's own recovery of the WAL
// included, on a connection of its own.
class DatabaseView
{
public:
    explicit DatabaseView(const QString &path);
    ~DatabaseView();
    Q_DISABLE_COPY_MOVE(DatabaseView)

    bool isOpen() const { return m_open; }
    // Runs `sql` (forward only); a failure is logged and leaves the query inactive.
    QSqlQuery query(const QString &sql) const;
    // PRAGMA integrity_check's lines, "ok" for a sound file.
    QString integrityCheck() const;

private:
    QString m_name;
    bool m_open = false;
};

} // namespace parley::reliability
