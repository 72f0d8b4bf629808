"""``acting-mirror process``: analyse a video, image, folder, URL or camera into a take."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from acting_mirror.config import AnalysisSettings, default_takes_dir
from acting_mirror.core.takefiles import (
    AUDIO_WAV, EXIT_ENDED_EARLY, REPORT_HTML, REPORT_JSON, TIMELINE_CSV,
)
from acting_mirror.errors import ActingMirrorError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "process",
        help="analyse a video, image, folder, URL or camera into a take folder",
        description="Analyse INPUT frame by frame and write a take folder with output.avi "
        "(annotated), timeline.csv and summary.json. INPUT is a video or image file, a "
        "folder of images, an http(s)/YouTube URL, camera:N, or an existing take folder "
        "(with --script, to report on it again).",
    )
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="write the take exactly here (must not exist or be empty); "
                   "default: a new folder in the takes library")
    p.add_argument("--detector", choices=("haar", "mtcnn", "mtcnn-tf", "mesh"), default="haar",
                   help="face detector (default: haar; mesh: MediaPipe's face mesh, with blendshapes)")
    p.add_argument("--model", type=Path, metavar="PATH",
                   help="a compatible emotion .tflite model (default: bundled mini-Xception)")
    p.add_argument("--no-video", action="store_true", help="analysis only: skip output.avi")
    p.add_argument("--detail", action="store_true",
                   help="also run the face mesh on the main face: its 52 blendshapes and "
                   "head pose go into timeline.csv (always on with --detector mesh)")
    p.add_argument("--align", action="store_true",
                   help="level the eye line of each face crop before reading it (off by default)")
    p.add_argument("--clahe", action="store_true",
                   help="equalise each face crop with CLAHE before reading it (off by default)")
    p.add_argument("--draw-mesh", action="store_true",
                   help="dot the face mesh's points in output.avi (with --detail or --detector mesh)")
    p.add_argument("--script", type=Path, metavar="FILE",
                   help="an acting script: also write report.json and report.html")
    p.add_argument("--actor", metavar="NAME",
                   help="score with NAME's expression profile (acting-mirror profile learn): "
                   "emotions re-read with their personal mapping where the face mesh ran "
                   "(use with --script; --detail to run the mesh)")
    p.add_argument("--pause", type=float, default=0.8, metavar="SECONDS",
                   help="with a --script without times: the lines are timed by the voice in "
                   "the recording's sound, each moving on after it was said and a pause this "
                   "long (default 0.8, as in the app)")
    p.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames (cameras, streams)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args: argparse.Namespace) -> int:
    from acting_mirror.app import process_to_take

    if args.model is not None and not args.model.is_file():
        raise ActingMirrorError(f"Model file not found: {args.model}.")
    script = _load_script(args.script) if args.script else None
    profile = _load_profile(getattr(args, "actor", None), script)
    input_path = Path(args.input)
    pause_ms = _pause_ms(args.pause)
    voiced = script is not None and not script.has_times  # timed by the recording's voice
    if input_path.is_dir() and (input_path / TIMELINE_CSV).is_file():
        if script is None:
            raise ActingMirrorError(
                f"{input_path} is a take folder: give --script FILE to report on it "
                "against a script (its video is not analysed again)."
            )
        if voiced:
            if not (input_path / AUDIO_WAV).is_file():
                raise ActingMirrorError(_no_sound(args.script, f"the take {input_path}"))
            script, unplayed = _lines_by_voice(input_path, script, args.input, pause_ms)
            return _report_existing_take(input_path, script, profile, unplayed)
        return _report_existing_take(input_path, script, profile)

    if voiced and not _has_sound(args.input):
        raise ActingMirrorError(_no_sound(args.script, args.input))
    settings = AnalysisSettings(detector=args.detector, model_path=args.model,
                                face_detail=args.detail, align=args.align, clahe=args.clahe)
    bar = _ProgressBar(disabled=args.quiet)
    with _finish_on_signals():
        try:
            outcome = process_to_take(
                args.input,
                out_dir=args.out,
                takes_root=default_takes_dir(),
                settings=settings,
                write_video=not args.no_video,
                progress=bar.update,
                max_frames=args.max_frames,
                draw_mesh=args.draw_mesh,
            )
        finally:
            bar.close()
    print(_summary_paragraph(outcome))
    if script is not None:
        unplayed = ()
        if voiced:
            script, unplayed = _lines_by_voice(outcome.folder, script, args.input, pause_ms)
        else:
            _warn_if_longer(script, outcome.summary)
        report = _write_report(outcome.folder, script, profile, unplayed)
        print(f"Score {report.score:.0%} -> {outcome.folder / REPORT_HTML}")
    if not outcome.complete:
        reason = outcome.ended_early.rstrip(".")
        print(f"acting-mirror: the input ended early: {reason}. The take keeps the "
              f"{outcome.frames} frames read, marked incomplete: {outcome.folder}",
              file=sys.stderr)
        return EXIT_ENDED_EARLY
    return 0


def _warn_if_longer(script, summary: dict) -> None:
    """One line when the script runs past the end of the media (those lines are
    ``not_reached`` in the report)."""
    media_s = float(summary.get("duration_s") or 0.0)
    script_s = (script.duration_ms or 0) / 1000.0
    if script_s > media_s + 1e-3:
        print(f"acting-mirror: warning: the script ({script_s:.1f} s) is longer than the "
              f"media ({media_s:.1f} s); the lines after {media_s:.1f} s are marked "
              "not reached and left out of the score.", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal, a logout, a service stop): unwinds like
    Ctrl+C, so the take is closed and keeps every frame read. ``signum`` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _finish_on_signals():
    """While a take is recorded, Ctrl+C, SIGTERM and SIGHUP finish it: never in the
    middle of recording a frame or closing the take (the recorder's critical section
    defers them), and a second signal cannot cut the close short."""
    from acting_mirror.media.recorder import CRITICAL

    wanted = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        for sig in wanted:
            signal.signal(sig, signal.SIG_IGN)
        exc = KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)
        if CRITICAL.busy:
            CRITICAL.defer(exc)
            return
        raise exc

    previous = {sig: signal.signal(sig, stop) for sig in wanted}
    for sig in wanted:  # other threads' system calls (FFmpeg writing) restart, never fail
        signal.siginterrupt(sig, False)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _load_script(path: Path):
    from acting_mirror.core.script import load_script

    return load_script(path)


def _load_profile(actor: str | None, script):
    """The actor's expression profile (``None`` without --actor); one line when missing."""
    if actor is None:
        return None
    if script is None:
        raise ActingMirrorError(
            "--actor NAME changes how a take is scored against its script: give --script FILE too.")
    from acting_mirror.config import user_data_dir
    from acting_mirror.core.profile import ExpressionProfileStore

    return ExpressionProfileStore(user_data_dir()).load(actor)


def _report_existing_take(take: Path, script, profile=None, unplayed=()) -> int:
    report = _write_report(take, script, profile, unplayed)
    print(f"Report for {take}: score {report.score:.0%} -> {take / REPORT_HTML}")
    return 0


def _write_report(take: Path, script, profile=None, unplayed=()):
    from acting_mirror.core.report import report_for_take

    report = report_for_take(take, script, overwrite=(take / REPORT_JSON).exists(),
                             profile=profile, unplayed=tuple(unplayed))
    _keep_script_with_take(take, script)
    for line in report.lines:
        print(f"  line {line.index + 1}: {'/'.join(line.targets):<16} {line.verdict:<11} "
              f"on target {line.on_target:.0%}  (read as {line.dominant or '-'})")
    return report


def _keep_script_with_take(take: Path, script) -> None:
    """Store the script with a take that has none, as the app does for its takes: the
    library then groups it with the app's takes of the same script, and they can be
    compared. A take's own script (the app's, with a teleprompter take's times) stays."""
    from acting_mirror.core.take_script import SCRIPT_TXT, write_take_script

    if script.has_times and not (Path(take) / SCRIPT_TXT).exists():
        write_take_script(take, script)


def _pause_ms(seconds: float) -> int:
    from acting_mirror.session.commands import PAUSE_MS_RANGE

    low, high = PAUSE_MS_RANGE
    if not low <= seconds * 1000 <= high:
        raise ActingMirrorError(
            f"--pause {seconds:g} is out of range: give {low / 1000:g} to {high / 1000:g} seconds.")
    return int(round(seconds * 1000))


def _no_sound(script_path, what) -> str:
    return (f"{script_path} is a teleprompter script (its lines have no times) and {what} "
            "has no sound to time them by the voice: add times to its lines, or rehearse it "
            "in the app, where each line is timed as you play it.")


def _has_sound(spec: str) -> bool:
    """A video file (or the demo) with an audio track."""
    from acting_mirror.app import resolve_spec
    from acting_mirror.audio.extract import has_audio

    path = Path(resolve_spec(spec))
    return path.is_file() and has_audio(path)


def _lines_by_voice(folder: Path, script, spec: str, pause_ms: int):
    """The untimed ``script`` timed by the voice in the take's sound (its ``audio.wav``,
    taken from ``spec`` when the take has none yet): the lines reached, with the times
    they would have come up in the app, and the lines never reached. Writes
    ``speech.json`` when the take has none."""
    from acting_mirror.app import resolve_spec
    from acting_mirror.audio.extract import extract_audio
    from acting_mirror.audio.vad import lines_by_voice, write_speech
    from acting_mirror.audio.wavfile import read_wav
    from acting_mirror.core.script import Script
    from acting_mirror.core.takefiles import SPEECH_JSON

    if not (folder / AUDIO_WAV).is_file():  # --no-video keeps no sound: the voice needs it
        extract_audio(Path(resolve_spec(spec)), folder)
    samples, rate = read_wav(folder / AUDIO_WAV)
    times = lines_by_voice(script.cues, samples, rate, pause_ms=pause_ms)
    if not (folder / SPEECH_JSON).exists():
        write_speech(folder, list(times.heard), headset=True)
    if not times.spans:
        raise ActingMirrorError(f"{folder / AUDIO_WAV} holds no sound to time the lines by.")
    n = times.reached
    print(f"Lines timed by the voice in the sound (next line after a {pause_ms / 1000:g} s "
          f"pause): {n} of {_plural(len(script.cues), 'line')} reached.")
    reached = Script(script.cues[:n], timed=False, source=script.source, role=script.role)
    return reached.with_times(list(times.spans)), script.cues[n:]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary_paragraph(outcome) -> str:
    s = outcome.summary
    shares = s.get("primary_emotion_shares") or {}
    top = sorted(shares.items(), key=lambda kv: kv[1], reverse=True)[:3]
    mood = ", ".join(f"{e} {v:.0%}" for e, v in top if v > 0) or "no face read"
    proc = s.get("processing", {})
    faces = _plural(int(s.get("faces_seen", 0)), "face")
    models = f"with {s.get('detector')} + {s.get('model')}"
    if outcome.frames == 1:  # one still picture: no media length, no rate
        read = "the face read as" if s.get("faces_seen", 0) == 1 else "the main face read as"
        return (f"Analysed 1 picture in {outcome.seconds:.1f} s {models}; {faces} seen, "
                f"{read} {mood}. Take written to {outcome.folder}")
    return (
        f"Analysed {_plural(outcome.frames, 'frame')} ({s.get('duration_s', 0):.1f} s of media) in "
        f"{outcome.seconds:.1f} s ({proc.get('fps', outcome.frames / max(outcome.seconds, 1e-9)):.1f} frames/s) "
        f"{models}; {faces} seen, "
        f"the main face read as {mood}. Take written to {outcome.folder}"
    )


class _ProgressBar:
    """A tqdm bar on stderr for finite sources; nothing for --quiet or non-terminals."""

    def __init__(self, disabled: bool):
        self._bar = None
        self._disabled = disabled or not sys.stderr.isatty()

    def update(self, done: int, total: int | None) -> None:
        if self._disabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="frame", desc="Analysing", leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
