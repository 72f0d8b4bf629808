"""``acting-mirror export TAKE --out take.mp4``: one shareable video with sound.

The take's ``output.avi`` (MJPG) is re-encoded to MPEG-4 video in an MP4 file with its
``audio.wav`` as AAC, through PyAV. Each frame is placed at its timeline time (when the
timeline accounts for every frame; else at the video's frame rate), and audio sample ``k``
at ``k / rate``: both on the take's clock. The codecs are FFmpeg's own (LGPL):
``mpeg4`` (default; plays everywhere) or ``vp9`` (libvpx, BSD; smaller files). PyAV's
wheels also carry x264 (H.264), which is GPL; it is not used here.
Never overwrites: the file is written under a temporary name and renamed at the end.
"""

from __future__ import annotations

import argparse
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from acting_mirror.errors import ActingMirrorError, DependencyError, OutputError

CODECS = {"mpeg4": "mpeg4", "vp9": "libvpx-vp9"}


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "export",
        help="export a take as one video file with its sound (MP4)",
        description="Write TAKE's video (output.avi) and the actor's voice (audio.wav, if "
        "recorded) into one MP4 file to share: MPEG-4 or VP9 video, AAC sound, in sync on "
        "the take's clock. Never overwrites an existing file.",
    )
    p.add_argument("take", type=Path, metavar="TAKE", help="a take folder")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.mp4")
    p.add_argument("--codec", choices=sorted(CODECS), default="mpeg4",
                   help="video codec (default mpeg4)")
    p.add_argument("--no-audio", action="store_true", help="leave the sound out")
    return p


def run(args: argparse.Namespace) -> int:
    from acting_mirror.commands.model import _Bar

    bar = _Bar("exporting", "frame")
    try:
        result = export_take(args.take, args.out, codec=args.codec, audio=not args.no_audio,
                             progress=bar)
    finally:
        bar.close()
    sound = (f", sound {result['audio_s']:.1f} s" if result["audio_s"] is not None
             else ", no sound (the take has no audio.wav)")
    print(f"wrote {args.out}: {result['frames']} frames, {result['video_s']:.1f} s{sound}")
    return 0


def _frame_times(take: Path, frames: int, fps: float) -> list[int]:
    """Each video frame's time in ms: the timeline's when it has one time per frame."""
    from acting_mirror.core.takefiles import TIMELINE_CSV
    from acting_mirror.core.timeline import read_timeline

    try:
        table = read_timeline(take / TIMELINE_CSV)
        pairs = sorted(set(zip(table.frame.tolist(), table.time_ms.tolist())))
        times = [t for _f, t in pairs]
        if len(times) == frames and all(b > a for a, b in zip(times, times[1:])):
            return [int(t) for t in times]
    except (OSError, ValueError, ActingMirrorError):
        pass
    return [int(round(k * 1000.0 / fps)) for k in range(frames)]


def export_take(take: Path | str, out: Path | str, *, codec: str = "mpeg4", audio: bool = True,
                progress=None) -> dict:
    """Write ``take`` to ``out`` (see the module doc); returns what was written."""
    try:
        import av
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise DependencyError("Export needs PyAV: pip install av") from exc
    from acting_mirror.audio.wavfile import read_wav
    from acting_mirror.core.takefiles import AUDIO_WAV, IN_PROGRESS, OUTPUT_AVI

    take, out = Path(take), Path(out)
    if not take.is_dir():
        raise ActingMirrorError(f"No such take folder: {take}.")
    video_in = take / OUTPUT_AVI
    if not video_in.is_file():
        raise ActingMirrorError(f"{take} has no {OUTPUT_AVI}: not a recorded take.")
    if (take / IN_PROGRESS).exists():
        raise ActingMirrorError(f"{take} was interrupted; run 'acting-mirror recover {take}' first.")
    if out.suffix.lower() not in (".mp4", ".m4v", ".mov"):
        raise ActingMirrorError(f"{out}: the export is an MP4 file; name it FILE.mp4.")
    if out.exists():
        raise OutputError(f"{out} already exists; choose another name (nothing is overwritten).")
    if not out.parent.is_dir():
        raise OutputError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    samples = rate = None
    if audio and (take / AUDIO_WAV).is_file():
        try:
            samples, rate = read_wav(take / AUDIO_WAV)
        except (OSError, ValueError, EOFError) as exc:
            raise ActingMirrorError(f"Cannot read {take / AUDIO_WAV}: {exc}.") from exc
    try:
        src = av.open(str(video_in))
    except av.FFmpegError as exc:
        raise ActingMirrorError(f"Cannot read {video_in}: {exc}.") from exc
    tmp = out.with_name(f".{out.name}.partial{out.suffix}")
    written = 0
    try:
        with src:
            if not src.streams.video:
                raise ActingMirrorError(f"{video_in} holds no video.")
            vin = src.streams.video[0]
            fps = float(vin.average_rate or vin.guessed_rate or 30)
            total = int(vin.frames or 0)
            times = _frame_times(take, total, fps) if total else []
            with av.open(str(tmp), "w", format="mp4") as dst:
                vout = dst.add_stream(CODECS[codec], rate=Fraction(round(fps * 1000), 1000))
                vout.width, vout.height = vin.codec_context.width, vin.codec_context.height
                vout.pix_fmt = "yuv420p"
                vout.time_base = Fraction(1, 1000)
                if codec == "mpeg4":
                    vout.bit_rate = 4_000_000
                    vout.options = {"qscale": "3"}
                aout = None
                if samples is not None:
                    aout = dst.add_stream("aac", rate=rate, layout="mono")
                    aout.bit_rate = 96_000
                last = -1
                for k, frame in enumerate(src.decode(vin)):
                    t = times[k] if k < len(times) else int(round(k * 1000.0 / fps))
                    t = max(t, last + 1)
                    last = t
                    f = frame.reformat(format="yuv420p")
                    f.pts, f.time_base = t, Fraction(1, 1000)
                    for packet in vout.encode(f):
                        dst.mux(packet)
                    written += 1
                    if progress is not None:
                        progress(written, max(total, written))
                for packet in vout.encode(None):
                    dst.mux(packet)
                if aout is not None:
                    _mux_audio(av, dst, aout, samples, rate)
        os.replace(tmp, out)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot export {take} to {out}: {exc}.") from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    video_s = (last + 1000.0 / fps) / 1000.0 if written else 0.0
    return {"frames": written, "video_s": video_s,
            "audio_s": None if samples is None else len(samples) / rate}


def _mux_audio(av, dst, aout, samples: np.ndarray, rate: int) -> None:
    step = 1024 * 8
    for lo in range(0, len(samples), step):
        block = np.ascontiguousarray(samples[lo:lo + step].reshape(1, -1))
        frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = lo
        frame.time_base = Fraction(1, rate)
        for packet in aout.encode(frame):
            dst.mux(packet)
    for packet in aout.encode(None):
        dst.mux(packet)

