import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

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

    function matches() {
        const found = []
        const needle = filter.text.toLowerCase()
        for (let i = 0; i < Chat.channels.count; ++i) {
            const name = Chat.channels.nameAt(i)
            if (name.toLowerCase().indexOf(needle) >= 0)
                found.push({ channelId: Chat.channels.channelIdAt(i), name: name })
        }
        return found
    }

    ColumnLayout {
        anchors.fill: parent
        TextField {
            id: filter
            objectName: "switcherFilter"
            placeholderText: "Jump to a channel"
            Layout.fillWidth: true
            onAccepted: {
                const found = popup.matches()
                if (found.length > 0) {
                    Chat.selectChannel(found[0].channelId)
                    popup.close()
                }
            }
        }
        Repeater {
            model: filter.text, popup.matches()
            delegate: ItemDelegate {
                required property var modelData
                text: "# " + modelData.name
                Layout.fillWidth: true
                onClicked: { Chat.selectChannel(modelData.channelId); popup.close() }
            }
        }
    }
}
