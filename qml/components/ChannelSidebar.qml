import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// The user's channels with unread badges; create, browse and join.
Rectangle {
    id: sidebar
    objectName: "channelSidebar"
    color: Theme.sidebar
    signal createRequested()
    signal browseRequested()

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        Label {
            text: qsTr("%1 @ %2").arg(Account.username).arg(Account.serverAddress)
            color: Theme.muted
            elide: Text.ElideRight
            padding: 10
            Layout.fillWidth: true
        }
        ListView {
            id: list
            objectName: "channelList"
            model: Channels.model
            currentIndex: Channels.currentIndex
            clip: true
            Layout.fillWidth: true
            Layout.fillHeight: true
            delegate: ChannelDelegate {
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                onClicked: Channels.selectChannel(channelId)
            }
        }
        RowLayout {
            Layout.margins: 6
            Button {
                objectName: "createChannelButton"
                text: qsTr("New channel")
                onClicked: sidebar.createRequested()
            }
            Button {
                objectName: "browseChannelsButton"
                text: qsTr("Browse")
                onClicked: sidebar.browseRequested()
            }
        }
    }
}
