#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

// The desktop executable itself, driven through QProcess with a scratch settings
// folder: what it says to people on the command line, and the window size it
// brings back from the last run.
class TestDesktopApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void helpIsWrittenForPeople();
    void windowComesBackAtItsSavedSize();

private:
    QProcess *start(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<QProcess> m_process;
};

void TestDesktopApp::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

QProcess *TestDesktopApp::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_CACHE_HOME"), m_home->filePath(QStringLiteral("cache")));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // In sanitizer builds: the app's scene graph keeps a few image textures (about
    // 2 KiB, QSGTexture/QImageData inside Qt 6.4, nothing of ours on the stack)
    // past exit, which LeakSanitizer reports as indirect leaks and turns into exit
    // status 1 — the status this test reads. Leaks of our own code are caught by
    // every in-process test, which keep detect_leaks on.
    environment.insert(QStringLiteral("ASAN_OPTIONS"), QStringLiteral("detect_leaks=0"));
    m_process->setProcessEnvironment(environment);
    m_process->start(QStringLiteral(PARLEY_APP_BINARY), arguments);
    return m_process.get();
}

void TestDesktopApp::helpIsWrittenForPeople()
{
    QProcess *app = start({QStringLiteral("--help")});
    QVERIFY(app->waitForFinished(30000));
    QCOMPARE(app->exitStatus(), QProcess::NormalExit);
    QCOMPARE(app->exitCode(), 0);
    const QString help = QString::fromUtf8(app->readAllStandardOutput());
    for (const char *option : {"--host", "--port", "--bind", "--data-dir", "--user", "--server"})
        QVERIFY2(help.contains(QLatin1String(option)), option);
}

void TestDesktopApp::windowComesBackAtItsSavedSize()
{
    // Where QSettings keeps the app's settings under XDG_CONFIG_HOME (organisation
    // "Parley", application "parley").
    {
        QSettings saved(m_home->filePath(QStringLiteral("config/Parley/parley.conf")), QSettings::IniFormat);
        saved.setValue(QStringLiteral("window/width"), 820);
        saved.setValue(QStringLiteral("window/height"), 610);
    }
    const QString shot = m_home->filePath(QStringLiteral("window.png"));
    QProcess *app = start({QStringLiteral("--screenshot"), shot});
    QVERIFY(app->waitForFinished(60000));
    QVERIFY2(app->exitCode() == 0, app->readAllStandardError().constData());
    const QImage image(shot);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size() / image.devicePixelRatio(), QSize(820, 610));
}

QTEST_GUILESS_MAIN(TestDesktopApp)
#include "tst_desktopapp.moc"
