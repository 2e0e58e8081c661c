import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// Above the messages: the open channel's name and topic, Invite, Leave and the
// ☰ menu (theme, stop hosting, log out).
RowLayout {
    id: header
    signal inviteRequested()

    Label {
        objectName: "channelTitle"
        text: Channels.currentChannelName !== "" ? "# " + Channels.currentChannelName : qsTr("No channel yet")
        font.bold: true
        font.pixelSize: 16
        color: Theme.text
    }
    Label {
        text: Channels.currentChannelTopic
        color: Theme.muted
        elide: Text.ElideRight
        Layout.fillWidth: true
    }
    // Greyed out rather than hidden without a channel: a RowLayout in Qt 6.4
    // leaves items that turn visible while the page is still hidden at x = 0,
    // over the title.
    ToolButton {
        objectName: "inviteButton"
        text: qsTr("Invite")
        enabled: Channels.currentChannelId !== ""
        opacity: enabled ? 1 : 0.4
        onClicked: header.inviteRequested()
    }
    ToolButton {
        objectName: "leaveButton"
        text: qsTr("Leave")
        enabled: Channels.currentChannelId !== ""
        opacity: enabled ? 1 : 0.4
        onClicked: Channels.leaveChannel()
    }
    ToolButton {
        text: "☰"
        onClicked: menu.open()
        Menu {
            id: menu
            MenuItem {
                text: qsTr("Light theme")
                checkable: true
                checked: Appearance.theme === "light"
                onTriggered: Appearance.theme = "light"
            }
            MenuItem {
                text: qsTr("Dark theme")
                checkable: true
                checked: Appearance.theme === "dark"
                onTriggered: Appearance.theme = "dark"
            }
            MenuItem {
                text: qsTr("Follow system")
                checkable: true
                checked: Appearance.theme === "system"
                onTriggered: Appearance.theme = "system"
            }
            MenuSeparator {}
            MenuItem {
                text: qsTr("Stop hosting")
                visible: Hosting.hosting
                onTriggered: Hosting.stop()
            }
            MenuItem {
                text: qsTr("Log out")
                onTriggered: Account.logOut()
            }
        }
    }
}
