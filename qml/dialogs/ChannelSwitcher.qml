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

    function matches(name) {
        return name.toLowerCase().indexOf(filter.text.toLowerCase()) >= 0
    }
    function jumpToFirstMatch() {
        const channels = Channels.model
        for (let row = 0; row < channels.count; ++row) {
            if (matches(channels.nameAt(row))) {
                jump(channels.channelIdAt(row))
                return
            }
        }
    }
    function jump(channelId) {
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
            onAccepted: popup.jumpToFirstMatch()
        }
        Repeater {
            model: Channels.model
            delegate: ItemDelegate {
                required property string channelId
                required property string name
                // A delegate: this file's ids are unqualified to Qt 6.4's qmllint in it.
                visible: popup.matches(name) // qmllint disable unqualified
                text: "# " + name
                Layout.fillWidth: true
                onClicked: popup.jump(channelId) // qmllint disable unqualified
            }
        }
    }
}
