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
    readonly property string headerText: Channels.currentChannelId === ""
        ? qsTr("You are not in any channel yet. Start one with “New channel”, or “Browse” to join one.")
        : messages.loadingOlder ? qsTr("Loading earlier messages…")
        : !messages.hasOlder ? qsTr("This is the start of #%1.").arg(Channels.currentChannelName)
        : ""
    model: messages
    clip: true
    spacing: 2
    delegate: MessageDelegate {
        onResendRequested: clientMsgId => view.messages.resend(clientMsgId)
        onDiscardRequested: clientMsgId => view.messages.discard(clientMsgId)
    }
    ScrollBar.vertical: ScrollBar {}

    // The header is a Component: Qt 6.4's qmllint calls this file's ids inside
    // it unqualified (no `pragma ComponentBehavior: Bound` before 6.5).
    header: Label {
        objectName: "historyHeader"
        width: view.width // qmllint disable unqualified
        horizontalAlignment: Text.AlignHCenter
        padding: 8
        color: Theme.muted
        wrapMode: Text.Wrap
        text: view.headerText // qmllint disable unqualified
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
            scrollToEnd.restart()
        checkForOlder.restart()
    }
    Connections {
        target: Channels
        function onCurrentChannelChanged() {
            view.stickToBottom = true
            scrollToEnd.restart()
        }
    }
    // Once the delegates of a change exist, as Qt.callLater would (which
    // Qt 6.4's qmllint cannot see as a method).
    Timer {
        id: scrollToEnd
        interval: 0
        onTriggered: view.positionViewAtEnd()
    }
    Timer {
        id: checkForOlder
        interval: 0
        onTriggered: view.loadOlderIfAtTop()
    }
}
