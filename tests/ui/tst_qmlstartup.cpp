// Start-up with the views compiled ahead of time (qmlcachegen): every file of
// Parley.Views compiles against the C++ module Parley.Ui, and Main.qml is created
// and rendered. Qt 6.4's compiled bindings once spun forever looking up a
// singleton that was registered only at run time; a watchdog ends the run and
// names the file should anything hang like that again.
#include "host/hostserver.h"
#include "ui/chatapp.h"

#include <QDirIterator>
#include <QQmlApplicationEngine>
#include <QQmlComponent>
#include <QQmlEngineExtensionPlugin>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTest>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

Q_IMPORT_QML_PLUGIN(Parley_UiPlugin)
Q_IMPORT_QML_PLUGIN(Parley_ViewsPlugin)

using namespace parley::ui;

namespace {

const QString viewsRoot = QStringLiteral(":/qt/qml/Parley/Views");

// A visible item by objectName, through the visual tree (a Loader's page is not
// a QObject child of the window's content item).
QQuickItem *visibleItemNamed(QQuickItem *item, const QString &name)
{
    if (!item->isVisible())
        return nullptr;
    if (item->objectName() == name)
        return item;
    const auto children = item->childItems();
    for (auto *child : children) {
        if (auto *found = visibleItemNamed(child, name))
            return found;
    }
    return nullptr;
}

// Ends the process, naming what it was doing, when one step takes longer than
// the limit. The steps run on the main thread, so a hang there cannot report itself.
class Watchdog
{
public:
    explicit Watchdog(std::chrono::seconds limit)
        : m_limit(limit)
        , m_thread([this] { run(); })
    { }
    ~Watchdog()
    {
        {
            std::lock_guard lock(m_mutex);
            m_finished = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    void step(const QString &what)
    {
        std::lock_guard lock(m_mutex);
        m_what = what.toStdString();
        m_deadline = std::chrono::steady_clock::now() + m_limit;
        ++m_step;
        m_wake.notify_all();
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_finished) {
            if (m_step == 0) {
                m_wake.wait(lock);
                continue;
            }
            const auto step = m_step;
            if (m_wake.wait_until(lock, m_deadline) == std::cv_status::timeout && step == m_step &&
                !m_finished) {
                std::fprintf(stderr, "FAIL: no progress for %lld s while %s\n", (long long)m_limit.count(),
                    m_what.c_str());
                std::fflush(stderr);
                std::_Exit(3);
            }
        }
    }

    std::chrono::seconds m_limit;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::string m_what;
    std::chrono::steady_clock::time_point m_deadline;
    quint64 m_step = 0;
    bool m_finished = false;
    std::thread m_thread;
};

} // namespace

class TestQmlStartup : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyViewCompiles()
    {
        Watchdog watchdog(std::chrono::seconds(60));
        ChatApp app;
        QQmlEngine engine;
        app.attachTo(&engine);
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        int files = 0;
        QDirIterator it(viewsRoot, {QStringLiteral("*.qml")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            watchdog.step(QStringLiteral("compiling ") + path);
            QQmlComponent component(&engine, QUrl(QStringLiteral("qrc") + path));
            QVERIFY2(component.isReady(), qPrintable(path + QLatin1Char(' ') + component.errorString()));
            ++files;
        }
        QVERIFY2(files >= 20, qPrintable(QString::number(files))); // the whole module, subfolders included
    }

    void theWindowRendersAtStartUp()
    {
        Watchdog watchdog(std::chrono::seconds(60));
        parley::host::HostServer host;
        ChatApp app;
        app.hosting().setServer(&host);
        app.appearance().setTheme(QStringLiteral("light"));
        QQmlApplicationEngine engine;
        app.attachTo(&engine);
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        watchdog.step(QStringLiteral("creating Main.qml"));
        engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Parley/Views/Main.qml")));
        QCOMPARE(engine.rootObjects().size(), 1);
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        QVERIFY(window);
        watchdog.step(QStringLiteral("showing the connect page"));
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QTRY_VERIFY(visibleItemNamed(window->contentItem(), QStringLiteral("connectPage")));
        watchdog.step(QStringLiteral("rendering the connect page"));
        const QImage image = window->grabWindow();
        QVERIFY(!image.isNull());
        // The light theme's window colour in a corner, the page's text elsewhere.
        QCOMPARE(image.pixelColor(2, 2), QColor(QStringLiteral("#f7f7f8")));
        bool drawn = false;
        for (int y = 0; y < image.height() && !drawn; y += 4) {
            for (int x = 0; x < image.width() && !drawn; x += 4)
                drawn = image.pixelColor(x, y) != QColor(QStringLiteral("#f7f7f8"));
        }
        QVERIFY2(drawn, "the connect page draws something");

        // The page goes while its window still renders: Qt 6.4's software
        // renderer otherwise keeps the textures of a page that goes with its window.
        auto *page = window->findChild<QObject *>(QStringLiteral("page"));
        QVERIFY(page);
        page->setProperty("active", false);
        QTRY_VERIFY(!visibleItemNamed(window->contentItem(), QStringLiteral("connectPage")));
        window->requestUpdate();
        QTest::qWait(100);
        window->grabWindow();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
};

QTEST_MAIN(TestQmlStartup)
#include "tst_qmlstartup.moc"
