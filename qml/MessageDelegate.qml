import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// One message: a day separator above the first of a day, the author's name unless
// the run continues, the text (escaped, links made here), and its state.
Column {
    id: root
    required property int index
    required property string clientMsgId
    required property string author
    required property string text
    required property string html
    required property string timeText
    required property string state
    required property string error
    required property bool firstOfDay
    required property string dayLabel
    required property bool grouped
    width: ListView.view ? ListView.view.width : 400
    spacing: 2
    topPadding: grouped ? 0 : 8

    RowLayout {
        visible: root.firstOfDay
        width: parent.width
        Rectangle { height: 1; color: Theme.muted; opacity: 0.4; Layout.fillWidth: true }
        Label { text: root.dayLabel; color: Theme.muted; font.pixelSize: 11 }
        Rectangle { height: 1; color: Theme.muted; opacity: 0.4; Layout.fillWidth: true }
    }
    Row {
        visible: !root.grouped
        spacing: 8
        leftPadding: 12
        Label { text: root.author; font.bold: true; color: Theme.text }
        Label { text: root.timeText; color: Theme.muted; font.pixelSize: 11; anchors.baseline: parent.children[0].baseline }
    }
    TextEdit {
        objectName: "messageText"
        x: 12
        width: root.width - 24
        text: root.html
        textFormat: TextEdit.RichText
        readOnly: true
        selectByMouse: true
        wrapMode: TextEdit.Wrap
        color: Theme.text
        opacity: root.state === "pending" ? 0.6 : 1
        onLinkActivated: link => Qt.openUrlExternally(link)
        HoverHandler {
            enabled: parent.hoveredLink !== ""
            cursorShape: Qt.PointingHandCursor
        }
    }
    Row {
        visible: root.state === "pending" || root.state === "failed"
        leftPadding: 12
        spacing: 8
        Label {
            objectName: "stateMark"
            text: root.state === "pending" ? "Sending…" : "Not sent" + (root.error !== "" ? ": " + root.error : "")
            color: root.state === "failed" ? Theme.danger : Theme.muted
            font.pixelSize: 11
        }
        Button {
            objectName: "resendButton"
            visible: root.state === "failed"
            text: "Resend"
            flat: true
            onClicked: Chat.resend(root.clientMsgId)
        }
        Button {
            visible: root.state === "failed"
            text: "Discard"
            flat: true
            onClicked: Chat.discard(root.clientMsgId)
        }
    }
}
