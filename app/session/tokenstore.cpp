#include "tokenstore.h"

namespace parley::client {

void MemoryTokenStore::readToken(const QString &key, ReadCallback callback)
{
    const auto found = m_tokens.constFind(key);
    if (found == m_tokens.constEnd()) {
        callback(TokenStoreError {TokenStoreError::Kind::NotFound, QStringLiteral("No saved sign-in.")});
        return;
    }
    callback(*found);
}

void MemoryTokenStore::writeToken(const QString &key, const QString &token, DoneCallback callback)
{
    m_tokens.insert(key, token);
    callback(std::nullopt);
}

void MemoryTokenStore::deleteToken(const QString &key, DoneCallback callback)
{
    m_tokens.remove(key);
    callback(std::nullopt);
}

} // namespace parley::client
