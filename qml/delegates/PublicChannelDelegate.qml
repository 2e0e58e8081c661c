import QtQuick
import QtQuick.Controls

// A public channel in the Browse dialog; the ones the user is in are greyed out.
ItemDelegate {
    required property string channelId
    required property string name
    required property bool joined
    text: "# " + name + (joined ? qsTr("  (joined)") : "")
    enabled: !joined
}
