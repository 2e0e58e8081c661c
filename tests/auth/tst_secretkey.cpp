#include "auth/secretkey.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using parley::auth::SecretKey;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

// The mode bits as the kernel has them (QFileInfo::permissions mixes in the
// owner's view, which is not what a 0600 promise is about).
int unixMode(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0) {
        return -1;
    }
    return int(info.st_mode & 0777);
}

} // namespace

class TestSecretKey : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fileBytesAreTheKey_data();
    void fileBytesAreTheKey();
    void shortFileIsRefused();
    void passphraseIsRefused_data();
    void passphraseIsRefused();
    void missingFileIsRefused();
    void hugeFileIsRefused();
    void generatedKeyIsPrivateAndReused();
    void generatedKeysDiffer();
    void truncatedGeneratedFileIsRefused();
    void generatesIntoMissingDirectory();
};

void TestSecretKey::fileBytesAreTheKey_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QByteArray>("key");

    const QByteArray secret = QByteArray("0123456789abcdef").repeated(4); // `openssl rand -hex 32`
    QTest::newRow("no newline") << secret << secret;
    QTest::newRow("one newline removed") << secret + '\n' << secret;
    QTest::newRow("CRLF removed") << secret + "\r\n" << secret;
    QTest::newRow("only one newline removed") << secret + "\n\n" << secret + '\n';
    QTest::newRow("binary bytes kept") << QByteArray(33, '\0') << QByteArray(33, '\0');
    const QByteArray random =
        QByteArray::fromHex("8f1e0c77d2a94b3e61f0aa52c8d94e07b13c6d5e9a02f47718e3bd60c4952af1");
    QTest::newRow("32 random bytes") << random << random;
    const QByteArray passphrase = "correct horse battery staple, and a few words more..";
    QTest::newRow("text of 64 bytes")
        << passphrase.leftJustified(64, '!') << passphrase.leftJustified(64, '!');
    QTest::newRow("leading space kept") << ' ' + secret << ' ' + secret;
}

void TestSecretKey::fileBytesAreTheKey()
{
    QFETCH(QByteArray, contents);
    QFETCH(QByteArray, key);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secret"));
    writeFile(path, contents);
    const SecretKey::Loaded loaded = SecretKey::fromFile(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error()));
    QCOMPARE(loaded->bytes(), key);
}

void TestSecretKey::shortFileIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secret"));
    // 31 bytes of key: the newline does not count towards the 32.
    writeFile(path, QByteArray(31, 's') + '\n');
    const SecretKey::Loaded loaded = SecretKey::fromFile(path);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(QStringLiteral("32")), qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
}

void TestSecretKey::passphraseIsRefused_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::newRow("32 letters") << QByteArray(32, 'k');
    QTest::newRow("a sentence") << QByteArray("correct horse battery staple, and then some\n");
    QTest::newRow("63 hex digits") << QByteArray("0123456789abcdef").repeated(4).chopped(1);
    QTest::newRow("UTF-8 passphrase") << QStringLiteral("pässwörter sind keine schlüssel, nie!").toUtf8();
}

void TestSecretKey::passphraseIsRefused()
{
    QFETCH(QByteArray, contents);
    QVERIFY(contents.size() >= SecretKey::MinimumSize);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secret"));
    writeFile(path, contents);
    const SecretKey::Loaded loaded = SecretKey::fromFile(path);
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().contains(QStringLiteral("64")), qPrintable(loaded.error()));
}

void TestSecretKey::missingFileIsRefused()
{
    QTemporaryDir dir;
    const SecretKey::Loaded loaded = SecretKey::fromFile(dir.filePath(QStringLiteral("absent")));
    QVERIFY(!loaded.ok());
    QVERIFY(!loaded.error().isEmpty());
}

void TestSecretKey::hugeFileIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("secret"));
    writeFile(path, QByteArray(SecretKey::MaximumFileSize + 1, 's'));
    QVERIFY(!SecretKey::fromFile(path).ok());
}

void TestSecretKey::generatedKeyIsPrivateAndReused()
{
    QTemporaryDir dir;
    const SecretKey::Loaded first = SecretKey::loadOrGenerate(dir.path());
    QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error()));
    QVERIFY(first->bytes().size() >= SecretKey::MinimumSize);

    const QString path = QDir(dir.path()).filePath(SecretKey::generatedFileName());
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(unixMode(path), 0600);

    // A restart reads the same key back instead of making a new one.
    const SecretKey::Loaded second = SecretKey::loadOrGenerate(dir.path());
    QVERIFY(second.ok());
    QCOMPARE(second->bytes(), first->bytes());
    QCOMPARE(SecretKey::fromFile(path)->bytes(), first->bytes());
}

void TestSecretKey::generatedKeysDiffer()
{
    QTemporaryDir one;
    QTemporaryDir two;
    QVERIFY(SecretKey::loadOrGenerate(one.path())->bytes() != SecretKey::loadOrGenerate(two.path())->bytes());
}

void TestSecretKey::truncatedGeneratedFileIsRefused()
{
    QTemporaryDir dir;
    writeFile(QDir(dir.path()).filePath(SecretKey::generatedFileName()), "short\n");
    // A damaged key is an error to fix, not a reason to mint a new one silently
    // (which would log everybody out).
    QVERIFY(!SecretKey::loadOrGenerate(dir.path()).ok());
}

void TestSecretKey::generatesIntoMissingDirectory()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("nested/data"));
    QVERIFY(SecretKey::loadOrGenerate(dataDir).ok());
    QCOMPARE(unixMode(QDir(dataDir).filePath(SecretKey::generatedFileName())), 0600);
}

QTEST_GUILESS_MAIN(TestSecretKey)
#include "tst_secretkey.moc"
