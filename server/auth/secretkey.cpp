#include "secretkey.h"

#include "authlog.h"
#include "sodiuminit.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringDecoder>

#include <algorithm>
#include <sodium.h>

namespace parley::auth {

namespace {

// 32 random bytes are the whole secret; they are stored hex-encoded so the file
// is text like a hand-written --jwt-secret-file and goes through the same
// reader (a raw byte 0x0A at the end would otherwise be taken for a newline).
constexpr qsizetype GeneratedEntropyBytes = 32;

// Valid UTF-8 and no control characters: what a person types or an encoder
// (hex, base64) writes. 32 random bytes pass this with a chance of about 1 in 10^9.
bool readsAsText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return false;
    return std::none_of(
        text.cbegin(), text.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

QString describe(const QFile &file)
{
    return QDir::toNativeSeparators(file.fileName());
}

} // namespace

SecretKey::Loaded SecretKey::fromBytes(const QByteArray &bytes)
{
    if (bytes.size() < MinimumSize) {
        return QStringLiteral("the JWT secret is %1 bytes long; at least %2 are required")
            .arg(bytes.size())
            .arg(MinimumSize);
    }
    return SecretKey(bytes);
}

SecretKey::Loaded SecretKey::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QStringLiteral("cannot read the JWT secret file %1: %2")
            .arg(describe(file), file.errorString());
    }
    QByteArray bytes = file.read(MaximumFileSize + 1);
    if (bytes.size() > MaximumFileSize) {
        return QStringLiteral("the JWT secret file %1 is larger than %2 bytes")
            .arg(describe(file))
            .arg(MaximumFileSize);
    }
    if (bytes.endsWith("\r\n")) {
        bytes.chop(2);
    } else if (bytes.endsWith('\n')) {
        bytes.chop(1);
    }
    Loaded key = fromBytes(bytes);
    if (!key) {
        return QStringLiteral("%1 (file %2)").arg(key.error(), describe(file));
    }
    if (bytes.size() < MinimumTextFileSize && readsAsText(bytes)) {
        return QStringLiteral(
            "the JWT secret file %1 holds %2 bytes of text, a passphrase rather than a key: "
            "a text key needs at least %3 bytes (e.g. `openssl rand -hex 32`), "
            "random bytes at least %4")
            .arg(describe(file))
            .arg(bytes.size())
            .arg(MinimumTextFileSize)
            .arg(MinimumSize);
    }
    return key;
}

SecretKey::Loaded SecretKey::loadOrGenerate(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(generatedFileName());
    if (QFileInfo::exists(path)) {
        // Someone widened the mode by hand: the key still works, but say so.
        const auto others = QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
            QFileDevice::WriteOther;
        if (QFileInfo(path).permissions() & others) {
            qCWarning(lcAuth) << "the JWT secret file" << path << "is readable by other users; chmod 600 it";
        }
        return fromFile(path);
    }

    if (!ensureSodium()) {
        return QStringLiteral("libsodium could not be initialised; no random source for the JWT secret");
    }
    if (!QDir().mkpath(dataDir)) {
        return QStringLiteral("cannot create the data directory %1").arg(QDir::toNativeSeparators(dataDir));
    }

    QByteArray entropy(GeneratedEntropyBytes, Qt::Uninitialized);
    randombytes_buf(entropy.data(), size_t(entropy.size()));
    const QByteArray contents = entropy.toHex() + '\n';
    sodium_memzero(entropy.data(), size_t(entropy.size()));

    // NewOnly: if another process created the file in the meantime we fail
    // instead of overwriting its key. The mode is set at creation, so the key
    // is never readable by others, not even for an instant.
    QFile file(path);
    if (!file.open(
            QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        return QStringLiteral("cannot create the JWT secret file %1: %2")
            .arg(describe(file), file.errorString());
    }
    if (file.write(contents) != contents.size() || !file.flush()) {
        const QString reason = file.errorString();
        file.close();
        // A partial key would be read back short on the next start; better none.
        file.remove();
        return QStringLiteral("cannot write the JWT secret file %1: %2").arg(describe(file), reason);
    }
    file.close();
    qCInfo(lcAuth) << "generated a new JWT secret in" << path;
    return fromFile(path);
}

} // namespace parley::auth
