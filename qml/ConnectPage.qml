import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Parley.Ui
import Parley.Views

// Sign in to a server, create an account, or host one on this computer.
Item {
    id: root
    objectName: "connectPage"
    property string initialServer: ""

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 380)
        spacing: 10

        Label {
            text: "Parley"
            font.pixelSize: 28
            font.bold: true
            color: Theme.text
        }
        Label {
            text: Chat.hosting ? "This computer is hosting. Choose your name on it."
                               : "Sign in to your team's server."
            color: Theme.muted
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        ColumnLayout {
            visible: !Chat.hosting
            spacing: 10
            Layout.fillWidth: true
            ComboBox {
                id: server
                objectName: "serverField"
                editable: true
                model: Chat.recentServers
                Layout.fillWidth: true
                // Each recent server with a way to take it off the list.
                delegate: ItemDelegate {
                    id: recent
                    required property string modelData
                    required property int index
                    width: server.width
                    highlighted: server.highlightedIndex === index
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
                            ToolTip.text: "Remove from this list"
                            ToolTip.visible: hovered
                            onClicked: Chat.forgetServer(recent.modelData)
                        }
                    }
                }
                Component.onCompleted: editText = root.initialServer !== "" ? root.initialServer
                                                  : (Chat.recentServers.length > 0 ? Chat.recentServers[0] : "")
                ToolTip.text: "The address a teammate gave you, e.g. 192.168.1.20:7275"
                ToolTip.visible: hovered
            }
            TextField {
                id: username
                objectName: "usernameField"
                placeholderText: "Username"
                Layout.fillWidth: true
            }
            TextField {
                id: password
                objectName: "passwordField"
                placeholderText: "Password"
                echoMode: TextInput.Password
                Layout.fillWidth: true
                onAccepted: logIn.clicked()
            }
            RowLayout {
                Layout.fillWidth: true
                Button {
                    id: logIn
                    objectName: "logInButton"
                    text: "Log in"
                    highlighted: true
                    enabled: !Chat.busy
                    onClicked: Chat.logIn(server.editText, username.text, password.text)
                }
                Button {
                    objectName: "createAccountButton"
                    text: "Create account"
                    enabled: !Chat.busy
                    onClicked: Chat.createAccount(server.editText, username.text, password.text)
                }
                BusyIndicator {
                    running: Chat.busy
                    visible: running
                    implicitWidth: 28
                    implicitHeight: 28
                }
            }
            MenuSeparator { Layout.fillWidth: true }
            RowLayout {
                Layout.fillWidth: true
                Button {
                    objectName: "hostButton"
                    text: "Host on this computer"
                    onClicked: Chat.hostHere(localOnly.checked, 7275)
                }
                CheckBox {
                    id: localOnly
                    text: "Only this computer"
                }
            }
        }

        HostPanel {
            visible: Chat.hosting
            Layout.fillWidth: true
        }
        RowLayout {
            visible: Chat.askingHostUser
            Layout.fillWidth: true
            TextField {
                id: hostUser
                objectName: "hostUserField"
                text: Chat.suggestedHostUser
                Layout.fillWidth: true
                onAccepted: Chat.continueHosting(text)
            }
            Button {
                objectName: "hostContinueButton"
                text: "Start chatting"
                highlighted: true
                onClicked: Chat.continueHosting(hostUser.text)
            }
        }

        Label {
            objectName: "errorLabel"
            text: Chat.errorText
            visible: text !== ""
            color: Theme.danger
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
