import QtQuick
import QtQuick.Controls
import Parley.Ui
import Parley.Views

// The window: the connect page until a session exists, then the chat page.
ApplicationWindow {
    id: window
    property string initialServer: ""
    width: 1000
    height: 700
    minimumWidth: 560
    minimumHeight: 400
    visible: true
    title: Account.signedIn ? qsTr("Parley — %1").arg(Channels.currentChannelName) : qsTr("Parley")
    color: Theme.window
    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.base
    palette.text: Theme.text
    palette.button: Theme.sidebar
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.placeholderText: Theme.muted

    Loader {
        id: page
        objectName: "page"
        anchors.fill: parent
        sourceComponent: Account.signedIn ? chatPage : connectPage
    }
    // Ids of this file inside a Component are "unqualified" to Qt 6.4's qmllint
    // (it has no `pragma ComponentBehavior: Bound`): such lines say so.
    Component {
        id: connectPage
        ConnectPage { initialServer: window.initialServer } // qmllint disable unqualified
    }
    Component {
        id: chatPage
        ChatPage {}
    }
}
