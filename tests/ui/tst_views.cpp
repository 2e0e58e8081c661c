// The QML views, rendered offscreen against a real hosted server: the connect page,
// hosting with its addresses, the chat page with messages (markup shown literally),
// send → pending → delivered, the reconnecting banner after the host stops, and the
// theme switch. PNGs of each land in <build>/renders for a person to look at.
#include "host/hostserver.h"
#include "ui/chatapp.h"
#include "ui/memberlistmodel.h"
#include "ui/messagelistmodel.h"

#include <QDir>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlEngineExtensionPlugin>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(Parley_UiPlugin)
Q_IMPORT_QML_PLUGIN(Parley_ViewsPlugin)

using namespace parley::ui;
using Stage = parley::client::ClientSession::Stage;

namespace {

void collect(QQuickItem *item, const QString &name, QList<QQuickItem *> &found)
{
    if (!item->isVisible())
        return;
    if (item->objectName() == name)
        found.append(item);
    const auto children = item->childItems();
    for (auto *child : children)
        collect(child, name, found);
}

// Visible items by objectName, through the visual tree (Repeater and Loader
// items are not QObject children of the window).
QList<QQuickItem *> itemsNamed(QQuickWindow *window, const QString &name)
{
    QList<QQuickItem *> found;
    collect(window->contentItem(), name, found);
    return found;
}

QString shownText(QQuickItem *textEdit)
{
    // What a person sees: the document's plain text, not its markup.
    const int length = textEdit->property("length").toInt();
    QString text;
    QMetaObject::invokeMethod(
        textEdit, "getText", Q_RETURN_ARG(QString, text), Q_ARG(int, 0), Q_ARG(int, length));
    return text;
}

// The model a view of the page shows (the page makes its own models).
template<typename Model>
Model *modelOf(QQuickWindow *window, const QString &viewName)
{
    const auto views = itemsNamed(window, viewName);
    return views.isEmpty() ? nullptr
                           : qobject_cast<Model *>(views.first()->property("model").value<QObject *>());
}

void saveRender(QQuickWindow *window, const QString &name)
{
    const QString dir = QStringLiteral(PARLEY_RENDER_DIR);
    QDir().mkpath(dir);
    // Layouts place items that just became visible at the next polish; grabbing
    // before it shows them piled up at x = 0.
    QVERIFY(QQuickTest::qWaitForPolish(window));
    const QImage image = window->grabWindow();
    QVERIFY(!image.isNull());
    QVERIFY(image.save(dir + QLatin1Char('/') + name));
}

} // namespace

class TestViews : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void hostChatAndReconnect()
    {
        QTemporaryDir dir;
        parley::host::HostServer host; // outlives the app: its session closes first
        ChatApp chat;
        chat.account().setCacheDir(dir.filePath(QStringLiteral("client")));
        chat.hosting().setServer(&host);
        chat.appearance().setTheme(QStringLiteral("light"));

        QQmlApplicationEngine engine;
        chat.attachTo(&engine);
        engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Parley/Views/Main.qml")));
        QCOMPARE(engine.rootObjects().size(), 1);
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("connectPage")).size(), 1);
        QCOMPARE(itemsNamed(window, QStringLiteral("logInButton")).size(), 1);
        saveRender(window, QStringLiteral("connect-page.png"));

        // Host: the addresses show before the host's name is chosen.
        HostOptions options;
        options.port = 0;
        options.bind = QHostAddress(QHostAddress::LocalHost);
        options.dataDir = dir.filePath(QStringLiteral("server"));
        QCOMPARE(chat.hosting().start(options), QString());
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("hostAddress")).size(), 1);
        QCOMPARE(itemsNamed(window, QStringLiteral("hostAddress")).first()->property("text").toString(),
            chat.hosting().addresses().first());
        saveRender(window, QStringLiteral("connect-page-hosting.png"));

        chat.hosting().continueAs(QStringLiteral("hostuser"));
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("chatPage")).size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(chat.account().stage(), Stage::Ready, 10000);
        QTRY_VERIFY(itemsNamed(window, QStringLiteral("stageBanner")).isEmpty()); // hidden while all is well

        // The new server opened #general for its host.
        QTRY_COMPARE_WITH_TIMEOUT(chat.channels().currentChannelName(), QStringLiteral("general"), 10000);
        auto *messages = modelOf<MessageListModel>(window, QStringLiteral("messageView"));
        auto *members = modelOf<MemberListModel>(window, QStringLiteral("memberList"));
        QVERIFY(messages && members);
        QCOMPARE(messages->channelId(), chat.channels().currentChannelId());
        const QString markup = QStringLiteral("<b>x</b><img src=\"http://127.0.0.1:1/a.png\">");
        QVERIFY(messages->sendMessage(markup));
        const auto deliveryOf = [&](int row) {
            return messages->data(messages->index(row), MessageListModel::DeliveryRole).toInt();
        };
        QCOMPARE(deliveryOf(0), int(MessageListModel::Pending)); // drawn as "Sending…" until delivered
        QVERIFY(messages->sendMessage(QStringLiteral("Notes are at https://example.org/notes, see you.")));
        // Both delivered in the model first; then the view must show it (the marks
        // appear only once the delegates exist, so checking them alone proves nothing).
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("messageText")).size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(
            deliveryOf(0) == MessageListModel::Delivered && deliveryOf(1) == MessageListModel::Delivered,
            10000);
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("stateMark")).size(), 0);
        QTRY_COMPARE(members->rowCount(), 1);
        const auto texts = itemsNamed(window, QStringLiteral("messageText"));
        QStringList shown;
        for (auto *text : texts)
            shown.append(shownText(text));
        QVERIFY2(shown.contains(markup), qPrintable(shown.join(QLatin1Char('|'))));
        QVERIFY(shown.contains(QStringLiteral("Notes are at https://example.org/notes, see you.")));
        // The header's buttons sit after the channel's name, not over it.
        QQuickItem *title = itemsNamed(window, QStringLiteral("channelTitle")).value(0);
        QQuickItem *invite = itemsNamed(window, QStringLiteral("inviteButton")).value(0);
        QVERIFY(title && invite);
        QTRY_VERIFY2(invite->mapToScene({0, 0}).x() >= title->mapToScene({title->width(), 0}).x(),
            qPrintable(QStringLiteral("invite at %1, title ends at %2")
                           .arg(invite->mapToScene({0, 0}).x())
                           .arg(title->mapToScene({title->width(), 0}).x())));
        saveRender(window, QStringLiteral("main-window.png"));

        // The theme follows the menu's choice.
        const QColor light = window->color();
        chat.appearance().setTheme(QStringLiteral("dark"));
        QTRY_VERIFY(window->color() != light);
        QVERIFY(window->color().lightnessF() < 0.5);
        // Links in the dark theme's light blue, not rich text's default dark blue.
        QTRY_VERIFY(itemsNamed(window, QStringLiteral("messageText"))
                        .last()
                        ->property("text")
                        .toString()
                        .contains(QStringLiteral("color:#8cb4ff")));
        saveRender(window, QStringLiteral("main-window-dark.png"));
        chat.appearance().setTheme(QStringLiteral("light"));

        // Out of every channel: the message area says what to do next.
        chat.channels().leaveChannel();
        QTRY_COMPARE_WITH_TIMEOUT(chat.channels().currentChannelId(), QString(), 10000);
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("historyHeader")).size(), 1);
        QTRY_VERIFY(itemsNamed(window, QStringLiteral("historyHeader"))
                        .first()
                        ->property("text")
                        .toString()
                        .startsWith(QStringLiteral("You are not in any channel yet.")));
        saveRender(window, QStringLiteral("no-channel.png"));

        // Stopping the host: everyone hears SERVER_SHUTDOWN; the banner says so and counts down.
        chat.hosting().stop();
        QTRY_COMPARE_WITH_TIMEOUT(chat.account().stage(), Stage::Reconnecting, 10000);
        QTRY_COMPARE(itemsNamed(window, QStringLiteral("stageBanner")).size(), 1);
        const auto banner = itemsNamed(window, QStringLiteral("stageText"));
        QCOMPARE(banner.size(), 1);
        QVERIFY2(banner.first()->property("text").toString().contains(QStringLiteral("Reconnecting in")),
            qPrintable(banner.first()->property("text").toString()));
        saveRender(window, QStringLiteral("reconnecting-banner.png"));
    }
};

QTEST_MAIN(TestViews)
#include "tst_views.moc"
