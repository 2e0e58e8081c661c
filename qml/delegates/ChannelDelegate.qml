import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Views

// A channel in the sidebar: name, lock when private, unread badge.
ItemDelegate {
    id: item
    required property string channelId
    required property string name
    required property int unread
    required property bool isPrivate
    objectName: "channel_" + name
    // A quiet selection: the accent colour under dark text would shout.
    palette.highlight: Theme.selected
    palette.highlightedText: Theme.text
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
            implicitWidth: Math.max(20, children[0].implicitWidth + 10)
            Label {
                anchors.centerIn: parent
                text: item.unread > 99 ? "99+" : item.unread
                color: "white"
                font.pixelSize: 11
            }
        }
    }
}
