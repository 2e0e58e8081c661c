import QtQuick
import Parley.Views

// One address teammates type, selectable for copying.
TextEdit {
    required property string modelData
    objectName: "hostAddress"
    text: modelData
    readOnly: true
    selectByMouse: true
    color: Theme.text
    font.family: "monospace"
    font.bold: true
}
