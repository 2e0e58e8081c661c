import QtQuick
import QtQuick.Controls
import Parley.Ui
import Parley.Views

// The open channel's messages, newest at the bottom; scrolling to the top loads
// the page before.
ListView {
    id: view
    objectName: "messageView"
    model: Chat.messages
    clip: true
    spacing: 2
    delegate: MessageDelegate {}
    ScrollBar.vertical: ScrollBar {}
    property bool stickToBottom: true

    header: Label {
        width: view.width
        horizontalAlignment: Text.AlignHCenter
        padding: 8
        color: Theme.muted
        text: Chat.hasOlder ? "Loading earlier messages…" : "This is the start of #" + Chat.currentChannelName + "."
    }
    onAtYBeginningChanged: if (atYBeginning && Chat.hasOlder && count > 0) Chat.loadOlder()
    onMovementEnded: stickToBottom = atYEnd
    onCountChanged: if (stickToBottom) Qt.callLater(positionViewAtEnd)
    Connections {
        target: Chat
        function onCurrentChannelChanged() {
            view.stickToBottom = true
            Qt.callLater(view.positionViewAtEnd)
        }
    }
}
