import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui

// Ctrl+K: type part of a channel's name, Enter jumps there, Esc closes.
Popup {
    id: popup
    objectName: "channelSwitcher"
    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    width: 360
    padding: 10
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    onOpened: { filter.text = ""; filter.forceActiveFocus() }

    function matches(name: string): bool {
        return name.toLowerCase().indexOf(filter.text.toLowerCase()) >= 0
    }
    function jump(channelId: string) {
        Channels.selectChannel(channelId)
        popup.close()
    }

    ColumnLayout {
        anchors.fill: parent
        TextField {
            id: filter
            objectName: "switcherFilter"
            placeholderText: qsTr("Jump to a channel")
            Layout.fillWidth: true
            onAccepted: {
                for (let row = 0; row < Channels.model.count; ++row) {
                    if (popup.matches(Channels.model.nameAt(row))) {
                        popup.jump(Channels.model.channelIdAt(row))
                        return
                    }
                }
            }
        }
        Repeater {
            model: Channels.model
            delegate: ItemDelegate {
                id: match
                required property string channelId
                required property string name
                visible: popup.matches(name)
                text: "# " + name
                Layout.fillWidth: true
                onClicked: popup.jump(channelId)
            }
        }
    }
}
