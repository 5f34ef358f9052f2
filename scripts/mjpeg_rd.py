#!/usr/bin/env python3
"""Rate-distortion of camreel's default MJPEG AVI against ffmpeg's.

Encodes the same raw RGB24 frames with `ffmpeg -c:v mjpeg -q:v Q -pix_fmt
yuvj420p` for Q = 2..6 and with camreel's AVI writer at its default settings
(`examples/encode_frames.rs`, built without and with the `turbojpeg`
feature) at several qualities, then prints both curves: frame bytes (the
sum of the video packets, container excluded) and mean per-frame RGB PSNR
against the source, each file decoded the same way. For every camreel point
it prints ffmpeg's bytes at the same PSNR (log-bytes interpolated along
ffmpeg's curve) and the ratio; below 1 means camreel needs fewer bytes. It
also times ffmpeg at -q:v 3 and camreel at quality 85 (the two defaults;
camreel with the single-threaded MjpegWriter and with ParallelMjpegWriter on
two threads, as ffmpeg threads by default), interleaved, best of --runs runs
each: wall-clock and CPU time of the whole process, reading the raw frames
included.

Decoders: `ffmpeg` (ffmpeg's MJPEG decoder and its default conversion to
RGB, as players show the files) and `libjpeg` (djpeg, fancy upsampling).

Needs python3, ffmpeg, ffprobe, cargo (and djpeg for --decoder libjpeg).
Input: `python3 shared/bench/anchors.py --cases 4 --quick --dump-inputs
/tmp/anchor_inputs` writes the 640x480 anchor sequence.

    scripts/mjpeg_rd.py                            # 60 anchor frames, both builds
    scripts/mjpeg_rd.py --decoder both --qualities 70,80,85,90
"""

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUT = "/tmp/anchor_inputs/seq_rgb24_640x480_x300.bin"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def timed(cmd):
    """(wall, cpu) seconds of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(cmd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def packet_bytes(avi):
    out = run(["ffprobe", "-v", "error", "-select_streams", "v:0",
               "-show_entries", "packet=size", "-of", "csv=p=0", avi]).stdout
    return sum(int(line) for line in out.split() if line.strip())


def psnr_of_raw(decoded, reference, size):
    """Mean per-frame PSNR of two raw rgb24 files, with ffmpeg's psnr filter."""
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        run(["ffmpeg", "-v", "error",
             "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-i", decoded,
             "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-i", reference,
             "-lavfi", f"[0:v][1:v]psnr=stats_file={log.name}", "-f", "null", "-"])
        values = []
        for line in log.read().splitlines():
            fields = dict(f.split(":", 1) for f in line.split() if ":" in f)
            value = fields.get("psnr_avg", "inf")
            values.append(100.0 if value == "inf" else float(value))
    return sum(values) / len(values)


def decode(avi, decoder, work):
    """The frames of `avi` as one raw rgb24 file, decoded by `decoder`."""
    raw = os.path.join(work, "decoded.rgb")
    if decoder == "ffmpeg":
        run(["ffmpeg", "-v", "error", "-y", "-i", avi, "-f", "rawvideo",
             "-pix_fmt", "rgb24", raw])
        return raw
    frames = os.path.join(work, "frames")
    shutil.rmtree(frames, ignore_errors=True)
    os.makedirs(frames)
    run(["ffmpeg", "-v", "error", "-i", avi, "-c:v", "copy", "-f", "image2",
         os.path.join(frames, "%05d.jpg")])
    with open(raw, "wb") as out:
        for name in sorted(os.listdir(frames)):
            ppm = run(["djpeg", "-ppm", os.path.join(frames, name)]).stdout
            # Binary PPM: "P6", width, height, maxval, then the pixels.
            fields, pos = [], 0
            while len(fields) < 4:
                while ppm[pos:pos + 1].isspace():
                    pos += 1
                start = pos
                while not ppm[pos:pos + 1].isspace():
                    pos += 1
                fields.append(ppm[start:pos])
            out.write(ppm[pos + 1:])
    return raw


def interpolate(curve, psnr):
    """ffmpeg's bytes at `psnr`, or None outside its PSNR range."""
    points = sorted(curve, key=lambda p: p[1])
    for (b0, p0), (b1, p1) in zip(points, points[1:]):
        if p0 <= psnr <= p1 and p1 > p0:
            t = (psnr - p0) / (p1 - p0)
            return math.exp(math.log(b0) + t * (math.log(b1) - math.log(b0)))
    return None


def build(features, work):
    cmd = ["cargo", "build", "--release", "--example", "encode_frames"]
    if features:
        cmd += ["--features", features]
    run(cmd, cwd=ROOT)
    binary = os.path.join(work, "encode_frames-" + (features or "pure"))
    shutil.copy(os.path.join(ROOT, "target", "release", "examples", "encode_frames"), binary)
    return binary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", default=DEFAULT_INPUT, help="raw rgb24 frames")
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--count", type=int, default=60, help="frames to use")
    ap.add_argument("--qualities", default="70,75,80,85,90",
                    help="camreel qualities (comma-separated)")
    ap.add_argument("--ffmpeg-q", default="2,3,4,5,6")
    ap.add_argument("--decoder", choices=["ffmpeg", "libjpeg", "both"], default="ffmpeg")
    ap.add_argument("--builds", default="pure,turbojpeg",
                    help="pure and/or turbojpeg")
    ap.add_argument("--runs", type=int, default=7, help="timing runs (best kept)")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    decoders = ["ffmpeg", "libjpeg"] if args.decoder == "both" else [args.decoder]
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "source.rgb")
        with open(args.frames, "rb") as f, open(source, "wb") as out:
            data = f.read(w * h * 3 * args.count)
            out.write(data)
        count = len(data) // (w * h * 3)
        print(f"{count} frames {args.size} from {args.frames}")
        binaries = {b: build("" if b == "pure" else b, work) for b in args.builds.split(",")}

        ffmpeg_points = []
        for q in args.ffmpeg_q.split(","):
            avi = os.path.join(work, f"ffmpeg_q{q}.avi")
            cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   "-s", args.size, "-r", "30", "-i", source, "-c:v", "mjpeg",
                   "-q:v", q, "-pix_fmt", "yuvj420p", avi]
            run(cmd)
            psnr = {d: psnr_of_raw(decode(avi, d, work), source, args.size) for d in decoders}
            ffmpeg_points.append((q, packet_bytes(avi), psnr))

        camreel_points = {}
        for name, binary in binaries.items():
            points = []
            for q in args.qualities.split(","):
                avi = os.path.join(work, f"camreel_{name}_q{q}.avi")
                run([binary, source, args.size, "avi", avi, q])
                psnr = {d: psnr_of_raw(decode(avi, d, work), source, args.size)
                        for d in decoders}
                points.append((q, packet_bytes(avi), psnr))
            camreel_points[name] = points

        for d in decoders:
            curve = [(b, p[d]) for _, b, p in ffmpeg_points]
            print(f"\nPSNR after decoding with {d}")
            print("ffmpeg -c:v mjpeg -pix_fmt yuvj420p")
            print(f"  {'q:v':>7} {'bytes':>10} {'PSNR dB':>8}")
            for q, b, p in ffmpeg_points:
                print(f"  {q:>7} {b:>10} {p[d]:8.2f}")
            for name, points in camreel_points.items():
                print(f"camreel default .avi ({name} build)")
                print(f"  {'quality':>7} {'bytes':>10} {'PSNR dB':>8}"
                      f" {'ffmpeg bytes at this PSNR':>26} {'ratio':>6}")
                for q, b, p in points:
                    ref = interpolate(curve, p[d])
                    ref_s = f"{ref:26.0f}" if ref else f"{'(outside ffmpeg range)':>26}"
                    ratio = f"{b / ref:6.3f}" if ref else f"{'-':>6}"
                    print(f"  {q:>7} {b:>10} {p[d]:8.2f} {ref_s} {ratio}")

        avi = os.path.join(work, "timing.avi")
        ffmpeg = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                  "-s", args.size, "-r", "30", "-i", source, "-c:v", "mjpeg", "-q:v", "3",
                  "-pix_fmt", "yuvj420p", avi]
        jobs = {"ffmpeg -q:v 3": ffmpeg,
                "ffmpeg -q:v 3 -threads 1": ffmpeg[:4] + ["-threads", "1"] + ffmpeg[4:-1]
                + ["-threads", "1", avi]}
        for name, binary in binaries.items():
            jobs[f"camreel {name} quality 85"] = [binary, source, args.size, "avi", avi, "85"]
            # ParallelMjpegWriter on two threads, as ffmpeg uses by default.
            jobs[f"camreel {name} 85, 2 threads"] = [binary, source, args.size, "avi", avi,
                                                     "85", "2"]
        best = {name: (math.inf, math.inf) for name in jobs}
        for _ in range(args.runs):
            for name, cmd in jobs.items():
                wall, cpu = timed(cmd)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        print(f"\ntime for {count} frames, best of {args.runs} runs:")
        reference = best["ffmpeg -q:v 3"]
        for name, (wall, cpu) in best.items():
            print(f"  {name:<30} wall {wall * 1000:7.1f} ms ({reference[0] / wall:4.2f}x)"
                  f"   cpu {cpu * 1000:7.1f} ms ({reference[1] / cpu:4.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
