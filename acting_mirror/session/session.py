"""Session: the live loop of Acting Mirror, the same for the app and for ``process``.

A session owns every stateful object of a rehearsal: the source, the analyzer, the
annotator, the take being recorded, the script run and the pacing clock. Nothing else
touches them, so nothing locks. One frame's path::

    source -> (mirror) -> Analyzer.analyze -> annotate -> take (output.avi, timeline.csv)
           -> script run (cue) -> FrameAnalysed event

Commands (:mod:`acting_mirror.session.commands`) come in through :meth:`Session.handle`
(or an :class:`Inbox` while :meth:`Session.run` loops); what happens goes out as events
(:mod:`acting_mirror.session.events`) through the ``emit`` callback, on the session's
thread. Two policies: :data:`LIVE` (the app: files play at their own pace, live sources
give their newest frame) and :data:`OFFLINE` (``process``: flat out, every frame).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Callable, Iterator

import numpy as np

from acting_mirror.config import AnalysisSettings
from acting_mirror.core.analysis import Analyzer
from acting_mirror.core.ports import FaceDetector, FrameSource
from acting_mirror.core.line_learning import paced, passage
from acting_mirror.core.rates import RateMeter
from acting_mirror.core.spoken_cues import WORDS as CUE_WORDS, CueWords
from acting_mirror.core.script import Script
from acting_mirror.core.summary import SummaryBuilder
from acting_mirror.core.types import Frame, FrameResult
from acting_mirror.errors import ActingMirrorError, OutputError, SourceError
from acting_mirror.media.prefetch import Prefetcher
from acting_mirror.media.sources import mirrored
from acting_mirror.session import commands as cmd
from acting_mirror.session import events as ev
from acting_mirror.session.parts import (  # noqa: F401 - the session's ports, re-exported
    LIVE, OFFLINE, Annotating, Inbox, PartnerVoice, SessionParts, SessionPolicy,
)
from acting_mirror.session.reading import Opening, Reconnect, StampedSource, source_info
from acting_mirror.session.script_run import ScriptRun
from acting_mirror.session.take import TakeFolder, TakeInProgress
from acting_mirror.session.voice import TakeVoice

log = logging.getLogger(__name__)

DEMO_SPEC = "demo"
"""What the window calls the bundled demo clip (stored in preferences as this word)."""

_BEHIND_S = 0.25  # a file more than this late re-anchors its clock instead of rushing
_PREFETCH_DEPTH = 4


class Session:
    """See the module docstring. Call :meth:`start` first (it loads the models), then
    :meth:`handle` commands and :meth:`step` frames, or :meth:`run` with an inbox; finish
    with :meth:`close`."""

    def __init__(
        self,
        parts: SessionParts,
        emit: Callable[[ev.Event], None],
        settings: AnalysisSettings = AnalysisSettings(),
        *,
        policy: SessionPolicy = LIVE,
        mirror: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.parts = parts
        self.settings = settings
        self.policy = policy
        self._emit = emit
        self._clock = clock
        self.mirror = bool(mirror)
        self.analyzer: Analyzer | None = None
        self._annotator: Annotating | None = None
        self._detectors: dict[tuple[str, bool], FaceDetector] = {}
        self.detector_name = settings.detector
        self.source: Prefetcher | None = None
        self._frames: Iterator[Frame] | None = None
        self._stamped: StampedSource | None = None
        self._opened: FrameSource | None = None  # the source itself (its end reason)
        self.info: ev.SourceInfo | None = None
        self.generation = 0
        self.playing = True
        self.ended = False
        self._held: Frame | None = None  # a frame read but not yet shown (paused while pacing)
        self._last_frame: Frame | None = None
        self._anchor: tuple[float, int] | None = None  # (clock, time_ms) for pacing
        self.take: TakeInProgress | None = None
        self.script: ScriptRun | None = None
        self.partner: PartnerVoice | None = None  # speaks the script's partner lines
        self._loop_take: cmd.StartRecording | None = None  # the take a looped passage repeats
        self._cue_voice: PartnerVoice | None = None  # says the spoken cues, when asked
        self._cue_words = CueWords()
        self._detail = None  # the main face's mesh reader, kept while switched off
        self._mic = None  # the microphone, made on the first SetVoiceRecording(True)
        self._record_voice = False
        self.voice = TakeVoice(emit, clock, self._app_speaking)  # speech.json, lines by voice
        self._looping = False
        self._analysed = RateMeter(clock=clock)
        self.stopping = False
        self._inbox: Inbox | None = None
        self._deferred: list[cmd.Command] = []  # came in while a source was opening
        self._reconnect: Reconnect | None = None  # a lost camera being tried again

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> bool:
        """Load the models; emits Ready, or Fatal (and returns False) when they cannot."""
        stills = self.info is not None and self.info.stills
        try:
            self.analyzer = self.parts.build_analyzer(self._settings_for(self.settings.detector, stills))
        except (ActingMirrorError, OSError, ValueError, RuntimeError) as exc:
            log.error("Cannot start the analysis: %s", exc)
            self._emit(ev.Fatal(f"The emotion model could not be loaded: {exc}"))
            return False
        self.detector_name = getattr(self.analyzer.detector, "name", self.settings.detector)
        self._detectors[(self.settings.detector, stills)] = self.analyzer.detector
        self._annotator = self.parts.annotator()
        self._emit(ev.Ready(self.settings.detector))
        return True

    def close(self) -> None:
        """Finish any take (kept, marked incomplete: interrupted), close the source, stop
        detectors."""
        try:
            self.finish_take(complete=False, reason="interrupted")
        finally:
            self._close_source()
            for detector in self._detectors.values():
                self.parts.close_detector(detector)
            self._detectors.clear()
            for detail in {id(d): d for d in (self._detail,
                           self.analyzer.detail if self.analyzer else None) if d}.values():
                self.parts.close_detector(detail)
            self._close_partner()

    def run(self, inbox: Inbox) -> None:
        """Serve commands and play frames until :class:`~commands.Shutdown` (the app's loop)."""
        self._inbox = inbox
        if not self.start():
            while not self.stopping:
                if isinstance(inbox.get(None), cmd.Shutdown):
                    self.stopping = True
            return
        while not self.stopping:
            if self._deferred:  # arrived while a source was opening
                self.handle(self._deferred.pop(0))
            elif self.can_read():
                while (command := inbox.get(0)) is not None:
                    self.handle(command)
                if self.stopping or not self.can_read():
                    continue
                self.step()
            else:
                command = inbox.get(self._idle_wait())
                if command is not None:
                    self.handle(command)
                elif self._reconnect is not None:
                    self._try_reconnect()

    def _idle_wait(self) -> float:
        if self._reconnect is None:
            return 0.25
        return min(0.25, max(0.0, self._reconnect.due - self._clock()))

    def can_read(self) -> bool:
        return self._frames is not None and self.playing and not self.ended

    # ------------------------------------------------------------------ commands

    def handle(self, command: cmd.Command) -> None:
        if isinstance(command, cmd.Shutdown):
            self.stopping = True
            self.finish_take(complete=command.complete, discard=command.discard,
                             reason="the app was closed during the take")
        elif isinstance(command, cmd.OpenSource):
            self.open(command)
        elif isinstance(command, cmd.SetPlaying):
            self._set_playing(command.playing)
        elif isinstance(command, cmd.SetDetector):
            self._set_detector(command.name)
        elif isinstance(command, cmd.SetMirror):
            self.mirror = bool(command.on)
            self._emit(ev.MirrorChanged(self.mirror))
            self._refresh_still()
        elif isinstance(command, cmd.SetFaceDetail):
            self._set_face_detail(command.on)
        elif isinstance(command, cmd.SetVoiceRecording):
            self._set_voice_recording(command.on, command.device)
        elif isinstance(command, cmd.SetVoiceAdvance):
            self.voice.set(command, self.script, self.take is not None and self.take.scripted)
        elif isinstance(command, cmd.SetMeshDrawn):
            self._annotator.draw_mesh = bool(command.on)
            self._refresh_still()
        elif isinstance(command, cmd.StartRecording):
            self.start_take(command)
        elif isinstance(command, cmd.StopRecording):
            self.finish_take(complete=command.complete, discard=command.discard,
                             reason="stopped before the end of the script")
        elif isinstance(command, cmd.SetScript):
            self._set_script(command)
        elif isinstance(command, cmd.SetCalibration):
            if self.script is not None:
                self.script.set_calibration(command.calibration, command.actor)
        elif isinstance(command, cmd.AdvanceScript):
            self._advance_script()
        else:  # a programming error, not a user's
            raise TypeError(f"unknown session command {command!r}")

    # ------------------------------------------------------------------ sources

    def open(self, command: cmd.OpenSource, *, quiet: bool = False) -> bool:
        """Open ``command``'s source in place of the current one; False (and the old
        source kept) when it cannot be opened. ``quiet``: no events on failure (a camera
        being reconnected)."""
        self._reconnect = None
        if not quiet:
            self._emit(ev.SourceOpening(command.spec))
        try:
            source = self._opened_without_blocking(command)
        except ActingMirrorError as exc:
            if not quiet:
                self._emit(ev.SourceFailed(command.spec, str(exc)))
            return False
        if source is None:  # given up: the app quit or asked for another source meanwhile
            return False
        # the new source works: only now finalise the take and drop the old one
        self.finish_take()
        self._close_source()
        self.info = source_info(command.spec, source, command.loop)
        self._opened = source
        self._stamped = StampedSource(source, self._clock)
        self.source = Prefetcher(self._stamped, latest_only=self.info.live, depth=_PREFETCH_DEPTH)
        self._frames = iter(self.source)
        self.generation += 1
        self.ended = False
        self._held = None
        self._last_frame = None
        self._anchor = None
        self._analysed.clear()
        if self.analyzer is not None:
            self._use_detector(self.detector_name)  # stills read at full resolution
            self.analyzer.reset()  # the detector's known faces too
        self._emit(ev.SourceOpened(self.info))
        self.playing = True  # a new source always starts playing, and says so
        self._emit(ev.PlayingChanged(True))
        return True

    def _opened_without_blocking(self, command: cmd.OpenSource) -> FrameSource | None:
        """The opened source. In the app, opening (resolving a web link, a slow camera)
        runs on a helper thread while commands keep being taken: a Shutdown or another
        OpenSource meanwhile gives up on it at once (``None``; the source is closed when
        it arrives); any other command waits, in order, until the source is open (a
        Record sent with the Open records the new source)."""
        spec = self.parts.resolve_spec(command.spec)
        if self._inbox is None:
            return self.parts.open_source(spec, command.loop)
        opening = Opening(self.parts.open_source, spec, command.loop)
        while not opening.done.wait(0.02):
            pending = self._inbox.get(0)
            if pending is None:
                continue
            self._deferred.append(pending)
            if isinstance(pending, (cmd.Shutdown, cmd.OpenSource)):
                opening.abandon()
                return None
        return opening.result()

    def _close_source(self) -> None:
        source, self.source, self._frames, self._stamped = self.source, None, None, None
        if source is not None:
            source.close()

    def _set_playing(self, playing: bool) -> None:
        playing = bool(playing)
        if playing and self.ended and self.info is not None:
            # play after the end: start the same file again
            self.open(cmd.OpenSource(self.info.spec, self.info.loop))
            return
        if playing != self.playing:
            self.playing = playing
            self._anchor = None
            self._emit(ev.PlayingChanged(playing))

    # ------------------------------------------------------------------ detectors

    def _detector(self, name: str, stills: bool) -> FaceDetector:
        """The detector ``name`` (built once); for still pictures without keyframes, since
        every picture is a new scene searched whole, at full resolution."""
        key = (name, stills)
        detector = self._detectors.get(key)
        if detector is None:
            detector = self.parts.build_detector(self._settings_for(name, stills))
            self._detectors[key] = detector
        return detector

    def _settings_for(self, name: str, stills: bool) -> AnalysisSettings:
        settings = replace(self.settings, detector=name)
        return replace(settings, keyframe_interval=1) if stills else settings

    def _use_detector(self, name: str) -> None:
        stills = self.info is not None and self.info.stills
        self.analyzer.set_detector(self._detector(name, stills))

    def _set_voice_recording(self, on: bool, device: str | None = None) -> None:
        changed = self._mic is not None and getattr(self._mic, "device", None) != device
        if on and (self._mic is None or changed) and self.parts.microphone is not None \
                and (self.take is None or not self.take.audio):
            self._mic = self.parts.microphone(device)
            if not self._mic.available:
                self._emit(ev.MicrophoneChanged(False, self._mic.message))
        self._record_voice = bool(on)

    def _start_voice(self, take: TakeInProgress, clock_origin: float) -> None:
        """The take's first frame: the microphone starts, its time 0 this frame's, and
        the actor's voice is listened to (speech.json; an untimed script's lines follow
        it)."""
        mic = self._mic
        if not self._record_voice or mic is None or not mic.available:
            return
        self.voice.start(mic, clock_origin, self.script, take.scripted)
        try:
            mic.start(take.folder.path, clock_origin)
        except ActingMirrorError as exc:
            self.voice.cancel()
            self._emit(ev.MicrophoneChanged(False, str(exc)))
            return
        take.audio = True
        self._emit(ev.MicrophoneChanged(True))
        self.voice.started(self.script)

    def _app_speaking(self) -> bool:
        """The app's own voice is playing (the partner's line or a spoken cue): any
        thread, so it reads the attributes once."""
        partner, cues = self.partner, self._cue_voice
        return bool((partner is not None and partner.speaking)
                    or (cues is not None and getattr(cues, "speaking", False)))

    def _stop_voice(self, take: TakeInProgress) -> None:
        if take.audio and self._mic is not None:
            info = self._mic.stop()
            self._emit(ev.MicrophoneChanged(False, getattr(info, "message", None) or None))
        self.voice.stop(take.folder.path, take.audio)

    def _set_face_detail(self, on: bool) -> None:
        """The face mesh on the main face, on or off (kept once built)."""
        if self.analyzer is None:
            return
        if on and self.analyzer.detail is None:
            if self._detail is None and self.parts.face_detail is not None:
                try:
                    self._detail = self.parts.face_detail()
                except (ActingMirrorError, OSError, ValueError) as exc:
                    self._emit(ev.DetectorFailed("face detail", str(exc)))
                    return
            self.analyzer.detail = self._detail
        elif not on and self.analyzer.detail is not None:
            self._detail, self.analyzer.detail = self.analyzer.detail, None
        self._refresh_still()

    def _set_detector(self, name: str) -> None:
        if self.analyzer is None:
            return
        try:
            self._use_detector(name)
        except (ActingMirrorError, ImportError, OSError) as exc:
            self._emit(ev.DetectorFailed(name, str(exc)))
            return
        reset = getattr(self.analyzer.detector, "reset", None)
        if reset is not None:
            reset()  # forget where faces were: a keyframe detector refines around them
        self.detector_name = name
        self._emit(ev.DetectorChanged(name))
        self._refresh_still()

    # ------------------------------------------------------------------ frames

    def step(self) -> bool:
        """Read, analyse and deliver the next frame; False when none was (the source
        ended or broke, or a command while waiting changed course)."""
        if self._held is not None:
            frame, self._held = self._held, None
        else:
            try:
                frame = next(self._frames)
            except StopIteration:
                self._source_ended()
                return False
            except SourceError as exc:
                self._source_broke(str(exc))
                return False
        captured = self._decoded_at(frame)
        if self.policy.paced and not self.info.live:
            generation = self.generation
            due = self._due(frame)
            if due is None:
                return True  # too late for this frame: the next one is read at once
            if not self._wait_until(due):
                if self.generation == generation and not self.stopping:
                    self._held = frame  # paused while waiting: show it on resume
                return False
            captured = max(captured, due)
        self._process(frame, captured, fresh=True)
        return True

    def _decoded_at(self, frame: Frame) -> float:
        if self._stamped is not None:
            for index, at in reversed(self._stamped.stamps.copy()):
                if index == frame.index:
                    return at
        return self._clock()

    def _due(self, frame: Frame) -> float | None:
        """When a file's ``frame`` is to be shown on the wall clock; ``None``: skip it.

        A film that falls behind (analysis slower than its frame rate) re-anchors its clock
        and plays on slower, every frame shown, except while the take records the voice:
        the microphone runs on the wall clock, so the film then skips the frames it is more
        than a frame late for, and the timeline's times stay with the sound's."""
        now = self._clock()
        if self._anchor is None or (self.take is not None and self.take.frames == 0):
            self._anchor = (now, frame.time_ms)  # a take's first frame: its time 0 is now
            return now
        wall0, media0 = self._anchor
        due = wall0 + (frame.time_ms - media0) / 1000.0
        if self.take is not None and self.take.audio and self.take.frames:
            frame_s = 1.0 / self.info.fps if self.info.fps > 0 else 1 / 30
            return None if now - due > frame_s else due
        if now - due > _BEHIND_S:  # analysis is slower than the film: re-anchor, never rush
            self._anchor = (now, frame.time_ms)
            return now
        return due

    def _wait_until(self, due: float) -> bool:
        """Wait until ``due`` while serving commands; False when a command changed course
        (pause, new source, shutdown) so the frame must not be shown now."""
        generation = self.generation
        while True:
            remaining = due - self._clock()
            if remaining <= 0:
                return True
            command = self._inbox.get(remaining) if self._inbox is not None else None
            if command is None:
                if self._inbox is None:
                    time.sleep(remaining)
                return True
            self.handle(command)
            if self.stopping or not self.playing or self.generation != generation:
                return False

    def _source_ended(self) -> None:
        self.ended = True
        reason = getattr(self._opened, "end_reason", None)
        early = reason not in (None, "complete")
        message = (getattr(self._opened, "end_message", None) or f"The source {reason}.") \
            if early else None
        self.finish_take(complete=not early, reason=message)
        self._emit(ev.SourceEnded(self.info.spec if self.info else "", not early, message))
        if early and self.info is not None and self.info.camera and self._inbox is not None:
            self._reconnect = Reconnect(self.info.spec, self.info.loop, self._clock())
            self._emit(ev.SourceReconnecting(self.info.spec, 0, Reconnect.first_delay_s))
        if self.playing:
            self.playing = False
            self._emit(ev.PlayingChanged(False))

    def _source_broke(self, message: str) -> None:
        spec = self.info.spec if self.info else ""
        self.finish_take(complete=False, reason=message)
        self._close_source()
        self.info = None
        self.ended = False
        self._emit(ev.SourceFailed(spec, message))

    def _try_reconnect(self) -> None:
        """Try the lost camera again; on failure wait longer (up to a limit of tries)."""
        attempt = self._reconnect
        if attempt is None or self._clock() < attempt.due:
            return
        if self.open(cmd.OpenSource(attempt.spec, attempt.loop), quiet=True):
            return  # SourceOpened says it is back
        attempt.tries += 1
        if attempt.tries >= Reconnect.max_tries:
            self._reconnect = None
            self._emit(ev.SourceFailed(attempt.spec, "The camera did not come back; open it "
                                       "again when it is connected."))
            return
        delay = attempt.schedule(self._clock())
        self._reconnect = attempt
        self._emit(ev.SourceReconnecting(attempt.spec, attempt.tries, delay))

    def _refresh_still(self) -> None:
        """Re-analyse the frame on screen when nothing is playing (after a detector or
        mirror change), so the picture follows the setting. Not recorded, not plotted."""
        if self._last_frame is not None and not self.can_read():
            self._process(self._last_frame, self._clock(), fresh=False)

    def _process(self, frame: Frame, captured: float, *, fresh: bool) -> None:
        started = self._clock()
        self._last_frame = frame
        flipped = self.mirror and self.info is not None and self.info.camera
        if flipped:  # a new array: annotating may draw on it
            frame = Frame(mirrored(frame.image), frame.index, frame.time_ms)
        if self.info is not None and self.info.stills:
            self.analyzer.reset()  # every picture is another scene
        result = self.analyzer.analyze(frame)
        timings = dict(result.timings_ms)
        annotated = None
        t0 = self._clock()
        if self.policy.annotate or (self.take is not None and self.take.video):
            # offline, nothing else looks at the frame: draw on it
            annotated = self._annotator.annotate(
                frame.image, result, copy=self.policy.annotate and not flipped)
            timings["annotate"] = (self._clock() - t0) * 1e3
        t1 = self._clock()
        cue = None
        if fresh:
            self._analysed.tick(t1)
            if self.script is not None:
                recorded = self.take is not None and self.take.scripted
                if recorded and self.voice.due():  # the actor said the line, then paused
                    self._next_line()
                cue = self.script.update(frame.time_ms, result.primary, recorded=recorded)
                if recorded and self.partner is not None:
                    self.partner.follow(cue.cue)  # says a partner line once, never waits
                if recorded and self._cue_voice is not None:
                    self._say_cue(cue)
            if self.take is not None:
                if self.take.frames == 0:
                    self._start_voice(self.take, captured)
                self._record(result, annotated)
                timings["record"] = (self._clock() - t1) * 1e3
        self._emit(ev.FrameAnalysed(
            result=result,
            annotated=annotated,
            generation=self.generation,
            fresh=fresh,
            captured_at=captured,
            analysis_started_at=started,
            capture_fps=self._stamped.rate.rate(t1) if self._stamped is not None else 0.0,
            analysed_fps=self._analysed.rate(t1),
            timings_ms=timings,
            recorded_frames=self.take.frames if self.take is not None else None,
            cue=cue,
        ))
        if (self.policy.script_ends_take and self.script is not None
                and self.script.take_complete):
            self._script_done()

    # ------------------------------------------------------------------ takes

    def start_take(self, command: cmd.StartRecording) -> bool:
        if self.take is not None:
            return False
        if self.info is None or self._frames is None:
            self._emit(ev.RecordingFailed("Open a camera or a video before recording."))
            return False
        if command.scripted and self.script is None:
            self._emit(ev.RecordingFailed("Load a script before starting a scripted take."))
            return False
        if command.rewind and not self.info.live:
            # the take starts with the video's first frame (and the script's clock with it)
            if not self.open(cmd.OpenSource(self.info.spec, self.info.loop)):
                self._emit(ev.RecordingFailed("The video could not be restarted for the take."))
                return False
        fps = self.info.fps
        if self.info.live:  # the video runs at the rate frames are analysed, not shot
            measured = self._analysed.rate()
            if measured > 0:
                fps = max(1.0, min(fps, round(measured, 1)))
        folder = None
        try:
            folder = TakeFolder.for_request(command)
            summary = SummaryBuilder(
                source_name=self.info.name,
                fps=fps,
                detector=self.detector_name,
                model=self.parts.model_name(self.settings),
            )
            if self.info.stills and self.info.frame_count == 1 and not self.policy.paced:
                # `process` of one still picture: an annotated output.png, not a one-frame
                # video (the app, which shows a picture for as long as it is open, keeps
                # output.avi)
                sink = self.parts.take_sink(folder.path, fps, command.write_video, summary,
                                            still=True)
            else:
                sink = self.parts.take_sink(folder.path, fps, command.write_video, summary)
        except OutputError as exc:
            if folder is not None:
                folder.clear()
            self._emit(ev.RecordingFailed(str(exc)))
            return False
        self.take = TakeInProgress(folder, sink, summary, self._clock(),
                                   scripted=command.scripted, video=command.write_video)
        if command.scripted:
            self._loop_take = command
            self.script.begin_take()
            if self.partner is not None:
                self.partner.rewind()
        self._emit(ev.TakeStarted(folder.path))
        return True

    def _record(self, result: FrameResult, annotated: np.ndarray | None) -> None:
        try:
            self.take.write(result, annotated)
        except OutputError as exc:
            self.finish_take(error=str(exc))

    def finish_take(self, error: str | None = None, *, complete: bool = True,
                    discard: bool = False, reason: str | None = None) -> ev.TakeInfo | None:
        """Close the take in progress (if any) and emit TakeFinished. ``complete=False``
        marks it cut short (``reason`` says why); ``discard`` deletes it."""
        take, self.take = self.take, None
        if take is None:
            return None
        if take.scripted and self.partner is not None:
            self.partner.stop()
        seconds = self._clock() - take.started
        self._stop_voice(take)
        if not complete:
            take.summary.mark_incomplete(reason or "stopped before the end")
        summary = None
        try:
            summary = take.sink.close(seconds)
        except OutputError as exc:
            error = error or str(exc)
        report, report_error = None, None
        if take.scripted and self.script is not None:
            keep = error is None and not discard
            report, report_error = self.script.finish_take(
                take.folder.path if keep else None, take.frames, complete=complete)
        if discard or (take.frames == 0 and error is None):
            # thrown away, or nothing recorded (stopped at once, paused throughout)
            take.folder.clear()
        info = ev.TakeInfo(take.folder.path, take.frames, seconds, summary, error,
                           take.scripted, report, report_error, complete=complete,
                           discarded=discard)
        self._emit(ev.TakeFinished(info))
        return info

    # ------------------------------------------------------------------ scripts

    def _set_script(self, command: cmd.SetScript) -> None:
        if self.take is not None and self.take.scripted:
            self.finish_take()  # a new script ends the take of the old one
        self._close_partner()
        self._loop_take = None
        self._looping = command.loop
        self._cue_words.reset()
        if command.spoken_cues and command.script is not None:
            self._open_cue_voice()
        if command.script is None:
            self.script = None
        else:
            script = command.script
            text = command.text
            if command.passage is not None:
                script, text = passage(script, *command.passage), None
            if command.pace != 1.0 and script.timed:
                script, text = paced(script, command.pace), None  # stored as played
            self.script = ScriptRun(script, command.calibration, text=text, actor=command.actor,
                                    profile=command.profile)
            if command.partner_voice and script.partners:
                self._open_partner(script)
        self._refresh_still()

    def _open_partner(self, script: Script) -> None:
        if self.parts.partner_voice is None:
            return
        try:
            self.partner = self.parts.partner_voice(script)
        except ActingMirrorError as exc:
            self._emit(ev.PartnerVoiceUnavailable(str(exc)))
            return
        if not self.partner.available:
            self._emit(ev.PartnerVoiceUnavailable(self.partner.message))
            self._close_partner()

    def _close_partner(self) -> None:
        partner, self.partner = self.partner, None
        if partner is not None:
            partner.close()
        voice, self._cue_voice = self._cue_voice, None
        if voice is not None:
            voice.close()

    def _open_cue_voice(self) -> None:
        if self.parts.cue_voice is None:
            return
        try:
            voice = self.parts.cue_voice()
        except ActingMirrorError:
            return  # the partner's own message says it; cues are a nicety
        if voice.available:
            self._cue_voice = voice
        else:
            voice.close()

    def _say_cue(self, state) -> None:
        """One short word between lines, never over the partner (nor just as it speaks)."""
        word = self._cue_words.update(state)
        partner_busy = self.partner is not None and (
            self.partner.speaking or (state.cue is not None and state.cue.partner))
        if word is not None and not partner_busy:
            self._cue_voice.say(CUE_WORDS.index(word))

    def _script_done(self) -> None:
        """The last line is over: the take ends by itself; a looped passage starts again."""
        take = self.take
        self.finish_take()
        if self._looping and take is not None and self._loop_take is not None:
            self.start_take(self._loop_take)

    def _advance_script(self) -> None:
        """The key (AdvanceScript): the next line, and the end of the take after the last."""
        if not self._next_line():
            return
        if self.policy.script_ends_take and self.script.take_complete:
            self._script_done()

    def _next_line(self) -> bool:
        """The next line of an untimed scripted take, by key or by voice; the voice's
        wait starts again with it."""
        if self.script is None or self.take is None or not self.take.scripted:
            return False
        self.script.advance()
        self.voice.line_up(self.script)
        return True
