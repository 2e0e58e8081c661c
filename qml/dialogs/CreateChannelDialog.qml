import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui

// New channel: a name, an optional topic, public or by invitation only.
Dialog {
    objectName: "createChannelDialog"
    title: qsTr("New channel")
    modal: true
    anchors.centerIn: Overlay.overlay
    standardButtons: Dialog.Ok | Dialog.Cancel
    onAccepted: Channels.createChannel(newName.text, newTopic.text, newPrivate.checked)
    onOpened: { newName.text = ""; newTopic.text = ""; newName.forceActiveFocus() }
    ColumnLayout {
        TextField { id: newName; placeholderText: qsTr("Name"); Layout.fillWidth: true }
        TextField { id: newTopic; placeholderText: qsTr("Topic (optional)"); Layout.fillWidth: true }
        CheckBox { id: newPrivate; text: qsTr("Private: members join by invitation only") }
    }
}
