import QtQuick
import QtQuick.Controls
import Parley.Ui
import Parley.Views

// The server's public channels; one the user is not in joins with a click.
Dialog {
    id: dialog
    title: qsTr("Public channels")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: 380
    standardButtons: Dialog.Close
    onOpened: publicChannels.refresh()

    PublicChannelModel {
        id: publicChannels
        session: Account.session
    }
    ListView {
        implicitHeight: 300
        width: parent.width
        clip: true
        model: publicChannels
        // A delegate: this file's ids are unqualified to Qt 6.4's qmllint in it.
        delegate: PublicChannelDelegate {
            width: ListView.view.width
            onClicked: {
                Channels.joinChannel(channelId)
                dialog.close() // qmllint disable unqualified
            }
        }
    }
}
