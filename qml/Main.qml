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
    title: Chat.signedIn ? "Parley — " + Chat.currentChannelName : "Parley"
    color: Palette.window
    palette.window: Palette.window
    palette.windowText: Palette.text
    palette.base: Palette.dark ? "#2b2d31" : "#ffffff"
    palette.text: Palette.text
    palette.button: Palette.sidebar
    palette.buttonText: Palette.text
    palette.highlight: Palette.accent
    palette.placeholderText: Palette.muted

    Loader {
        id: page
        objectName: "page"
        anchors.fill: parent
        sourceComponent: Chat.signedIn ? chatPage : connectPage
    }
    Component {
        id: connectPage
        ConnectPage { initialServer: window.initialServer }
    }
    Component {
        id: chatPage
        ChatPage {}
    }
}
