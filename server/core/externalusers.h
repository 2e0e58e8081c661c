#pragma once

#include "auth/authenticator.h"

#include <QString>

namespace parley::store {
class ChatStore;
}

namespace parley::server {

// The Parley account behind an identity provider's user, keyed by (iss, sub):
// found if it exists, created with a fresh Parley id on first sight otherwise.
// This is the Authenticator's ExternalUserResolver (ChatServer wires it).
protocol::Result<QString, auth::ExternalUserError> resolveExternalUser(
    store::ChatStore &store, const auth::TokenClaims &claims);

// The username an external user starts from: preferred_username, else name,
// ASCII letters lower-cased, everything outside a-z 0-9 _ . - dropped, cut to
// the longest username; "user" when too little is left.
QString externalUsernameBase(const QString &preferredUsername, const QString &name);

} // namespace parley::server
