"""What a newcomer meets first: a Help menu with a guide and the shortcuts, menus that do
not look alike, Record and Mirror enabled only when they can do something (and saying
why not), and a folder or report the system cannot open said in the window."""

from __future__ import annotations

from PySide6.QtGui import QDesktopServices

from acting_mirror.controllers.mirror import SHORTCUTS


def _texts(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if a.text()]


def test_help_has_a_guide_and_the_shortcuts(make_window, monkeypatch):
    window = make_window()
    shown = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, title, text: shown.append((title, text)))
    help_menu = [m for m in window.menuBar().actions() if m.text() == "&Help"][0].menu()
    assert _texts(help_menu)[:2] == ["Getting started", "Keyboard shortcuts"]
    window.menus.guide_action.trigger()
    window.menus.shortcuts_action.trigger()
    assert shown[0][0] == "Getting started" and "Takes library" in shown[0][1]
    assert shown[1][0] == "Keyboard shortcuts"
    assert all(f"<b>{key}</b>" in shown[1][1] for key, _ in SHORTCUTS)


def test_the_file_menu_has_no_look_alikes_and_view_says_what_the_span_is(make_window):
    window = make_window()
    file_menu = window.menus.file_menu
    names = _texts(file_menu)
    assert "Takes library…" in names and "Show takes" not in names and "Takes folder…" not in names
    assert "Choose where takes are saved…" in names and "Open the takes folder" in names
    view = _texts(window.menus.view_menu)
    assert "Plot window" not in view and "Curves show the last…" in view


def test_record_and_mirror_are_off_on_the_empty_screen_and_say_why(make_window, qtbot):
    window = make_window()
    window.start()
    assert window.showing_empty_state
    assert not window.record_button.isEnabled()
    assert "first" in window.record_button.toolTip()
    assert not window.mirror_button.isEnabled() and "camera" in window.mirror_button.toolTip()
    window.play_demo()
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=15000)
    assert window.record_button.isEnabled() and "Ctrl+R" in window.record_button.toolTip()
    assert not window.mirror_button.isEnabled()  # a video plays as it was filmed


def test_a_folder_the_system_cannot_open_is_said_in_the_window(make_window, monkeypatch, tmp_path):
    window = make_window()
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)  # no file manager
    window.open_folder(tmp_path)
    assert window.banner.isVisible() and "Could not open the folder" in window.banner.text
    assert str(tmp_path) in window.banner.text


def test_the_script_used_last_reopens_at_the_next_launch_unless_switched_off(make_window, tmp_path):
    from acting_mirror.config import assets_dir

    script = assets_dir() / "example_script.txt"
    first = make_window()
    assert first.script_path is None  # nothing used yet
    assert first.rehearsal.load_script_file(script)
    first.close()
    second = make_window()
    assert second.script_path == script.resolve()
    assert second.menus.reopen_script_action.isChecked()
    second.menus.reopen_script_action.setChecked(False)
    second.close()
    third = make_window()
    assert third.script_path is None


def test_the_theme_follows_the_system_and_stays_dark_when_it_says_nothing(qapp):
    from PySide6.QtCore import Qt

    from acting_mirror.gui.app import apply_theme, theme_for

    assert theme_for(Qt.ColorScheme.Light) == "light"
    assert theme_for(Qt.ColorScheme.Dark) == "dark"
    assert theme_for(Qt.ColorScheme.Unknown) == "dark" and theme_for(None) == "dark"
    try:
        assert apply_theme(qapp, "light") == "light"
        assert qapp.palette().window().color().lightness() > 200
        assert apply_theme(qapp, "dark") == "dark"
        assert qapp.palette().window().color().lightness() < 60
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())


def test_the_bar_labels_never_run_together(qtbot):
    from PySide6.QtGui import QFontMetrics

    from acting_mirror.core.types import EMOTIONS
    from acting_mirror.gui.plots import EmotionPlots, bar_labels

    plots = EmotionPlots()
    qtbot.addWidget(plots)
    metrics = QFontMetrics(plots.bar_plot.font())
    for width in (900, 330, 200):  # wide, beside the script panel, very narrow
        plots.resize(width, 500)
        plots.show()
        qtbot.waitExposed(plots)
        view = plots.bar_plot.getPlotItem().getViewBox()

        def fit() -> bool:  # the labels follow the view box's own resize (not called here)
            slot = view.width() / len(EMOTIONS)
            return all(metrics.horizontalAdvance(t) < slot for t in plots.bar_label_texts)

        qtbot.waitUntil(fit, timeout=3000)
    assert bar_labels(1000, lambda t: 8 * len(t)) == list(EMOTIONS)
    assert bar_labels(40, lambda t: 8 * len(t))[0] == "ang"


def test_a_long_list_of_script_problems_can_be_opened_in_full(make_window, tmp_path):
    bad = tmp_path / "long.txt"
    bad.write_text("".join(f"0:{i:02d}-0:{i + 1:02d} elated{i}  Line {i}.\n" for i in range(8)))
    window = make_window()
    assert not window.rehearsal.load_script_file(bad)
    assert window.banner.action_button.isVisible()
    assert window.banner.action_button.text().startswith("Show all ")
    window.banner.action_button.click()
    box = window.rehearsal.problems_box
    assert box.isVisible() and all(f"elated{i}" in box.detailedText() for i in range(8))
    box.close()
