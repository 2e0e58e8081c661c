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
    header: Label {
        text: list.members.count > 0 ? qsTr("Members — %1").arg(list.members.count) : qsTr("Members")
        color: Theme.muted
        padding: 8
    }
    delegate: MemberDelegate {}
}
