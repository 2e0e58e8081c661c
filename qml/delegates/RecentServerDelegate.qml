import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Views

// A recent server in the connect page's list, with a way to take it off.
ItemDelegate {
    id: recent
    required property string modelData
    signal forgetRequested()
    width: ListView.view ? ListView.view.width : implicitWidth
    highlighted: ListView.isCurrentItem // the popup's current row is the highlighted one

    contentItem: RowLayout {
        Label {
            text: recent.modelData
            color: Theme.text
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        ToolButton {
            objectName: "forgetServerButton"
            text: "✕"
            ToolTip.text: qsTr("Remove from this list")
            ToolTip.visible: hovered
            onClicked: recent.forgetRequested()
        }
    }
}
