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
            text: qsTr("Hosting on this computer. Teammates connect to:")
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Repeater {
            model: Hosting.addresses
            delegate: HostAddressDelegate {}
        }
        Button {
            objectName: "stopHostingButton"
            text: qsTr("Stop hosting")
            onClicked: Hosting.stop()
        }
    }
}
