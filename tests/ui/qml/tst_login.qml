import QtQuick
import QtTest
import Parley.Ui

// The connect page: type the server's URL, a username and a password, click
// "Log in"; the window turns into the chat page with the user's channels.
PageTestCase {
    name: "LogIn"

    function typeInto(field, text) {
        mouseClick(field)
        tryVerify(() => field.activeFocus, 2000, "the field has the keyboard")
        keySequence(StandardKey.SelectAll)
        typeText(text)
    }

    function fillIn(window, password) {
        const root = windowRoot(window)
        const server = visibleItem(root, "serverField")
        verify(server !== null, "the connect page shows a server field")
        typeInto(server.contentItem, fixture.serverUrl)
        compare(server.editText, fixture.serverUrl)
        typeInto(visibleItem(root, "usernameField"), fixture.username)
        typeInto(visibleItem(root, "passwordField"), password)
        compare(visibleItem(root, "passwordField").text, password)
    }

    function test_1_wrongPasswordIsExplained() {
        const window = openWindow()
        const root = windowRoot(window)
        verify(visibleItem(root, "connectPage") !== null, "the connect page shows first")
        compare(visibleItem(root, "errorLabel"), null, "no error before trying")
        fillIn(window, "not the password")
        mouseClick(visibleItem(root, "logInButton"))
        tryVerify(() => visibleItem(root, "errorLabel") !== null, 10000, "the refusal is shown")
        verify(/^Wrong username or password\.?$/.test(visibleItem(root, "errorLabel").text),
               visibleItem(root, "errorLabel").text)
        verify(visibleItem(root, "connectPage") !== null, "still on the connect page")
        compare(visibleItem(root, "chatPage"), null)
    }

    function test_2_logInShowsTheChannels() {
        const window = openWindow()
        const root = windowRoot(window)
        fillIn(window, fixture.password)
        mouseClick(visibleItem(root, "logInButton"))
        tryVerify(() => visibleItem(root, "chatPage") !== null, 10000, "the chat page replaces the connect page")
        compare(visibleItem(root, "connectPage"), null)
        tryVerify(() => visibleItem(root, "channel_general") !== null && visibleItem(root, "channel_random") !== null,
                  10000, "the sidebar lists #general and #random")
        const list = visibleItem(root, "channelList")
        compare(list.count, 2)
        compare(itemWithText(visibleItem(root, "channel_general"), "# general") !== null, true)
        compare(itemWithText(visibleItem(root, "channel_random"), "# random") !== null, true)
        tryCompare(visibleItem(root, "channelTitle"), "text", "# general")
        compare(Account.username, fixture.username)
        tryVerify(() => visibleItem(root, "stageBanner") === null, 10000, "ready: no banner")
        verify(fixture.savedToken() !== "", "the sign-in is kept in the token store")
        // Every TokenStore answers through its callback; a call without one would
        // throw std::bad_function_call in a real store and end the app.
        compare(fixture.tokenStoreCallsWithoutCallback, 0, "calls to the token store without a callback")
    }
}
