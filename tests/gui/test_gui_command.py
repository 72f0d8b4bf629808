"""`acting-mirror` with no command opens the app; `acting-mirror gui` takes its options."""

from __future__ import annotations

from acting_mirror import cli


def _capture_run_app(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    def fake_run_app(*, services, on_window=None, model=None, **kwargs) -> int:
        assert services.process is not None and services.parts.open_source is not None
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("acting_mirror.gui.app.run_app", fake_run_app)
    return calls


def test_no_command_opens_the_app_with_defaults(monkeypatch):
    calls = _capture_run_app(monkeypatch)
    assert cli.main([]) == 0
    assert calls == [{"source": None, "script": None, "detector": None, "stats_interval_s": None}]


def test_gui_options_reach_the_app(monkeypatch, tmp_path):
    script = tmp_path / "scene.txt"
    script.write_text("happy: Hello!\n")
    calls = _capture_run_app(monkeypatch)
    assert cli.main(["gui", "--source", "demo", "--script", str(script),
                     "--detector", "mtcnn", "--stats"]) == 0
    assert calls == [{"source": "demo", "script": script, "detector": "mtcnn",
                      "stats_interval_s": 5.0}]


def test_the_apps_options_without_gui_open_the_app_as_gui_does(monkeypatch, tmp_path, capsys):
    script = tmp_path / "scene.txt"
    script.write_text("happy: Hello!\n")
    calls = _capture_run_app(monkeypatch)
    assert cli.main(["--source", "demo", "--script", str(script), "--detector", "mtcnn"]) == 0
    assert cli.main(["gui", "--source", "demo", "--script", str(script), "--detector", "mtcnn"]) == 0
    assert calls[0] == calls[1] == {"source": "demo", "script": script, "detector": "mtcnn",
                                    "stats_interval_s": None}
    try:  # still one line, exit 2
        cli.main(["--nonsense"])
    except SystemExit as done:
        assert done.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unrecognized arguments: --nonsense" in err[0]
    for own in (["--version"], ["--help"]):  # still the command line's own
        try:
            cli.main(own)
        except SystemExit as done:
            assert done.code == 0
        out = capsys.readouterr().out
        assert "acting-mirror" in out and ("COMMAND" in out or "0." in out)
    assert len(calls) == 2


def test_a_missing_script_is_one_line_and_exit_2(monkeypatch, tmp_path, capsys):
    calls = _capture_run_app(monkeypatch)
    assert cli.main(["gui", "--script", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Script file not found" in err[0]
    assert calls == []


def test_no_screen_is_a_clear_message(monkeypatch, capsys):
    calls = _capture_run_app(monkeypatch)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["gui"]) == 2
    assert "No screen found" in capsys.readouterr().err
    assert calls == []


def test_a_script_name_is_shown_in_the_window(make_window, tmp_path):
    script = tmp_path / "scene.txt"
    script.write_text("happy Hello!\n")
    window = make_window(script=script)
    assert window.script_path == script
    assert window.script_label.isVisible() and "scene.txt" in window.script_label.text()


def test_a_script_that_does_not_parse_is_not_shown_as_loaded(make_window, qtbot, tmp_path):
    script = tmp_path / "broken.txt"
    script.write_text("happy: Hello!\n")  # "happy:" is no emotion
    window = make_window(script=script, source="demo")
    window.start()
    qtbot.waitUntil(lambda: window.source_info is not None, timeout=10000)
    assert window.script_path is None
    assert not window.script_label.isVisible()
    # the message outlives the demo clip opening (only source errors go when one opens)
    assert window.banner.isVisible() and "not a valid acting script" in window.banner.text


def test_gui_takes_a_model_and_refuses_a_missing_one(monkeypatch, tmp_path, capsys):
    seen = []

    def fake_run_app(*, services, on_window=None, model=None, **kwargs) -> int:
        seen.append(model)
        return 0

    monkeypatch.setattr("acting_mirror.gui.app.run_app", fake_run_app)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    model = tmp_path / "mine.tflite"
    model.write_bytes(b"x")
    assert cli.main(["gui", "--model", str(model)]) == 0 and seen == [model]
    assert cli.main(["gui", "--model", str(tmp_path / "gone.tflite")]) == 2
    assert "Model file not found" in capsys.readouterr().err


def test_an_exported_model_plugs_into_the_window_and_is_kept(make_window):
    from pathlib import Path

    tiny = Path(__file__).resolve().parents[1] / "vision" / "data" / "tiny_48x48x1_int8.tflite"
    window = make_window(model=tiny)
    assert window.is_ready and window.prefs.model_path == tiny
