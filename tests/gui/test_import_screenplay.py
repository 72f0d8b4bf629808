"""File › Import screenplay…: pick the character, adjust the targets, save, rehearse."""

from __future__ import annotations

from acting_mirror.config import assets_dir


def test_the_bundled_scene_imports_for_either_character_and_loads(make_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = make_window()
    dialog = window.rehearsal.import_screenplay(assets_dir() / "example_scene.fountain")
    assert dialog is not None
    names = [dialog.character.itemData(i) for i in range(dialog.character.count())]
    assert {"NORA", "THEO"} <= set(names)
    dialog.character.setCurrentIndex(names.index("THEO"))
    text = dialog.text.toPlainText()
    assert "role: THEO" in text and "@NORA:" in text
    # the actor changes a target before saving
    first_own = next(line for line in text.splitlines()
                     if line and not line.startswith(("#", "@", "[", "role:")))
    dialog.text.setPlainText(text.replace(first_own, "surprise  " + first_own.split("  ", 1)[-1].strip(), 1))
    target = tmp_path / "theo.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.save()
    assert target.is_file() and dialog.script is not None
    qtbot.waitUntil(lambda: window.rehearsal.script is not None, timeout=5000)
    assert window.rehearsal.script.role == "THEO"
    assert any(c.partner and c.speaker == "NORA" for c in window.rehearsal.script.cues)


def test_a_broken_edit_is_not_saved_and_says_why(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = make_window()
    dialog = window.rehearsal.import_screenplay(assets_dir() / "example_scene.fountain")
    dialog.text.setPlainText("role: THEO\nblorp  I am not a known emotion line\n")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked to save")))
    dialog.save()
    assert "Not saved" in dialog.notes.text() and "line 2" in dialog.notes.text()
    dialog.reject()


def test_a_file_that_is_no_screenplay_is_one_message(make_window, tmp_path):
    bad = tmp_path / "bad.fdx"
    bad.write_bytes(b"\x00\x01not xml")
    window = make_window()
    assert window.rehearsal.import_screenplay(bad) is None
    assert window.banner.level == "error" and "bad.fdx" in window.banner.text
