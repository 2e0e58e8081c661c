#pragma once

#include "protocol/result.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace parley::client {

struct TokenStoreError
{
    enum class Kind
    {
        NotFound, // no token stored under that key
        NoSecretService, // no keyring to keep it in; the token is NOT stored anywhere
        AccessDenied,
        Other,
    };
    Kind kind = Kind::Other;
    QString message; // a sentence for a person
};

// Where a session's token is kept between runs: one entry per server and account
// (accountKey()). Answers arrive through the callbacks, possibly before the call
// returns. A store never falls back to plain text on disk.
class TokenStore : public QObject
{
    Q_OBJECT
public:
    using ReadCallback = std::function<void(const protocol::Result<QString, TokenStoreError> &)>;
    using DoneCallback = std::function<void(const std::optional<TokenStoreError> &)>;

    using QObject::QObject;

    virtual void readToken(const QString &key, ReadCallback callback) = 0;
    virtual void writeToken(const QString &key, const QString &token, DoneCallback callback) = 0;
    virtual void deleteToken(const QString &key, DoneCallback callback) = 0; // log-out
};

// Tokens in memory only, for tests and for sessions that must not persist.
class MemoryTokenStore final : public TokenStore
{
    Q_OBJECT
public:
    using TokenStore::TokenStore;

    void readToken(const QString &key, ReadCallback callback) override;
    void writeToken(const QString &key, const QString &token, DoneCallback callback) override;
    void deleteToken(const QString &key, DoneCallback callback) override;

private:
    QHash<QString, QString> m_tokens;
};

} // namespace parley::client
