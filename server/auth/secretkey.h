#pragma once

#include "protocol/result.h"

#include <QByteArray>
#include <QString>

namespace parley::auth {

// The HS256 signing key. The only ways to get one check its length, so a
// SecretKey in hand is always usable: code that signs or verifies never has to
// re-check, and a short key stops the server before it listens.
class SecretKey
{
public:
    // RFC 7518 §3.2: an HS256 key must be at least as long as the hash (32 bytes).
    static constexpr qsizetype MinimumSize = 32;
    // A key file that reads as text (UTF-8 without control characters) is held to
    // 64 bytes: text may carry as little as 4 bits a character (hex), and a
    // typed passphrase far less, while random bytes almost never form valid text.
    static constexpr qsizetype MinimumTextFileSize = 64;
    // A secret file is a few dozen bytes; refusing big ones means a wrong path
    // (a log, /dev/zero) fails clearly instead of being read into memory.
    static constexpr qsizetype MaximumFileSize = 64 * 1024;
    // Name of the generated key inside the data directory.
    static QString generatedFileName() { return QStringLiteral("jwt-secret"); }

    using Loaded = protocol::Result<SecretKey, QString>; // the key, or why not

    static Loaded fromBytes(const QByteArray &bytes);
    // --jwt-secret-file: the file's bytes with one trailing newline ("\n" or "\r\n") removed
    // (editors and `echo` add one; it is not part of the secret). At least MinimumSize
    // bytes, and MinimumTextFileSize when they read as text: a passphrase is refused.
    static Loaded fromFile(const QString &path);
    // No --jwt-secret-file: <dataDir>/jwt-secret, created on first start with
    // mode 0600 from libsodium's random generator, and read back afterwards so
    // tokens survive a restart.
    static Loaded loadOrGenerate(const QString &dataDir);

    const QByteArray &bytes() const { return m_bytes; }

private:
    explicit SecretKey(QByteArray bytes)
        : m_bytes(std::move(bytes))
    { }

    QByteArray m_bytes;
};

} // namespace parley::auth
