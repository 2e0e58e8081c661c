import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// Enter sends, Shift+Enter starts a new line; the length limit shows as it nears.
RowLayout {
    id: root
    objectName: "composer"
    required property MessageListModel messages
    property alias input: area
    readonly property int limit: messages.maxMessageLength
    spacing: 6

    ScrollView {
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(area.implicitHeight, 160)
        TextArea {
            id: area
            objectName: "composerInput"
            placeholderText: Channels.currentChannelName !== "" ? qsTr("Message #%1").arg(Channels.currentChannelName)
                                                                : qsTr("Join a channel to chat")
            enabled: Channels.currentChannelId !== ""
            wrapMode: TextEdit.Wrap
            textFormat: TextEdit.PlainText
            Keys.onReturnPressed: event => root.onEnter(event)
            Keys.onEnterPressed: event => root.onEnter(event)
        }
    }
    Label {
        objectName: "lengthCounter"
        visible: area.length > root.limit - 1000
        text: qsTr("%1 / %2").arg(area.length).arg(root.limit)
        color: area.length > root.limit ? Theme.danger : Theme.muted
    }
    Button {
        objectName: "sendButton"
        text: qsTr("Send")
        enabled: area.text.trim() !== "" && area.length <= root.limit
        onClicked: root.send()
    }

    function onEnter(event: KeyEvent) {
        if (event.modifiers & Qt.ShiftModifier) {
            event.accepted = false
            return
        }
        event.accepted = true
        send()
    }
    function send() {
        if (area.length > limit)
            return
        if (messages.sendMessage(area.text))
            area.clear()
    }
}
