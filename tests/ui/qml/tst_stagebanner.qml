import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// The stage banner names every stage in words, driven for real: signing in
// (connecting, authenticating, joining, then hidden when ready), the server
// stopping (reconnecting, counting down), the server back ("Try now"), and a
// token the server refuses (failed, with the sentence why).
PageTestCase {
    id: testCase
    name: "StageBanner"

    property var seen: [] // every text the banner's label showed, in order
    Connections {
        id: recorder
        target: null
        function onTextChanged() { testCase.seen.push(recorder.target.text) }
    }

    function secondsIn(text) {
        const match = /Reconnecting in (\d+) (?:s|seconds?)…$/.exec(text)
        return match ? Number(match[1]) : -1
    }

    function test_stages() {
        const window = openWindow()
        const root = windowRoot(window)
        const where = fixture.serverHostAndPort

        fixture.signIn() // the chat page is built at once, before the first packet
        const banner = visibleItem(root, "stageBanner")
        verify(banner !== null, "the banner shows while connecting")
        const label = visibleItem(banner, "stageText")
        seen = [label.text]
        recorder.target = label
        tryVerify(() => !banner.visible, 10000, "the banner hides once ready")
        compare(seen, ["Connecting to " + where + "…", "Signing in…", "Catching up on your channels…",
                       "Connected to " + where + "."])

        // The server stops: it says so, and the banner counts down to the next try.
        seen = []
        verify(fixture.stopServer())
        tryVerify(() => banner.visible, 5000, "the banner shows when the connection is lost")
        tryVerify(() => seen.some(text => /^The server is restarting or shutting down\. Reconnecting in \d+ s…$/.test(text)),
                  5000, "the server's shutdown notice is named: " + seen.join(" | "))
        compare(Account.stage, ClientSession.Reconnecting)
        // The first words after the loss already count down (no "in 0 s").
        verify(/^The server is restarting or shutting down\. Reconnecting in [1-9]\d* s…$/.test(seen[0]),
               "the first words after the loss: " + seen[0])
        verify(Qt.colorEqual(banner.color, Theme.warning))
        const tryNow = visibleItem(banner, "reconnectButton")
        verify(tryNow !== null, "\"Try now\" is offered while reconnecting")
        compare(tryNow.text, "Try now")
        // A try fails (nothing listens); the next wait is longer and counts down by the second.
        tryVerify(() => {
            const counts = seen.filter(text => text.startsWith("Connection lost.")).map(secondsIn)
            return counts.some((n, i) => i > 0 && counts[i - 1] >= 2 && n === counts[i - 1] - 1)
        }, 10000, "a countdown \"Connection lost. Reconnecting in N seconds…\": " + seen.join(" | "))
        verify(seen.some(text => /^Connection lost\. Reconnecting in \d+ seconds…$/.test(text)), seen.join(" | "))

        // The server is back and "Try now" connects at once.
        verify(fixture.startServer())
        tryVerify(() => tryNow.visible, 5000)
        mouseClick(tryNow)
        tryVerify(() => !banner.visible, 3000, "ready again: " + label.text)
        compare(label.text, "Connected to " + where + ".")

        // A token the server refuses: failed, in red, with the reason, no retry by itself.
        fixture.signInWithToken("not-a-token")
        tryCompare(Account, "stage", ClientSession.Failed, 10000)
        verify(banner.visible)
        compare(label.text, "Cannot connect: Your sign-in is no longer valid. Please sign in again.")
        verify(Qt.colorEqual(banner.color, Theme.danger))
        verify(Qt.colorEqual(label.color, "white"))
        verify(visibleItem(banner, "reconnectButton") !== null, "\"Try now\" is offered after a failure")
    }
}
