import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// What every page test shares: the app's real window (Main.qml, which shows the
// connect page until a session exists, then the chat page) and ways to find what
// it shows. `fixture` (tst_qmlpages.cpp) is the real server behind it.
TestCase {
    id: testCase
    when: windowShown

    Component {
        id: mainWindow
        Main {}
    }

    // The window, shown and active (key presses go to the active window).
    function openWindow() {
        verify(fixture.username !== "", "the fixture is set up")
        const window = createTemporaryObject(mainWindow, testCase, { width: 1000, height: 700 })
        verify(window !== null, "Main.qml loads")
        window.requestActivate()
        tryVerify(() => window.visible && window.active, 5000, "the window is shown and active")
        return window
    }

    // Visible items called `name` under `root`, through the visual tree (so Loader,
    // Repeater, ListView and popup items are found too), in tree order.
    function visibleItems(root, name) {
        const found = []
        const visit = node => {
            if (!node || !node.visible)
                return
            if (node.objectName === name)
                found.push(node)
            for (let i = 0; i < node.children.length; ++i)
                visit(node.children[i])
        }
        visit(root)
        return found
    }
    function visibleItem(root, name) {
        const found = visibleItems(root, name)
        return found.length > 0 ? found[0] : null
    }
    // The first visible item under `root` whose `text` is `text` (controls without a name).
    function itemWithText(root, text) {
        let match = null
        const visit = node => {
            if (match || !node || !node.visible)
                return
            if (node.text === text) {
                match = node
                return
            }
            for (let i = 0; i < node.children.length; ++i)
                visit(node.children[i])
        }
        visit(root)
        return match
    }
    // Everything in the window, popups (the overlay) included.
    function windowRoot(window) {
        return window.contentItem.parent ? window.contentItem.parent : window.contentItem
    }

    // What a person sees in a message: the document's plain text, not its markup.
    function shownText(textEdit) {
        return textEdit.getText(0, textEdit.length)
    }
    // The message rows (MessageDelegate) whose text shows exactly `text`.
    function rowsShowing(window, text) {
        return visibleItems(windowRoot(window), "messageText")
            .filter(edit => shownText(edit) === text)
            .map(edit => edit.parent)
    }
    function rowShowing(window, text) {
        const rows = rowsShowing(window, text)
        return rows.length > 0 ? rows[0] : null
    }
    // The row's "Sending…" / "Not sent…" mark, or null when it shows none.
    function stateMark(row) {
        return row ? visibleItem(row, "stateMark") : null
    }

    // Sign in as the fixture's user and wait until the chat page is ready.
    function signInAndWait(window) {
        fixture.signIn()
        tryVerify(() => visibleItem(windowRoot(window), "chatPage") !== null, 5000, "the chat page shows")
        tryCompare(Account, "stage", ClientSession.Ready, 10000)
        tryVerify(() => visibleItem(windowRoot(window), "stageBanner") === null, 5000,
                  "the stage banner hides once ready")
    }

    // Key presses for each character, as typing does (Qt 6.4's TestCase has no keyClicks).
    function typeText(text) {
        for (const character of text)
            keyClick(character)
    }

    // Type into the composer and press Enter.
    function typeMessage(window, text) {
        const input = visibleItem(windowRoot(window), "composerInput")
        verify(input !== null, "the composer shows")
        mouseClick(input)
        tryVerify(() => input.activeFocus, 2000, "the composer has the keyboard")
        typeText(text)
        compare(input.text, text)
        keyClick(Qt.Key_Return)
        compare(input.text, "", "Enter sent the message and cleared the composer")
    }
}
