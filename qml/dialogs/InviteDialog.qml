import QtQuick
import QtQuick.Controls
import Parley.Ui

// Invite someone to the open channel by username.
Dialog {
    title: qsTr("Invite to #%1").arg(Channels.currentChannelName)
    modal: true
    anchors.centerIn: Overlay.overlay
    standardButtons: Dialog.Ok | Dialog.Cancel
    onAccepted: Channels.invite(inviteName.text)
    onOpened: { inviteName.text = ""; inviteName.forceActiveFocus() }
    TextField { id: inviteName; placeholderText: qsTr("Username") }
}
