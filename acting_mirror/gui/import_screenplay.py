"""ImportScreenplayDialog: a screenplay (Fountain or Final Draft) as an acting script.

Pick the character you play; the other characters become your scene partners (their lines
are spoken, not scored), the parentheticals become your lines' emotions. The script is
shown as text so the targets can be checked and changed before it is saved; lines that
had no cue are listed, to label them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QPlainTextEdit,
    QVBoxLayout,
)

from acting_mirror.core.files import write_text_atomic
from acting_mirror.core.screenplay import Screenplay, load_screenplay, to_script_text
from acting_mirror.core.script import Script, parse_script
from acting_mirror.errors import ActingMirrorError, ScriptError
from acting_mirror.gui.window_memory import keep_geometry

SCREENPLAY_FILTER = "Screenplays (*.fountain *.spmd *.txt *.fdx);;All files (*)"


class ImportScreenplayDialog(QDialog):
    """See the module docstring. After ``exec()``: ``saved`` is the script file written
    and ``script`` the parsed script (both ``None`` when cancelled)."""

    def __init__(self, play: Screenplay, parent=None, *, save_dir: Path | None = None):
        super().__init__(parent)
        self.play = play
        self.save_dir = save_dir
        self.saved: Path | None = None
        self.script: Script | None = None
        self.setWindowTitle(f"Import {play.source}")
        self.character = QComboBox()
        for name, speeches in play.characters():
            self.character.addItem(f"{name} ({speeches} speech{'es' if speeches != 1 else ''})", name)
        self.character.currentIndexChanged.connect(self._convert)
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("You play", self.character)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("The script: change any line's emotion before saving "
                                "('-' = no target; @NAME: your partner; [ ] stage direction)"))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reject)
        keep_geometry(self, "import_screenplay", 720, 560)
        self._convert()

    def _convert(self) -> None:
        name = self.character.currentData()
        if name is None:
            self.notes.setText("This screenplay has no dialogue to rehearse.")
            return
        text, unlabelled = to_script_text(self.play, name)
        self.text.setPlainText(text)
        notes = list(self.play.warnings)
        if unlabelled:
            lines = ", ".join(str(u.script_line) for u in unlabelled[:12])
            more = "…" if len(unlabelled) > 12 else ""
            one = len(unlabelled) == 1
            notes.append(f"{len(unlabelled)} of your lines had no emotion cue (script "
                         f"line{'' if one else 's'} {lines}{more}): give "
                         f"{'it' if one else 'them'} one to have {'it' if one else 'them'} scored.")
        self.notes.setText("\n".join(notes))

    def parsed(self) -> Script:
        """The edited text as a script; ScriptError listing its problems by line."""
        name = f"{Path(self.play.source).stem}.txt"
        return parse_script(self.text.toPlainText(), name=name)

    def save(self) -> None:
        try:
            script = self.parsed()
        except ScriptError as exc:
            problems = "\n".join(exc.problems[:8]) + ("\n…" if len(exc.problems) > 8 else "")
            self.notes.setText(f"Not saved: {exc}\n{problems}")
            return
        start = str((self.save_dir or Path.home()) / f"{Path(self.play.source).stem}.txt")
        path, _ = QFileDialog.getSaveFileName(self, "Save the acting script", start,
                                              "Acting scripts (*.txt)")
        if not path:
            return
        try:
            write_text_atomic(Path(path), self.text.toPlainText())
        except (OSError, ActingMirrorError) as exc:
            self.notes.setText(f"Cannot save {path}: {exc}")
            return
        self.saved, self.script = Path(path), script
        self.accept()


def open_screenplay(path: Path | str) -> Screenplay:
    """The screenplay at ``path`` (ScriptError with one sentence when it cannot be read)."""
    return load_screenplay(path)
