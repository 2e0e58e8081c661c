import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// While hosting: the addresses teammates type, and the way to stop.
Rectangle {
    objectName: "hostPanel"
    color: Theme.ok
    radius: 6
    implicitHeight: column.implicitHeight + 16

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 8
        Label {
            text: "Hosting on this computer. Teammates connect to:"
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Repeater {
            model: Chat.hostAddresses
            delegate: TextEdit {
                required property string modelData
                objectName: "hostAddress"
                text: modelData
                readOnly: true
                selectByMouse: true
                color: Theme.text
                font.family: "monospace"
                font.bold: true
            }
        }
        Button {
            objectName: "stopHostingButton"
            text: "Stop hosting"
            onClicked: Chat.stopHosting()
        }
    }
}
