#pragma once

#include "session/clientsession.h"

#include <QtQml/qqml.h>

namespace parley::ui {

// ClientSession as QML sees it: the type of Account.session and the models'
// `session` property, and its Stage enum (ClientSession.Ready, ...). Only signing
// in makes one.
struct ClientSessionForeign
{
    Q_GADGET
    QML_FOREIGN(parley::client::ClientSession)
    QML_NAMED_ELEMENT(ClientSession)
    QML_UNCREATABLE("A session is made by signing in (Account).")
};

} // namespace parley::ui
