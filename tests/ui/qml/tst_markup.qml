import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// Message text is plain text: markup from another user or typed here shows as the
// characters it is made of; nothing renders (no bold, no image); http(s) URLs
// become links.
PageTestCase {
    name: "Markup"

    function test_markupShownLiterally() {
        const window = openWindow()
        signInAndWait(window)
        const markup = "<b>x</b><img src=\"http://127.0.0.1:1/a.png\">"
        verify(fixture.postAs("bob", "general", markup))
        tryVerify(() => rowShowing(window, markup) !== null, 5000, "the markup shows as typed")
        const edit = visibleItem(rowShowing(window, markup), "messageText")
        compare(shownText(edit), markup)
        verify(shownText(edit).indexOf("\ufffc") < 0, "no embedded object (image)")
        // The document holds escaped text, never the tags themselves.
        verify(!/<img/i.test(edit.text), edit.text)
        verify(!/font-weight:\s*(bold|[6-9]00)/.test(edit.text), "nothing is bold: " + edit.text)

        typeMessage(window, "<i>mine</i> &amp; see https://example.org/notes")
        tryVerify(() => rowShowing(window, "<i>mine</i> &amp; see https://example.org/notes") !== null, 5000)
        const mine = visibleItem(rowShowing(window, "<i>mine</i> &amp; see https://example.org/notes"), "messageText")
        verify(!/font-style:\s*italic/.test(mine.text), "nothing is italic: " + mine.text)
        verify(/<a href="https:\/\/example\.org\/notes"/.test(mine.text), "the URL is a link: " + mine.text)
    }
}
