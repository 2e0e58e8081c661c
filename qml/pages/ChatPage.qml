import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// The signed-in window: stage banner, channels, messages, members, composer.
Item {
    id: page
    objectName: "chatPage"

    MessageListModel {
        id: messageModel
        session: Account.session
        channelId: Channels.currentChannelId
        // Rich text draws links in the palette's dark blue unless told otherwise.
        linkColor: Theme.link
        onNotice: text => notice.show(text)
    }
    MemberListModel {
        id: memberModel
        session: Account.session
        channelId: Channels.currentChannelId
    }

    Shortcut { sequence: "Ctrl+K"; onActivated: switcher.open() }
    Shortcut { sequence: "Alt+Up"; onActivated: Channels.moveChannel(-1) }
    Shortcut { sequence: "Alt+Down"; onActivated: Channels.moveChannel(1) }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        StageBanner { Layout.fillWidth: true }
        HostPanel {
            visible: Hosting.hosting
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
                onBrowseRequested: browseDialog.open()
            }
            ColumnLayout {
                SplitView.fillWidth: true
                spacing: 0
                ChannelHeader {
                    Layout.fillWidth: true
                    Layout.margins: 8
                    onInviteRequested: inviteDialog.open()
                }
                MessageView {
                    messages: messageModel
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                }
                Composer {
                    messages: messageModel
                    Layout.fillWidth: true
                    Layout.margins: 8
                }
            }
            MemberList {
                members: memberModel
                SplitView.preferredWidth: 170
            }
        }
    }

    ChannelSwitcher { id: switcher }
    CreateChannelDialog { id: createDialog }
    BrowseChannelsDialog { id: browseDialog }
    InviteDialog { id: inviteDialog }
    NoticeLabel {
        id: notice
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottomMargin: 70
    }
    Connections {
        target: Channels
        function onNotice(text) { notice.show(text) }
    }
}
