import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// The keyboard: Alt+Up / Alt+Down move between channels, Ctrl+K jumps to one by
// part of its name, Esc closes the switcher and dialogs without doing anything.
PageTestCase {
    name: "Keyboard"

    function switcherFilter(window) {
        return visibleItem(windowRoot(window), "switcherFilter")
    }
    // The New channel dialog's check box: visible exactly while the dialog is open.
    function createDialogShown(window) {
        return itemWithText(windowRoot(window), "Private: members join by invitation only") !== null
    }

    function test_1_altArrowsMoveBetweenChannels() {
        const window = openWindow()
        signInAndWait(window)
        tryCompare(Channels, "currentChannelName", "general")

        keyClick(Qt.Key_Down, Qt.AltModifier)
        tryCompare(Channels, "currentChannelName", "random")
        tryCompare(visibleItem(windowRoot(window), "channelTitle"), "text", "# random")
        keyClick(Qt.Key_Down, Qt.AltModifier) // the last one stays
        compare(Channels.currentChannelName, "random")
        keyClick(Qt.Key_Up, Qt.AltModifier)
        tryCompare(Channels, "currentChannelName", "general")
        tryCompare(visibleItem(windowRoot(window), "channelTitle"), "text", "# general")
    }

    function test_2_ctrlKJumpsAndEscCloses() {
        const window = openWindow()
        signInAndWait(window)
        tryCompare(Channels, "currentChannelName", "general")

        keyClick(Qt.Key_K, Qt.ControlModifier)
        tryVerify(() => switcherFilter(window) !== null && switcherFilter(window).activeFocus, 3000,
                  "Ctrl+K opens the switcher with the keyboard in its filter")
        typeText("RAN")
        compare(switcherFilter(window).text, "RAN")
        const list = switcherFilter(window).parent // the switcher's column: filter, then matches
        tryVerify(() => itemWithText(list, "# random") !== null, 3000,
                  "the filter lists #random, whatever the case")
        compare(itemWithText(list, "# general"), null, "and not #general")
        keyClick(Qt.Key_Return)
        tryCompare(Channels, "currentChannelName", "random")
        tryVerify(() => switcherFilter(window) === null, 3000, "Enter closes the switcher")

        keyClick(Qt.Key_K, Qt.ControlModifier)
        tryVerify(() => switcherFilter(window) !== null && switcherFilter(window).activeFocus, 3000)
        typeText("gen")
        keyClick(Qt.Key_Escape)
        tryVerify(() => switcherFilter(window) === null, 3000, "Esc closes the switcher")
        compare(Channels.currentChannelName, "random", "Esc jumped nowhere")
    }

    function test_3_escClosesADialog() {
        const window = openWindow()
        signInAndWait(window)
        const channelsBefore = Channels.model.count

        mouseClick(visibleItem(windowRoot(window), "createChannelButton"))
        tryVerify(() => createDialogShown(window), 3000, "New channel opens its dialog")
        typeText("never-made")
        keyClick(Qt.Key_Escape)
        tryVerify(() => !createDialogShown(window), 3000, "Esc closes the dialog")
        compare(Channels.model.count, channelsBefore, "and creates nothing")
    }
}
