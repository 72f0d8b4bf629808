"""How the script panel shows a line: a partner's with the speaker, a stage direction in
brackets, an untargeted line as not scored, and the actor's own in the line-learning mode
chosen (in full, first letters, hidden until H reveals it). A mixin of ScriptPanel."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtGui import QColor

from acting_mirror.core.line_learning import LineDisplay, shown_line
from acting_mirror.core.palette import emotion_color_hex
from acting_mirror.core.script import Cue

MUTED = "#9aa3ad"
NO_WORDS = "(no words: play the emotion)"


def _text_on(color_hex: str) -> str:
    c = QColor(color_hex)
    luminance = 0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()
    return "#000000" if luminance >= 140 else "#ffffff"


def target_chips_html(targets: Sequence[str], *, size: str = "1.05em") -> str:
    """The target emotions as coloured chips (rich text for a QLabel)."""
    chips = []
    for t in targets:
        colour = emotion_color_hex(t)
        chips.append(
            f"<span style='background:{colour}; color:{_text_on(colour)}; font-size:{size};"
            f" font-weight:600'>&nbsp;{t.upper()}&nbsp;</span>"
        )
    return " <span style='color:#9aa3ad'>or</span> ".join(chips)



class LineShowing:
    """See the module docstring."""

    def _line_text(self, cue: Cue) -> str:
        """The line as shown: a partner's with the speaker's name, a stage direction in
        brackets, the actor's own in the chosen line-learning mode (full, first letters
        or hidden until revealed)."""
        if cue.partner:
            return f"{cue.speaker}: {cue.text}"
        if cue.direction:
            return f"[{cue.text}]"
        shown = shown_line(cue.text, self.line_display if not self.revealed else LineDisplay.FULL)
        return shown or (NO_WORDS if not cue.text else "(your line: press H to reveal it)")

    def _line_target(self, cue: Cue) -> str:
        if cue.partner:
            return f"<span style='color:{MUTED}'>listen to {cue.speaker}</span>"
        if cue.direction:
            return f"<span style='color:{MUTED}'>stage direction</span>"
        if not cue.targets:
            return f"<span style='color:{MUTED}'>no target: not scored</span>"
        return target_chips_html(cue.targets)

    def set_line_display(self, display: LineDisplay) -> None:
        """Show your own lines in full, as first letters, or hidden (H reveals the one on
        screen)."""
        self.line_display = display
        self.revealed = False
        if self.state is not None:
            self.show_state(self.state)

    def reveal(self) -> None:
        """Show the current line in full until the next one."""
        self.revealed = True
        self._revealed_cue = self.state.cue.index if self.state and self.state.cue else None
        if self.state is not None:
            self.show_state(self.state)
