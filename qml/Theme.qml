pragma Singleton
import QtQuick
import Parley.Ui

// The app's colours, light or dark as Appearance.dark says (Light / Dark / Follow system).
QtObject {
    readonly property bool dark: Appearance.dark
    readonly property color window: dark ? "#1e1f22" : "#f7f7f8"
    readonly property color sidebar: dark ? "#2b2d31" : "#ecedf0"
    readonly property color text: dark ? "#e6e6e8" : "#1d1d1f"
    readonly property color muted: dark ? "#9a9ca3" : "#6b6e76"
    readonly property color accent: dark ? "#7aa2ff" : "#2f5bd3"
    readonly property color selected: dark ? "#3a3d44" : "#d9dce3"
    readonly property color badge: "#d83c3e"
    readonly property color warning: dark ? "#6b4f12" : "#fff1c7"
    readonly property color danger: "#d83c3e"
    readonly property color ok: dark ? "#1f4d2e" : "#dff3e4"
    readonly property color link: dark ? "#8cb4ff" : "#2f5bd3"
    readonly property color base: dark ? "#2b2d31" : "#ffffff"
}
