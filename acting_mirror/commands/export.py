"""``acting-mirror export TAKE --out take.mp4``: one shareable video with sound.

The take's ``output.avi`` (MJPG) is re-encoded to MPEG-4 video in an MP4 file with its
``audio.wav`` as AAC. FFmpeg does it as a separate program (:mod:`acting_mirror.audio.ffmpeg`),
never linked into the app: one ffmpeg decodes ``output.avi`` to raw frames on its stdout;
we give each frame its timeline time (when the timeline accounts for every frame; else
the video's frame rate) in a small Matroska stream on a second ffmpeg's stdin, which
encodes it with the take's ``audio.wav`` (sample ``k`` at ``k / rate``): both on the take's
clock. The codecs are FFmpeg's own ``mpeg4`` (MPEG-4 Part 2, default; plays everywhere)
or ``libvpx-vp9`` (``--codec vp9``, smaller files); never H.264 (x264 is GPL).
Never overwrites: the file is written under a temporary name and renamed at the end; an
error, a Ctrl+C or a killed ffmpeg leave nothing under the final name.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import struct
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from acting_mirror.errors import ActingMirrorError, OutputError

CODECS = {"mpeg4": "mpeg4", "vp9": "libvpx-vp9"}
_CODEC_ARGS = {
    "mpeg4": ["-c:v", "mpeg4", "-q:v", "3"],
    "vp9": ["-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-deadline", "good",
            "-cpu-used", "4", "-row-mt", "1"],
}
PURPOSE = "Export"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "export",
        help="export a take as one video file with its sound (MP4)",
        description="Write TAKE's video (output.avi) and the actor's voice (audio.wav, if "
        "recorded) into one MP4 file to share: MPEG-4 or VP9 video, AAC sound, in sync on "
        "the take's clock. Never overwrites an existing file. Needs the ffmpeg program "
        "(the imageio-ffmpeg package, or ffmpeg on PATH).",
    )
    p.add_argument("take", type=Path, metavar="TAKE", help="a take folder")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.mp4")
    p.add_argument("--codec", choices=sorted(CODECS), default="mpeg4",
                   help="video codec (default mpeg4)")
    p.add_argument("--no-audio", action="store_true", help="leave the sound out")
    return p


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP mid-export: unwinds like Ctrl+C (ffmpeg stopped, temp file gone)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _stop_on_signals():
    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        for sig in wanted:
            signal.signal(sig, signal.SIG_IGN)
        raise _Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace) -> int:
    from acting_mirror.commands.model import _Bar

    bar = _Bar("exporting", "frame")
    try:
        with _stop_on_signals():
            result = export_take(args.take, args.out, codec=args.codec,
                                 audio=not args.no_audio, progress=bar)
    except _Stopped as exc:
        bar.close()
        print(f"acting-mirror: stopped by {exc}; nothing was written to {args.out}.",
              file=sys.stderr)
        return 128 + exc.signum
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


# --- a minimal Matroska stream: raw I420 frames, each with its own time in ms ---------

def _vint(n: int) -> bytes:
    return b"\x01" + n.to_bytes(7, "big")


def _el(ident: bytes, payload: bytes) -> bytes:
    return ident + _vint(len(payload)) + payload


def _uint(ident: bytes, value: int) -> bytes:
    return _el(ident, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def mkv_header(width: int, height: int) -> bytes:
    """EBML header, an open-ended Segment, Info (times in ms) and one raw I420 video track."""
    ebml = _el(b"\x1a\x45\xdf\xa3", _uint(b"\x42\x86", 1) + _uint(b"\x42\xf7", 1)
               + _uint(b"\x42\xf2", 4) + _uint(b"\x42\xf3", 8) + _el(b"\x42\x82", b"matroska")
               + _uint(b"\x42\x87", 4) + _uint(b"\x42\x85", 2))
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff"  # size unknown
    info = _el(b"\x15\x49\xa9\x66", _uint(b"\x2a\xd7\xb1", 1_000_000)
               + _el(b"\x4d\x80", b"acting-mirror") + _el(b"\x57\x41", b"acting-mirror"))
    video = _el(b"\xe0", _uint(b"\xb0", width) + _uint(b"\xba", height)
                + _el(b"\x2e\xb5\x24", b"I420"))
    track = _el(b"\xae", _uint(b"\xd7", 1) + _uint(b"\x73\xc5", 1) + _uint(b"\x83", 1)
                + _el(b"\x86", b"V_UNCOMPRESSED") + video)
    return ebml + segment + info + _el(b"\x16\x54\xae\x6b", track)


def mkv_frame(time_ms: int, frame: bytes) -> bytes:
    """One Cluster at ``time_ms`` holding one key-frame SimpleBlock."""
    block = b"\x81" + struct.pack(">hB", 0, 0x80) + frame
    return _el(b"\x1f\x43\xb6\x75", _uint(b"\xe7", time_ms) + _el(b"\xa3", block))


def i420_size(width: int, height: int) -> int:
    return width * height + 2 * ((width + 1) // 2) * ((height + 1) // 2)


# --- the source video ------------------------------------------------------------------

_FRAME = re.compile(r"^frame=(\d+)\s*$", re.M)


def _source_facts(video_in: Path) -> tuple[int, int, float, int]:
    """(width, height, fps, frame count) of ``video_in``: its header, and its packets
    counted by ffmpeg (a stream copy into nothing: no decoding)."""
    from acting_mirror.audio.ffmpeg import PROBE_TIMEOUT_S, ffmpeg_exe, media_arg, parse_header

    args = [ffmpeg_exe(PURPOSE), "-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1",
            "-i", media_arg(video_in), "-map", "0:v:0?", "-c", "copy", "-f", "null", "-"]
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ActingMirrorError(f"Cannot read {video_in}: ffmpeg took over "
                                f"{PROBE_TIMEOUT_S:.0f} s to read it.") from exc
    except OSError as exc:
        raise ActingMirrorError(f"Cannot run ffmpeg: {exc.strerror or exc}.") from exc
    facts = parse_header(done.stderr.decode("utf-8", "replace"))
    if not facts.readable:
        raise ActingMirrorError(f"Cannot read {video_in}: {facts.error}.")
    video = facts.first("video")
    if video is None or not video.width or not video.height:
        raise ActingMirrorError(f"{video_in} holds no video.")
    counts = _FRAME.findall(done.stdout.decode("utf-8", "replace"))
    frames = int(counts[-1]) if counts else 0
    return video.width, video.height, float(video.fps or 30.0), frames


def export_take(take: Path | str, out: Path | str, *, codec: str = "mpeg4", audio: bool = True,
                progress=None) -> dict:
    """Write ``take`` to ``out`` (see the module doc); returns what was written."""
    from acting_mirror.audio.ffmpeg import Ffmpeg, media_arg
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
    wav_in = take / AUDIO_WAV
    if audio and wav_in.is_file():
        try:
            samples, rate = read_wav(wav_in)
        except (OSError, ValueError, EOFError) as exc:
            raise ActingMirrorError(f"Cannot read {wav_in}: {exc}.") from exc
    width, height, fps, total = _source_facts(video_in)
    times = _frame_times(take, total, fps) if total else []
    frame_bytes = i420_size(width, height)

    decode = ["-i", media_arg(video_in), "-map", "0:v:0", "-an", "-sn", "-dn",
              "-fps_mode", "passthrough", "-pix_fmt", "yuv420p", "-f", "rawvideo", "pipe:1"]
    tmp = out.with_name(f".{out.name}.partial{out.suffix}")
    encode = ["-copyts", "-f", "matroska", "-i", "pipe:0"]
    if samples is not None:
        encode += ["-i", media_arg(wav_in)]
    encode += ["-map", "0:v:0", *_CODEC_ARGS[codec], "-pix_fmt", "yuv420p",
               "-fps_mode", "passthrough", "-enc_time_base:v", "1:1000"]
    if samples is not None:
        encode += ["-map", "1:a:0", "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-ar", str(rate)]
    # -y: only the temporary name, which a killed earlier export may have left behind
    encode += ["-movflags", "+faststart", "-f", "mp4", "-y", media_arg(tmp)]

    written, last = 0, -1
    try:
        with Ffmpeg(decode, stdout=True, purpose=PURPOSE) as src, \
                Ffmpeg(encode, stdin=True, purpose=PURPOSE) as dst:
            try:
                dst.stdin.write(mkv_header(width, height))
                while True:
                    frame = src.stdout.read(frame_bytes)
                    if len(frame) < frame_bytes:
                        break  # the end (a short read is the end of the stream)
                    src.touch()
                    t = times[written] if written < len(times) else int(round(written * 1000.0 / fps))
                    t = max(t, last + 1)
                    last = t
                    dst.stdin.write(mkv_frame(t, frame))
                    dst.touch()
                    written += 1
                    if progress is not None:
                        progress(written, max(total, written))
                dst.stdin.close()
            except BrokenPipeError:  # the encoder has gone: its status says why
                src.kill()
                dst.wait()
                raise OutputError(f"Cannot export {take} to {out}: {dst.message()}.") from None
            if src.wait() != 0:
                dst.kill()
                raise OutputError(f"Cannot export {take}: reading {OUTPUT_AVI} failed: {src.message()}.")
            if dst.wait() != 0:
                raise OutputError(f"Cannot export {take} to {out}: {dst.message()}.")
        if written == 0:
            raise OutputError(f"Cannot export {take}: {OUTPUT_AVI} has no frames.")
        _publish(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    video_s = (last + 1000.0 / fps) / 1000.0 if written else 0.0
    return {"frames": written, "video_s": video_s,
            "audio_s": None if samples is None else len(samples) / rate}


def _publish(tmp: Path, out: Path) -> None:
    """``tmp`` becomes ``out``, which is never overwritten, even if it appeared meanwhile:
    a hard link fails on an existing name (where links work), then the temp name goes."""
    try:
        os.link(tmp, out)
    except FileExistsError as exc:
        raise OutputError(f"{out} already exists; choose another name (nothing is overwritten).") from exc
    except OSError:  # no hard links on this file system
        if out.exists():
            raise OutputError(f"{out} already exists; choose another name (nothing is overwritten).")
        os.replace(tmp, out)
        return
    tmp.unlink()
