#include "appearance.h"

#include "chatapp.h"

#include <QGuiApplication>
#include <QPalette>
#include <QSettings>

namespace parley::ui {

namespace {

const QString themeKey = QStringLiteral("theme");

} // namespace

Appearance *Appearance::create(QQmlEngine *engine, QJSEngine *)
{
    return ChatApp::of(engine)->exposed(&ChatApp::appearance);
}

Appearance::Appearance(QObject *parent)
    : QObject(parent)
{
    const QString saved = QSettings().value(themeKey).toString();
    if (saved == QLatin1String("light") || saved == QLatin1String("dark"))
        m_theme = saved;
}

void Appearance::setTheme(const QString &theme)
{
    if (theme == m_theme)
        return;
    m_theme = theme;
    QSettings().setValue(themeKey, theme);
    Q_EMIT themeChanged();
}

bool Appearance::dark() const
{
    if (m_theme == QLatin1String("dark"))
        return true;
    if (m_theme == QLatin1String("light"))
        return false;
    // Qt 6.4 has no colour-scheme API: a dark window colour means a dark desktop.
    return QGuiApplication::palette().color(QPalette::Window).lightnessF() < 0.5;
}

} // namespace parley::ui
