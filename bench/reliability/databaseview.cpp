#include "databaseview.h"

#include <QDebug>
#include <QSqlDatabase>
#include <QStringList>
#include <QUuid>

namespace parley::reliability {

DatabaseView::DatabaseView(const QString &path)
    : m_name(QStringLiteral("parley.reliability.") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(path);
    m_open = db.open();
}

DatabaseView::~DatabaseView()
{
    QSqlDatabase::database(m_name).close();
    QSqlDatabase::removeDatabase(m_name);
}

QSqlQuery DatabaseView::query(const QString &sql) const
{
    QSqlQuery q(QSqlDatabase::database(m_name));
    q.setForwardOnly(true);
    if (!q.exec(sql))
        qWarning().noquote() << "query failed:" << sql;
    return q;
}

QString DatabaseView::integrityCheck() const
{
    QSqlQuery q = query(QStringLiteral("PRAGMA integrity_check"));
    QStringList lines;
    while (q.next())
        lines.append(q.value(0).toString());
    return lines.join(QLatin1Char('\n'));
}

} // namespace parley::reliability
