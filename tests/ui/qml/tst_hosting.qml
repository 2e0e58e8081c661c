import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// Host mode: while this computer hosts, the connect page and then the chat page
// show the addresses teammates type, and the server really answers there.
PageTestCase {
    name: "Hosting"

    function addressesShown(root) {
        return visibleItems(root, "hostAddress").map(edit => edit.text)
    }

    function test_hostShowsItsAddresses() {
        const window = openWindow()
        const root = windowRoot(window)
        compare(visibleItem(root, "hostPanel"), null, "no host panel before hosting")
        compare(fixture.startHosting(), "")
        tryVerify(() => addressesShown(root).length > 0, 5000, "the host panel lists addresses")
        const shown = addressesShown(root)
        compare(shown, Hosting.addresses)
        for (const address of shown) {
            verify(/^127\.0\.0\.1:\d+$/.test(address), address)
            verify(fixture.accepts(address), "the hosted server answers at " + address)
        }
        verify(visibleItem(root, "stopHostingButton") !== null)

        // The host's name is asked once; then the chat page shows the addresses too.
        const name = visibleItem(root, "hostUserField")
        verify(name !== null, "the host's name is asked")
        compare(name.text, Hosting.suggestedUsername)
        mouseClick(name)
        tryVerify(() => name.activeFocus, 2000)
        keySequence(StandardKey.SelectAll)
        typeText("hostess")
        mouseClick(visibleItem(root, "hostContinueButton"))
        tryVerify(() => visibleItem(root, "chatPage") !== null, 10000, "the host chats at once")
        tryCompare(Account, "stage", ClientSession.Ready, 10000)
        compare(Account.username, "hostess")
        tryCompare(addressesShown(visibleItem(root, "chatPage")), "length", shown.length)
        compare(addressesShown(visibleItem(root, "chatPage")), shown)
    }
}
