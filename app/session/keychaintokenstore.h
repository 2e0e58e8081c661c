#pragma once

#include "tokenstore.h"

namespace parley::client {

// Tokens in the desktop's Secret Service (gnome-keyring, KWallet) through
// QtKeychain, under the service name "Parley". Without a reachable, unlocked
// keyring every call fails with NoSecretService: QtKeychain's plain-text fallback
// stays off.
class KeychainTokenStore final : public TokenStore
{
    Q_OBJECT
public:
    static constexpr QLatin1String Service {"Parley"};

    using TokenStore::TokenStore;

    void readToken(const QString &key, ReadCallback callback) override;
    void writeToken(const QString &key, const QString &token, DoneCallback callback) override;
    void deleteToken(const QString &key, DoneCallback callback) override;
};

} // namespace parley::client
