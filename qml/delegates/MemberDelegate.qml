import QtQuick
import QtQuick.Controls
import Parley.Views

// One member of the open channel.
Label {
    required property string displayName
    text: displayName
    color: Theme.text
    padding: 6
    leftPadding: 10
}
