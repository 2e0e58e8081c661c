#pragma once

#include <QObject>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace parley::ui {

// Light, dark or following the desktop; kept between runs. QML knows it as the
// singleton `Appearance`; the views' Theme picks its colours from `dark`.
class Appearance : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged) // "light", "dark", "system"
    Q_PROPERTY(bool dark READ dark NOTIFY themeChanged)
public:
    static Appearance *create(QQmlEngine *engine, QJSEngine *);

    // No default constructor: Qt 6.4 would build a second instance with it
    // instead of calling create().
    explicit Appearance(QObject *parent);

    QString theme() const { return m_theme; }
    void setTheme(const QString &theme);
    bool dark() const;

Q_SIGNALS:
    void themeChanged();

private:
    QString m_theme = QStringLiteral("system");
};

} // namespace parley::ui
