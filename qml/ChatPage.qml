import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// The signed-in window: stage banner, channels, messages, members, composer.
Item {
    id: page
    objectName: "chatPage"

    Shortcut { sequence: "Ctrl+K"; onActivated: switcher.open() }
    Shortcut { sequence: "Alt+Up"; onActivated: Chat.moveChannel(-1) }
    Shortcut { sequence: "Alt+Down"; onActivated: Chat.moveChannel(1) }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        StageBanner { Layout.fillWidth: true }
        HostPanel {
            visible: Chat.hosting
            Layout.fillWidth: true
            Layout.margins: 4
        }
        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ChannelSidebar {
                SplitView.preferredWidth: 230
                SplitView.minimumWidth: 160
                onCreateRequested: createDialog.open()
                onBrowseRequested: { Chat.browseChannels(); browseDialog.open() }
            }
            ColumnLayout {
                SplitView.fillWidth: true
                spacing: 0
                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: 8
                    Label {
                        objectName: "channelTitle"
                        text: Chat.currentChannelName !== "" ? "# " + Chat.currentChannelName : "No channel yet"
                        font.bold: true
                        font.pixelSize: 16
                        color: Theme.text
                    }
                    Label {
                        text: Chat.currentChannelTopic
                        color: Theme.muted
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    // Greyed out rather than hidden without a channel: a RowLayout in
                    // Qt 6.4 leaves items that turn visible while the page is still
                    // hidden at x = 0, over the title.
                    ToolButton {
                        objectName: "inviteButton"
                        text: "Invite"
                        enabled: Chat.currentChannelId !== ""
                        opacity: enabled ? 1 : 0.4
                        onClicked: inviteDialog.open()
                    }
                    ToolButton {
                        objectName: "leaveButton"
                        text: "Leave"
                        enabled: Chat.currentChannelId !== ""
                        opacity: enabled ? 1 : 0.4
                        onClicked: Chat.leaveChannel()
                    }
                    ToolButton {
                        text: "☰"
                        onClicked: menu.open()
                        Menu {
                            id: menu
                            MenuItem { text: "Light theme"; checkable: true; checked: Chat.theme === "light"; onTriggered: Chat.theme = "light" }
                            MenuItem { text: "Dark theme"; checkable: true; checked: Chat.theme === "dark"; onTriggered: Chat.theme = "dark" }
                            MenuItem { text: "Follow system"; checkable: true; checked: Chat.theme === "system"; onTriggered: Chat.theme = "system" }
                            MenuSeparator {}
                            MenuItem { text: "Stop hosting"; visible: Chat.hosting; onTriggered: Chat.stopHosting() }
                            MenuItem { text: "Log out"; onTriggered: Chat.logOut() }
                        }
                    }
                }
                MessageView {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                }
                Composer {
                    Layout.fillWidth: true
                    Layout.margins: 8
                }
            }
            ListView {
                objectName: "memberList"
                SplitView.preferredWidth: 170
                model: Chat.members
                clip: true
                header: Label {
                    text: Chat.members.count > 0 ? "Members — " + Chat.members.count : "Members"
                    color: Theme.muted
                    padding: 8
                }
                delegate: Label {
                    required property string displayName
                    text: displayName
                    color: Theme.text
                    padding: 6
                    leftPadding: 10
                }
            }
        }
    }

    ChannelSwitcher { id: switcher }

    Dialog {
        id: createDialog
        objectName: "createChannelDialog"
        title: "New channel"
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Ok | Dialog.Cancel
        onAccepted: Chat.createChannel(newName.text, newTopic.text, newPrivate.checked)
        onOpened: { newName.text = ""; newTopic.text = ""; newName.forceActiveFocus() }
        ColumnLayout {
            TextField { id: newName; placeholderText: "Name"; Layout.fillWidth: true }
            TextField { id: newTopic; placeholderText: "Topic (optional)"; Layout.fillWidth: true }
            CheckBox { id: newPrivate; text: "Private: members join by invitation only" }
        }
    }
    Dialog {
        id: browseDialog
        title: "Public channels"
        modal: true
        anchors.centerIn: Overlay.overlay
        width: 380
        standardButtons: Dialog.Close
        ListView {
            implicitHeight: 300
            width: parent.width
            clip: true
            model: Chat.publicChannels
            delegate: ItemDelegate {
                required property var modelData
                width: ListView.view.width
                text: "# " + modelData.name + (modelData.joined ? "  (joined)" : "")
                enabled: !modelData.joined
                onClicked: { Chat.joinChannel(modelData.channelId); browseDialog.close() }
            }
        }
    }
    Dialog {
        id: inviteDialog
        title: "Invite to #" + Chat.currentChannelName
        modal: true
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Ok | Dialog.Cancel
        onAccepted: Chat.invite(inviteName.text)
        onOpened: { inviteName.text = ""; inviteName.forceActiveFocus() }
        TextField { id: inviteName; placeholderText: "Username" }
    }
    Label {
        id: noticeLabel
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottomMargin: 70
        visible: text !== ""
        padding: 8
        background: Rectangle { color: Theme.sidebar; radius: 4 }
        color: Theme.text
        Timer { id: noticeTimer; interval: 4000; onTriggered: noticeLabel.text = "" }
        Connections {
            target: Chat
            function onNotice(text) { noticeLabel.text = text; noticeTimer.restart() }
        }
    }
}
