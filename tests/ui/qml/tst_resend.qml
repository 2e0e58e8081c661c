import QtQuick
import QtTest
import Parley.Ui
import Parley.Views

// A message the server refuses is marked "Not sent" with the reason and a
// "Resend" button; once the reason is gone, Resend delivers it, once.
PageTestCase {
    name: "Resend"

    function test_failedThenResend() {
        const window = openWindow()
        signInAndWait(window)
        // alice leaves #general behind the client's back: the server refuses her post.
        verify(fixture.setMember(fixture.username, "general", false))
        const text = "refused at first"
        typeMessage(window, text)
        tryVerify(() => stateMark(rowShowing(window, text)) !== null
                  && stateMark(rowShowing(window, text)).text.startsWith("Not sent"),
                  10000, "the refusal is shown on the row")
        const mark = stateMark(rowShowing(window, text))
        compare(mark.text, "Not sent: You are not a member of #general: join it first")
        verify(Qt.colorEqual(mark.color, Theme.danger))
        compare(fixture.storedTexts("general"), [])
        const resend = visibleItem(rowShowing(window, text), "resendButton")
        verify(resend !== null, "a failed row offers Resend")
        compare(resend.text, "Resend")

        verify(fixture.setMember(fixture.username, "general", true))
        // The row of mark and buttons lays out on the next polish: click where Resend is drawn.
        waitForItemPolished(resend.parent)
        verify(resend.x > mark.x && resend.x < itemWithText(resend.parent, "Discard").x, "Resend sits beside the mark")
        mouseClick(resend)
        tryVerify(() => rowsShowing(window, text).length === 1 && stateMark(rowShowing(window, text)) === null,
                  10000, "resent: the row loses its mark: "
                  + rowsShowing(window, text).map(row => stateMark(row) ? stateMark(row).text : "no mark").join(" | ")
                  + " stored: " + fixture.storedTexts("general"))
        compare(fixture.storedTexts("general"), [text])
    }
}
