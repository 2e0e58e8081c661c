// ClientSession against the reference stack: a Node socket.io v4 server
// (tests/interop/contract-server.mjs) implementing the contract's core events.
// Registered by tests/interop/CMakeLists.txt, which checks the npm install first.
#include "session/authclient.h"
#include "session/clientsession.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace parley::client;
using namespace std::chrono_literals;
using parley::protocol::ErrorCode;
using parley::protocol::Message;
using Stage = ClientSession::Stage;

class TestNodeInterop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QString node = qEnvironmentVariable("NODE");
        if (node.isEmpty())
            node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "node not found (set NODE)");
        m_server.setWorkingDirectory(QStringLiteral(PARLEY_INTEROP_DIR));
        m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_server.start(node, {QStringLiteral("contract-server.mjs")});
        QVERIFY2(m_server.waitForStarted(10000), qPrintable(m_server.errorString()));
        const QRegularExpression listening(QStringLiteral(R"(listening on [^\s]+:(\d+))"));
        QByteArray output;
        QVERIFY(QTest::qWaitFor(
            [&] {
                output += m_server.readAllStandardOutput();
                const auto match = listening.match(QString::fromUtf8(output));
                if (match.hasMatch())
                    m_port = match.captured(1).toUShort();
                return m_port != 0 || m_server.state() == QProcess::NotRunning;
            },
            20000));
        QVERIFY2(m_port != 0, output.constData());
        m_address = ServerAddress(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)));
    }

    void cleanupTestCase()
    {
        m_server.terminate();
        if (!m_server.waitForFinished(5000))
            m_server.kill();
    }

    void logInReadySendReceive()
    {
        AuthClient auth(m_address);
        QString aliceToken = logIn(auth, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QString bobToken = logIn(auth, QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY(!aliceToken.isEmpty() && !bobToken.isEmpty());

        ClientSession alice(optionsFor(QStringLiteral("alice")));
        ClientSession bob(optionsFor(QStringLiteral("bob")));
        QSignalSpy aliceStages(&alice, &ClientSession::stageChanged);
        QList<Message> aliceGot;
        QList<Message> bobGot;
        connect(&alice, &ClientSession::messagesArrived, this,
            [&](const QString &, const QList<Message> &messages) { aliceGot.append(messages); });
        connect(&bob, &ClientSession::messagesArrived, this,
            [&](const QString &, const QList<Message> &messages) { bobGot.append(messages); });
        alice.start(aliceToken);
        bob.start(bobToken);
        QTRY_COMPARE_WITH_TIMEOUT(alice.stage(), Stage::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bob.stage(), Stage::Ready, 10000);
        QCOMPARE(aliceStages.first().first().value<Stage>(), Stage::Connecting);
        QCOMPARE(alice.user().username, QStringLiteral("alice"));
        QCOMPARE(alice.channels().size(), 1);
        QCOMPARE(alice.channels().first().channel.name, QStringLiteral("general"));

        const QString first = alice.sendMessage(QStringLiteral("1"), QStringLiteral("hello from Qt"));
        const QString second = alice.sendMessage(QStringLiteral("1"), QStringLiteral("and again"));
        QTRY_VERIFY_WITH_TIMEOUT(alice.outbox().isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bobGot.size(), 2, 10000);
        QCOMPARE(bobGot[0].content, QStringLiteral("hello from Qt"));
        QCOMPARE(bobGot[0].clientMsgId, first);
        QCOMPARE(bobGot[0].author.displayName, QStringLiteral("Alice"));
        QCOMPARE(bobGot[1].clientMsgId, second);

        bob.sendMessage(QStringLiteral("1"), QStringLiteral("hi alice"));
        QTRY_COMPARE_WITH_TIMEOUT(aliceGot.size(), 3, 10000);
        QCOMPARE(aliceGot[2].content, QStringLiteral("hi alice"));
        QCOMPARE(aliceGot[2].seq, 3);
        QCOMPARE(aliceGot[0].seq, 1); // her own, once, in order

        // Offline while Bob writes: the gap comes back through message:history.
        alice.stop();
        for (int i = 0; i < 5; ++i)
            bob.sendMessage(QStringLiteral("1"), QStringLiteral("missed %1").arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(bob.outbox().isEmpty(), 10000);
        alice.start(aliceToken);
        QTRY_COMPARE_WITH_TIMEOUT(aliceGot.size(), 8, 10000);
        for (int i = 0; i < aliceGot.size(); ++i)
            QCOMPARE(aliceGot[i].seq, i + 1);
    }

    void refusedSignInAndToken()
    {
        AuthClient auth(m_address);
        std::optional<AuthResult> result;
        auth.login(QStringLiteral("alice"), QStringLiteral("not her password"),
            [&](const AuthResult &r) { result = r; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
        QVERIFY(!*result);
        QCOMPARE(result->error().code, ErrorCode::InvalidCredentials);

        ClientSession session(optionsFor(QStringLiteral("mallory")));
        session.start(QStringLiteral("made-up"));
        QTRY_COMPARE_WITH_TIMEOUT(session.stage(), Stage::Failed, 10000);
        QCOMPARE(session.lastError()->code, ErrorCode::AuthInvalid);
    }

private:
    SessionOptions optionsFor(const QString &account)
    {
        SessionOptions options;
        options.server = m_address;
        options.account = account;
        options.cacheDir = m_cacheDir.path();
        options.reconnectBase = 50ms;
        return options;
    }

    QString logIn(AuthClient &auth, const QString &username, const QString &password)
    {
        std::optional<AuthResult> result;
        auth.login(username, password, [&](const AuthResult &r) { result = r; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000) || !*result)
            return {};
        return (*result)->token;
    }

    QProcess m_server;
    quint16 m_port = 0;
    ServerAddress m_address;
    QTemporaryDir m_cacheDir;
};

QTEST_GUILESS_MAIN(TestNodeInterop)
#include "tst_nodeinterop.moc"
