import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// Says what the connection is doing, in words; hidden while all is well.
Rectangle {
    id: banner
    objectName: "stageBanner"
    readonly property bool shown: Account.stage !== ClientSession.Ready
    readonly property bool failed: Account.stage === ClientSession.Failed
    property alias text: label.text
    visible: shown
    implicitHeight: shown ? row.implicitHeight + 12 : 0
    color: failed ? Theme.danger : Theme.warning

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        Label {
            id: label
            objectName: "stageText"
            text: Account.stageText
            color: banner.failed ? "white" : Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Button {
            objectName: "reconnectButton"
            visible: Account.stage === ClientSession.Reconnecting || banner.failed
            text: qsTr("Try now")
            flat: true
            onClicked: Account.reconnectNow()
        }
    }
}
