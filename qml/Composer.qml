import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// Enter sends, Shift+Enter starts a new line; the length limit shows as it nears.
RowLayout {
    id: root
    objectName: "composer"
    property alias input: area
    readonly property int limit: Chat.maxMessageLength
    spacing: 6

    ScrollView {
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(area.implicitHeight, 160)
        TextArea {
            id: area
            objectName: "composerInput"
            placeholderText: Chat.currentChannelName !== "" ? "Message #" + Chat.currentChannelName : "Join a channel to chat"
            enabled: Chat.currentChannelId !== ""
            wrapMode: TextEdit.Wrap
            textFormat: TextEdit.PlainText
            Keys.onReturnPressed: event => root.onEnter(event)
            Keys.onEnterPressed: event => root.onEnter(event)
        }
    }
    Label {
        objectName: "lengthCounter"
        visible: area.length > root.limit - 1000
        text: area.length + " / " + root.limit
        color: area.length > root.limit ? Theme.danger : Theme.muted
    }
    Button {
        objectName: "sendButton"
        text: "Send"
        enabled: area.text.trim() !== "" && area.length <= root.limit
        onClicked: root.send()
    }

    function onEnter(event) {
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
        if (Chat.sendMessage(area.text))
            area.clear()
    }
}
