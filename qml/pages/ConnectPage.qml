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
        width: Math.min(root.width - 48, 380)
        spacing: 10

        Label {
            text: qsTr("Parley")
            font.pixelSize: 28
            font.bold: true
            color: Theme.text
        }
        Label {
            text: Hosting.hosting ? qsTr("This computer is hosting. Choose your name on it.")
                                  : qsTr("Sign in to your team's server.")
            color: Theme.muted
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        ColumnLayout {
            visible: !Hosting.hosting
            spacing: 10
            Layout.fillWidth: true
            ComboBox {
                id: server
                objectName: "serverField"
                editable: true
                model: Account.recentServers
                Layout.fillWidth: true
                delegate: RecentServerDelegate {
                    onForgetRequested: Account.forgetServer(modelData)
                }
                Component.onCompleted: editText = root.initialServer !== "" ? root.initialServer
                                                  : (Account.recentServers.length > 0 ? Account.recentServers[0] : "")
                ToolTip.text: qsTr("The address a teammate gave you, e.g. 192.168.1.20:7275")
                ToolTip.visible: hovered
            }
            TextField {
                id: username
                objectName: "usernameField"
                placeholderText: qsTr("Username")
                Layout.fillWidth: true
            }
            TextField {
                id: password
                objectName: "passwordField"
                placeholderText: qsTr("Password")
                echoMode: TextInput.Password
                Layout.fillWidth: true
                onAccepted: logIn.clicked()
            }
            RowLayout {
                Layout.fillWidth: true
                Button {
                    id: logIn
                    objectName: "logInButton"
                    text: qsTr("Log in")
                    highlighted: true
                    enabled: !Account.busy
                    onClicked: Account.logIn(server.editText, username.text, password.text)
                }
                Button {
                    objectName: "createAccountButton"
                    text: qsTr("Create account")
                    enabled: !Account.busy
                    onClicked: Account.createAccount(server.editText, username.text, password.text)
                }
                BusyIndicator {
                    running: Account.busy
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
                    text: qsTr("Host on this computer")
                    enabled: Hosting.available
                    onClicked: Hosting.hostHere(localOnly.checked, 7275)
                }
                CheckBox {
                    id: localOnly
                    text: qsTr("Only this computer")
                }
            }
        }

        HostPanel {
            visible: Hosting.hosting
            Layout.fillWidth: true
        }
        RowLayout {
            visible: Hosting.askingUsername
            Layout.fillWidth: true
            TextField {
                id: hostUser
                objectName: "hostUserField"
                text: Hosting.suggestedUsername
                Layout.fillWidth: true
                onAccepted: Hosting.continueAs(text)
            }
            Button {
                objectName: "hostContinueButton"
                text: qsTr("Start chatting")
                highlighted: true
                onClicked: Hosting.continueAs(hostUser.text)
            }
        }

        Label {
            objectName: "errorLabel"
            text: Hosting.errorText !== "" ? Hosting.errorText : Account.errorText
            visible: text !== ""
            color: Theme.danger
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }
}
