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
    required property MessageListModel messages
    property bool stickToBottom: true
    model: messages
    clip: true
    spacing: 2
    delegate: MessageDelegate {
        onResendRequested: clientMsgId => view.messages.resend(clientMsgId)
        onDiscardRequested: clientMsgId => view.messages.discard(clientMsgId)
    }
    ScrollBar.vertical: ScrollBar {}

    header: Label {
        objectName: "historyHeader"
        width: view.width
        horizontalAlignment: Text.AlignHCenter
        padding: 8
        color: Theme.muted
        wrapMode: Text.Wrap
        text: Channels.currentChannelId === "" ? qsTr("You are not in any channel yet. Start one with “New channel”, or “Browse” to join one.")
            : view.messages.loadingOlder ? qsTr("Loading earlier messages…")
            : !view.messages.hasOlder ? qsTr("This is the start of #%1.").arg(Channels.currentChannelName)
            : ""
    }
    // At the top with older history above: fetch it. Also when the first page is too
    // short to scroll at all.
    function loadOlderIfAtTop() {
        if (atYBeginning && messages.hasOlder && !messages.loadingOlder && count > 0)
            messages.loadOlder()
    }
    onAtYBeginningChanged: loadOlderIfAtTop()
    onMovementEnded: stickToBottom = atYEnd
    onCountChanged: {
        if (stickToBottom)
            Qt.callLater(positionViewAtEnd)
        Qt.callLater(loadOlderIfAtTop)
    }
    Connections {
        target: Channels
        function onCurrentChannelChanged() {
            view.stickToBottom = true
            Qt.callLater(view.positionViewAtEnd)
        }
    }
}
