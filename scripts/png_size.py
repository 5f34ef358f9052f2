#!/usr/bin/env python3
"""PNG frame sizes and encoding times: camreel against ffmpeg.

Writes the same raw RGB24 frames as a PNG sequence with `ffmpeg -i ...
frame%04d.png` (its defaults, and with `-pred paeth`, its strongest single
predictor) and with camreel's PNG encoder (`examples/encode_frames.rs`: the
default compression, and optionally other levels), and prints the total
bytes, the best wall-clock and CPU time of --runs runs (whole process, reading
the frames included) and the ratios to ffmpeg's default.

Two inputs by default: the raw camera frames (sensor noise: nothing
compresses them much) and the same frames after a round trip through
ffmpeg's MJPEG encoder and decoder (smooth pixels, as a PNG sequence
converted from a recording has them).

Needs python3, ffmpeg and cargo. Input: `python3 shared/bench/anchors.py
--cases 4 --quick --dump-inputs /tmp/anchor_inputs`.

    scripts/png_size.py
    scripts/png_size.py --levels fast,1,3,6 --count 30
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(cmd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", default=DEFAULT_INPUT, help="raw rgb24 frames")
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--levels", default="",
                    help="extra camreel settings: deflate levels 1-9 or 'fast' (comma-separated)")
    ap.add_argument("--runs", type=int, default=5, help="timing runs (best kept)")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as work:
        raw = os.path.join(work, "camera.rgb")
        with open(args.frames, "rb") as f, open(raw, "wb") as out:
            out.write(f.read(w * h * 3 * args.count))
        smooth = os.path.join(work, "decoded.rgb")
        mjpeg = os.path.join(work, "round_trip.avi")
        run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
             args.size, "-i", raw, "-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", mjpeg])
        run(["ffmpeg", "-v", "error", "-y", "-i", mjpeg, "-f", "rawvideo", "-pix_fmt", "rgb24",
             smooth])
        run(["cargo", "build", "--release", "--example", "encode_frames"], cwd=ROOT)
        binary = os.path.join(work, "encode_frames")
        shutil.copy(os.path.join(ROOT, "target", "release", "examples", "encode_frames"), binary)
        out_dir = os.path.join(work, "png")

        for label, source in [("camera frames", raw), ("MJPEG-decoded frames", smooth)]:
            ffmpeg = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                      "-s", args.size, "-i", source]
            pattern = os.path.join(out_dir, "frame%04d.png")
            jobs = {"ffmpeg (defaults)": ffmpeg + [pattern],
                    "ffmpeg -pred paeth": ffmpeg + ["-pred", "paeth", pattern],
                    "camreel default": [binary, source, args.size, "png", pattern]}
            for level in filter(None, args.levels.split(",")):
                jobs[f"camreel {level}"] = [binary, source, args.size, "png", pattern, level]
            results = {}
            for name in jobs:
                results[name] = [math.inf, math.inf, 0]
            for _ in range(args.runs):
                for name, cmd in jobs.items():
                    shutil.rmtree(out_dir, ignore_errors=True)
                    os.makedirs(out_dir)
                    wall, cpu = timed(cmd)
                    r = results[name]
                    r[0], r[1], r[2] = min(r[0], wall), min(r[1], cpu), dir_bytes(out_dir)
            base = results["ffmpeg (defaults)"]
            paeth = results["ffmpeg -pred paeth"]
            print(f"\n{args.count} {label}, {args.size}, best of {args.runs} runs")
            print(f"  {'encoder':<22} {'bytes':>11} {'/ffmpeg':>8} {'/paeth':>7}"
                  f" {'wall ms':>8} {'faster':>7} {'cpu ms':>8} {'faster':>7}")
            for name, (wall, cpu, size) in results.items():
                print(f"  {name:<22} {size:>11} {size / base[2]:8.3f} {size / paeth[2]:7.3f}"
                      f" {wall * 1000:8.1f} {base[0] / wall:6.2f}x {cpu * 1000:8.1f}"
                      f" {base[1] / cpu:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
