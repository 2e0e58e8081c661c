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
            text: Chat.username + " @ " + Chat.serverAddress
            color: Theme.muted
            elide: Text.ElideRight
            padding: 10
            Layout.fillWidth: true
        }
        ListView {
            id: list
            objectName: "channelList"
            model: Chat.channels
            currentIndex: Chat.currentChannelIndex
            clip: true
            Layout.fillWidth: true
            Layout.fillHeight: true
            delegate: ItemDelegate {
                id: item
                required property int index
                required property string channelId
                required property string name
                required property string topic
                required property int unread
                required property bool isPrivate
                objectName: "channel_" + name
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                // A quiet selection: the accent colour under dark text would shout.
                palette.highlight: Theme.selected
                palette.highlightedText: Theme.text
                onClicked: Chat.selectChannel(channelId)
                contentItem: RowLayout {
                    Label {
                        text: (item.isPrivate ? "🔒 " : "# ") + item.name
                        font.bold: item.unread > 0
                        color: Theme.text
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Rectangle {
                        objectName: "unreadBadge"
                        property int count: item.unread
                        visible: item.unread > 0
                        color: Theme.badge
                        radius: height / 2
                        implicitHeight: 20
                        implicitWidth: Math.max(20, badgeText.implicitWidth + 10)
                        Label {
                            id: badgeText
                            anchors.centerIn: parent
                            text: item.unread > 99 ? "99+" : item.unread
                            color: "white"
                            font.pixelSize: 11
                        }
                    }
                }
            }
        }
        RowLayout {
            Layout.margins: 6
            Button {
                objectName: "createChannelButton"
                text: "New channel"
                onClicked: sidebar.createRequested()
            }
            Button {
                objectName: "browseChannelsButton"
                text: "Browse"
                onClicked: sidebar.browseRequested()
            }
        }
    }
}
