import QtQuick
import QtQuick.Controls
import Parley.Ui
import Parley.Views

// The open channel's messages, newest at the bottom; scrolling to the top loads
// the page before. The header says "Loading…" only while a page is on its way,
// and where the channel starts once everything is shown.
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
        objectName: "historyHeader"
        width: view.width
        horizontalAlignment: Text.AlignHCenter
        padding: 8
        color: Theme.muted
        wrapMode: Text.Wrap
        text: Chat.currentChannelId === "" ? "You are not in any channel yet. Start one with “New channel”, or “Browse” to join one."
            : Chat.loadingOlder ? "Loading earlier messages…"
            : !Chat.hasOlder ? "This is the start of #" + Chat.currentChannelName + "."
            : ""
    }
    // At the top with older history above: fetch it. Also when the first page is too
    // short to scroll at all.
    function loadOlderIfAtTop() {
        if (atYBeginning && Chat.hasOlder && !Chat.loadingOlder && count > 0)
            Chat.loadOlder()
    }
    onAtYBeginningChanged: loadOlderIfAtTop()
    onMovementEnded: stickToBottom = atYEnd
    onCountChanged: {
        if (stickToBottom)
            Qt.callLater(positionViewAtEnd)
        Qt.callLater(loadOlderIfAtTop)
    }
    Connections {
        target: Chat
        function onCurrentChannelChanged() {
            view.stickToBottom = true
            Qt.callLater(view.positionViewAtEnd)
        }
    }
}
