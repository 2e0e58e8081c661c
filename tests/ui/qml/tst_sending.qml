import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// What the user types: Enter sends; the row shows "Sending…" until the server has
// it, then no mark. Offline the message waits in the outbox (still "Sending…")
// and goes once the server is back.
PageTestCase {
    name: "Sending"

    function test_1_sendWhileConnected() {
        const window = openWindow()
        signInAndWait(window)
        typeMessage(window, "hello from the composer")
        tryVerify(() => rowShowing(window, "hello from the composer") !== null, 5000, "the row shows at once")
        tryVerify(() => rowsShowing(window, "hello from the composer").length === 1
                  && stateMark(rowShowing(window, "hello from the composer")) === null,
                  10000, "the row loses its mark once the server has the message")
        compare(fixture.storedTexts("general"), ["hello from the composer"])
    }

    function test_2_pendingUntilTheServerIsBack() {
        const window = openWindow()
        tryCompare(Account, "stage", ClientSession.Ready, 10000) // the session of test 1 lives on
        verify(fixture.stopServer())
        tryCompare(Account, "stage", ClientSession.Reconnecting, 5000)

        const text = "typed while the server was away"
        typeMessage(window, text)
        tryVerify(() => rowShowing(window, text) !== null, 5000, "the row shows at once")
        const mark = stateMark(rowShowing(window, text))
        verify(mark !== null, "a pending row is marked")
        compare(mark.text, "Sending…")
        verify(Qt.colorEqual(mark.color, Theme.muted))
        compare(visibleItem(rowShowing(window, text), "resendButton"), null, "nothing to resend while pending")

        verify(fixture.startServer())
        Account.reconnectNow()
        tryVerify(() => rowsShowing(window, text).length === 1 && stateMark(rowShowing(window, text)) === null,
                  10000, "the row loses its mark once the server has the message")
        compare(fixture.storedTexts("general"), ["hello from the composer", text])
    }
}
