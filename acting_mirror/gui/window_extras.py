"""What the main window does beyond showing the mirror: its settings that reach the
session (face detail, the voice, the mesh drawing), the notices it gives (picture quality,
sources that end early, lost cameras, the partner's voice, the microphone, interrupted
takes), its Help texts and timers, and quitting (the question during a take).

A mixin of :class:`~acting_mirror.gui.main_window.MainWindow` (it uses the window's
widgets, preferences, controller and worker), kept apart so each module reads in one go.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from PySide6.QtWidgets import QMessageBox

import acting_mirror
from acting_mirror.controllers.mirror import (
    APP_TITLE, GUIDE_HTML, QUIT_QUESTION, MirrorController, QuitChoice, about_html, mm_ss,
    shortcuts_html,
)
from acting_mirror.errors import ActingMirrorError
from acting_mirror.gui.widgets import ask_quit_choice
from acting_mirror.gui.worker import SetFaceDetail, SetMeshDrawn, SetVoiceRecording
from acting_mirror.session.services import Services

log = logging.getLogger("acting_mirror.gui.main_window")
stats_log = logging.getLogger("acting_mirror.gui.stats")

SHUTDOWN_TIMEOUT_S = 35.0
"""How long closing waits for the analysis thread (a web video may block it for two
network timeouts)."""


class SpeechOff(ActingMirrorError):
    """The actor turned the scene partner's voice off."""


class WindowExtras:
    """See the module docstring."""

    def set_face_detail(self, on: bool) -> None:
        """The face mesh on the main face, on or off (it costs a few ms a frame)."""
        self.prefs.face_detail = on
        self.send(SetFaceDetail(on))
        if not on:
            self.face_detail.show_scores(None)

    def set_voice_recording(self, on: bool) -> None:
        """Record the actor's voice with every take (the microphone opens only then)."""
        self.prefs.record_voice = on
        self.send(SetVoiceRecording(on, self.prefs.microphone))

    def set_microphone(self, device: str | None) -> None:
        self.prefs.microphone = device
        self.send(SetVoiceRecording(self.prefs.record_voice, device))

    def _on_microphone_changed(self, on: bool, message: str) -> None:
        """The indicator says when the microphone is on; why it cannot be, once."""
        self.mic_label.setVisible(on)
        if message and not on and message != self._mic_said:
            # a normal state: said once, quietly (the banner is kept for what needs acting on)
            self._mic_said = message
            self.statusBar().showMessage(
                f"{message.rstrip('.')}. Takes are recorded without your voice.", 10000)

    def _on_voice_listening(self, on: bool, pause_ms: int, headset: bool) -> None:
        """A scripted take follows the voice (or no longer): the indicator says so, and
        when it starts, briefly, the status bar."""
        from acting_mirror.gui.voice_menu import listening_message

        self.mic_label.setText("🎙 listening" if on else "🎙 voice")
        self.mic_label.setToolTip(
            "Your voice is being recorded with this take"
            + ("; the next line comes up when you pause" if on else ""))
        if on:
            self.statusBar().showMessage(listening_message(pause_ms, headset), 8000)

    def set_mesh_drawn(self, on: bool) -> None:
        """Dot the face mesh's points on the picture (and in takes recorded from now on)."""
        self.prefs.draw_mesh = on
        self.send(SetMeshDrawn(on))

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", shortcuts_html())

    def show_guide(self) -> None:
        QMessageBox.information(self, "Getting started", GUIDE_HTML)

    def show_about(self) -> None:
        QMessageBox.about(self, "About Acting Mirror", self.about_text())

    def about_text(self) -> str:
        from acting_mirror.config import EMOTION_MODEL_FILE

        return about_html(acting_mirror.__version__, EMOTION_MODEL_FILE)

    def _session_parts(self, services: Services):
        """The session's parts, with the scene partner speaking as the preferences say
        (read each time a script is loaded, so a change applies to the next script)."""
        parts = services.parts
        base = parts.partner_voice
        if base is None:
            return parts

        def partner_voice(script):
            if not self.prefs.partner_speaks:
                raise SpeechOff("The scene partner's voice is off (View › Scene partner)")
            return base(script, rate=self.prefs.partner_rate, voice=self.prefs.partner_voice)

        cues = services.parts.cue_voice
        cue_voice = None if cues is None else (
            lambda: cues(rate=self.prefs.partner_rate, voice=self.prefs.partner_voice))
        return dataclasses.replace(parts, partner_voice=partner_voice, cue_voice=cue_voice)

    def _show_quality(self, packet) -> None:
        """A steady note on the picture when the main face is too poorly lit, blurred,
        small or turned away to be read reliably (fix the light, not your face)."""
        before = self.quality_notice.shown
        shown = self.quality_notice.update(packet.time_ms, packet.quality)
        if shown != before and self.playing:
            self.video.set_note(shown)

    def _recover_interrupted_takes(self) -> None:
        notes = self.services.recover(self.prefs.takes_dir)
        if notes:
            many = len(notes) > 1
            self.banner.show_message(
                "warning",
                (f"{len(notes)} takes were interrupted last time (the app was killed or the "
                 "computer stopped) and have been repaired: " if many else
                 "A take was interrupted last time and has been repaired: ")
                + "; ".join(notes) + ". They are in the takes library, marked interrupted.",
                "Takes library", self.rehearsal.show_library, about="recovery")

    def _on_source_ended_early(self, spec: str, message: str) -> None:
        """A truncated file, a dropped or stalled stream, a lost camera: say how it ended
        (any take was kept, marked incomplete)."""
        text = message or "The source ended early."
        if self.last_take is not None and not self.last_take.complete and self.last_take.frames:
            text += f" The take keeps the {self.last_take.frames} frames recorded."
        self.banner.show_message("warning", text, about="source")
        self.video.set_note(message or "The source ended early")

    def _on_source_reconnecting(self, spec: str, attempt: int, next_in_s: float) -> None:
        note = f"The camera was lost: trying again in {next_in_s:.0f} s"
        if attempt:
            note += f" (tried {attempt} time{'s' if attempt != 1 else ''})"
        self.video.set_note(note)
        self.statusBar().showMessage(note)

    def _on_partner_voice_unavailable(self, message: str) -> None:
        self.banner.show_message(
            "info", f"{message.rstrip('.')}. The partner's lines are shown instead of spoken.",
            about="partner")

    def _redraw_plots(self) -> None:
        points = self.worker.worker.points
        while points:
            generation, time_ms, probs, blendshapes, pose = points.popleft()
            self.plots.add_point(generation, time_ms, probs)
            self.rehearsal.feed_point(time_ms, probs, blendshapes, pose)
        self.plots.redraw()
        self.rehearsal.redraw()

    def _refresh_status(self) -> None:
        self.figures.show(self.stats, live=self.source_info is not None)

    def _refresh_elapsed(self) -> None:
        if self._recording_since is None:
            return
        text = mm_ss(time.monotonic() - self._recording_since)
        self.transport.show_elapsed(text, self._recorded_frames)
        self.video.set_badge(f"REC {text}")

    def _log_stats(self) -> None:
        name = self.source_info.name if self.source_info else "no source"
        stats_log.info("%s [%s, %s]: %s", "stats", name, self.detector, self.stats.report())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        choice = QuitChoice.SAVE
        if not self._closed and self.controller.needs_quit_question():
            choice = self._quit_choice or self.confirm_quit()
            if choice is QuitChoice.CANCEL:
                event.ignore()
                return
        self.prefs.window_geometry = self.saveGeometry()
        self.hide()  # gone at once, even if the worker needs a moment to finish a take
        self.shutdown(choice)
        event.accept()
        self.closed.emit()

    def quit_now(self) -> None:
        """Close without asking, keeping any take (marked incomplete): for a terminal's
        Ctrl+C, SIGTERM or SIGHUP."""
        self._quit_choice = QuitChoice.SAVE
        if self._closed:
            self.closed.emit()
        else:
            self.close()

    def _ask_quit_choice(self) -> QuitChoice:
        return ask_quit_choice(self, APP_TITLE, QUIT_QUESTION,
                               opened=lambda box: setattr(self, "quit_question", box))

    def shutdown(self, choice: QuitChoice = QuitChoice.SAVE) -> None:
        """Stop the timers and the worker (which keeps any take, marked incomplete, or
        deletes it for ``QuitChoice.DISCARD``). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for timer in (self.plot_timer, self.status_timer, self.elapsed_timer, self.stats_timer):
            timer.stop()
        self.rehearsal.shutdown()
        # opening a web video may block the worker for up to two network timeouts
        last = MirrorController.shutdown_for(choice) or MirrorController.shutdown_for(QuitChoice.SAVE)
        stopped = self.worker.shutdown(timeout_s=SHUTDOWN_TIMEOUT_S, complete=last.complete,
                                       discard=last.discard)
        if not stopped:
            log.warning("Closing while the analysis thread is still busy.")
        self.prefs.sync()
