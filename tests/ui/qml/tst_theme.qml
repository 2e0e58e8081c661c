import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// The theme menu: Light and Dark change the Theme colours, the window's
// background and what the pages draw with them.
PageTestCase {
    name: "Theme"

    function choose(window, entry) {
        const root = windowRoot(window)
        const menuButton = itemWithText(root, "☰")
        verify(menuButton !== null, "the chat page has its menu button")
        mouseClick(menuButton)
        tryVerify(() => itemWithText(root, entry) !== null, 5000, "the menu shows " + entry)
        const item = itemWithText(root, entry)
        tryVerify(() => item.width > 0 && item.height > 0, 5000)
        mouseClick(item)
        tryVerify(() => itemWithText(root, entry) === null, 5000, "the menu closes")
    }

    function test_lightAndDark() {
        const window = openWindow()
        signInAndWait(window)
        const root = windowRoot(window)
        const sidebar = visibleItem(root, "channelSidebar")
        const title = visibleItem(root, "channelTitle")

        choose(window, "Light theme")
        compare(Appearance.theme, "light")
        verify(!Theme.dark)
        verify(Qt.colorEqual(window.color, Theme.window))
        verify(window.color.hslLightness > 0.5, "light window: " + window.color)
        // Copies: a colour read from a property stays a live reference to it.
        const lightWindow = window.color.toString()
        const lightSidebar = sidebar.color.toString()
        const lightText = title.color.toString()

        choose(window, "Dark theme")
        compare(Appearance.theme, "dark")
        verify(Theme.dark)
        verify(Qt.colorEqual(window.color, Theme.window))
        verify(window.color.hslLightness < 0.5, "dark window: " + window.color)
        verify(!Qt.colorEqual(window.color, lightWindow))
        verify(!Qt.colorEqual(sidebar.color, lightSidebar), "the sidebar follows")
        verify(title.color.hslLightness > 0.5, "light text on dark: " + title.color)
        verify(!Qt.colorEqual(title.color, lightText))

        choose(window, "Light theme")
        verify(Qt.colorEqual(window.color, lightWindow))
        verify(Qt.colorEqual(sidebar.color, lightSidebar))
    }
}
