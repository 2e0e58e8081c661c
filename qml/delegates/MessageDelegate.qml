import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// One message: a day separator above the first of a day, the author's name unless
// the run continues, the text (escaped, links made here), and where it stands.
Column {
    id: root
    required property string clientMsgId
    required property string author
    required property string html
    required property string timeText
    required property int delivery // MessageListModel.Delivery
    required property string error
    required property bool firstOfDay
    required property string dayLabel
    required property bool grouped
    readonly property bool pending: delivery === MessageListModel.Pending
    readonly property bool failed: delivery === MessageListModel.Failed
    signal resendRequested(string clientMsgId)
    signal discardRequested(string clientMsgId)
    width: ListView.view ? ListView.view.width : 400
    spacing: 2
    topPadding: grouped ? 0 : 8

    RowLayout {
        visible: root.firstOfDay
        width: root.width
        Rectangle { height: 1; color: Theme.muted; opacity: 0.4; Layout.fillWidth: true }
        Label { text: root.dayLabel; color: Theme.muted; font.pixelSize: 11 }
        Rectangle { height: 1; color: Theme.muted; opacity: 0.4; Layout.fillWidth: true }
    }
    Row {
        visible: !root.grouped
        spacing: 8
        leftPadding: 12
        Label { id: authorLabel; text: root.author; font.bold: true; color: Theme.text }
        Label { text: root.timeText; color: Theme.muted; font.pixelSize: 11; anchors.baseline: authorLabel.baseline }
    }
    TextEdit {
        id: messageText
        objectName: "messageText"
        x: 12
        width: root.width - 24
        text: root.html
        textFormat: TextEdit.RichText
        readOnly: true
        selectByMouse: true
        wrapMode: TextEdit.Wrap
        color: Theme.text
        opacity: root.pending ? 0.6 : 1
        onLinkActivated: link => Qt.openUrlExternally(link)
        HoverHandler {
            enabled: messageText.hoveredLink !== ""
            cursorShape: Qt.PointingHandCursor
        }
    }
    Row {
        visible: root.pending || root.failed
        leftPadding: 12
        spacing: 8
        Label {
            objectName: "stateMark"
            text: root.pending ? qsTr("Sending…")
                : root.error !== "" ? qsTr("Not sent: %1").arg(root.error) : qsTr("Not sent")
            color: root.failed ? Theme.danger : Theme.muted
            font.pixelSize: 11
        }
        Button {
            objectName: "resendButton"
            visible: root.failed
            text: qsTr("Resend")
            flat: true
            onClicked: root.resendRequested(root.clientMsgId)
        }
        Button {
            visible: root.failed
            text: qsTr("Discard")
            flat: true
            onClicked: root.discardRequested(root.clientMsgId)
        }
    }
}
