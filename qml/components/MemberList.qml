import QtQuick
import QtQuick.Controls
import Parley.Ui
import Parley.Views

// The open channel's members, on the right.
ListView {
    id: list
    objectName: "memberList"
    required property MemberListModel members
    model: members
    clip: true
    readonly property string headerText: members.count > 0 ? qsTr("Members — %1").arg(members.count) : qsTr("Members")
    // A Component: this file's ids are unqualified to Qt 6.4's qmllint in it.
    header: Label {
        text: list.headerText // qmllint disable unqualified
        color: Theme.muted
        padding: 8
    }
    delegate: MemberDelegate {}
}
