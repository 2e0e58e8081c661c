// The Qt Quick Tests of the desktop app's pages (tests/ui/qml/tst_*.qml). Each
// test file gets its own QML engine, and with it a fresh QmlFixture: a real
// server, accounts, channels and the real ChatController registered as the views'
// `Chat` singleton. No mocks.
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

Q_IMPORT_QML_PLUGIN(Parley_ViewsPlugin)

using parley::ui::ChatController;
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
        // The views' Chat: the controller of the fixture that belongs to the engine asking.
        qmlRegisterSingletonType<ChatController>(
            "Parley.Ui", 1, 0, "Chat", [](QQmlEngine *engine, QJSEngine *) -> QObject * {
                auto *fixture = engine->findChild<QmlFixture *>(QString(), Qt::FindDirectChildrenOnly);
                if (!fixture)
                    return nullptr;
                QJSEngine::setObjectOwnership(fixture->chat(), QJSEngine::CppOwnership);
                return fixture->chat();
            });
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        // A child of the engine: it goes after every view of this file is gone.
        auto *fixture = new QmlFixture(engine);
        if (!fixture->isReady())
            qWarning("the test server or its accounts could not be set up");
        engine->rootContext()->setContextProperty(QStringLiteral("fixture"), fixture);
    }

    void cleanupTestCase() { m_settingsDir.reset(); }

private:
    std::unique_ptr<QTemporaryDir> m_settingsDir;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_qmlpages, Setup)
#include "tst_qmlpages.moc"
