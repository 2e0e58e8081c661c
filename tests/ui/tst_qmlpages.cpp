// The Qt Quick Tests of the desktop app's pages (tests/ui/qml/tst_*.qml). Each
// test file gets its own QML engine, and with it a fresh QmlFixture: a real
// server, accounts, channels and a real ChatApp attached to that engine, whose
// objects are the views' singletons. No mocks.
#include "qmlfixture.h"

#include <QGuiApplication>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQmlEngineExtensionPlugin>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQuickTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(Parley_UiPlugin)
Q_IMPORT_QML_PLUGIN(Parley_ViewsPlugin)

using parley::ui::test::QmlFixture;

class Setup : public QObject
{
    Q_OBJECT
public slots:
    void applicationAvailable()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ParleyTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_qmlpages"));
        // Theme and recent servers go to a folder of this run, never the user's.
        m_settingsDir = std::make_unique<QTemporaryDir>();
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir->path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir->path());
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        // A child of the engine: it goes after every view of this file is gone.
        auto *fixture = new QmlFixture(engine);
        if (!fixture->isReady())
            qWarning("the test server or its accounts could not be set up");
        fixture->app()->attachTo(engine); // this engine's singletons are the fixture's app
        engine->rootContext()->setContextProperty(QStringLiteral("fixture"), fixture);
    }

    void cleanupTestCase() { m_settingsDir.reset(); }

private:
    std::unique_ptr<QTemporaryDir> m_settingsDir;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_qmlpages, Setup)
#include "tst_qmlpages.moc"
