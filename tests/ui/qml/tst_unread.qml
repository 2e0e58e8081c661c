import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// Unread badges: another user posts in a channel that is not open and its row in
// the sidebar shows how many; opening the channel shows them and clears the badge.
PageTestCase {
    name: "Unread"

    function badge(window, channel) {
        const row = visibleItem(windowRoot(window), "channel_" + channel)
        verify(row !== null, "#" + channel + " is in the sidebar")
        return visibleItem(row, "unreadBadge") // null while hidden
    }

    function test_badgeCountsAndClears() {
        const window = openWindow()
        signInAndWait(window)
        tryCompare(Channels, "currentChannelName", "general")
        compare(badge(window, "random"), null, "nothing unread at first")
        compare(badge(window, "general"), null)

        verify(fixture.postAs("bob", "random", "one"))
        verify(fixture.postAs("bob", "random", "two"))
        verify(fixture.postAs("bob", "random", "three"))
        tryVerify(() => badge(window, "random") !== null && badge(window, "random").count === 3, 5000,
                  "#random's badge counts 3")
        compare(itemWithText(badge(window, "random"), "3") !== null, true, "the badge reads 3")

        // A post in the open channel is read at once: no badge there.
        verify(fixture.postAs("bob", "general", "seen at once"))
        tryVerify(() => rowShowing(window, "seen at once") !== null, 5000)
        compare(badge(window, "general"), null, "the open channel has no badge")
        compare(badge(window, "random").count, 3)

        mouseClick(visibleItem(windowRoot(window), "channel_random"))
        tryCompare(Channels, "currentChannelName", "random")
        tryCompare(visibleItem(windowRoot(window), "channelTitle"), "text", "# random")
        tryVerify(() => rowShowing(window, "one") && rowShowing(window, "two") && rowShowing(window, "three"), 5000,
                  "the three messages show")
        tryVerify(() => badge(window, "random") === null, 5000, "opening #random clears its badge")
    }
}
