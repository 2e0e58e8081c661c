import QtQuick
import QtQuick.Controls
import Parley.Views

// A short sentence at the bottom of the page for four seconds.
Label {
    id: notice
    visible: text !== ""
    padding: 8
    background: Rectangle { color: Theme.sidebar; radius: 4 }
    color: Theme.text

    function show(sentence: string) {
        text = sentence
        timer.restart()
    }

    Timer {
        id: timer
        interval: 4000
        onTriggered: notice.text = ""
    }
}
