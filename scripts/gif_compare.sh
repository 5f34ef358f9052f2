#!/usr/bin/env bash
# Side-by-side GIF comparison on the shared bench's case 5 (100 frames of
# 320x240 moving synthetic colour content, 10 fps):
#   Pillow, ffmpeg palettegen/paletteuse, gifski and the OpenMV model, run by
#   ../shared/bench/anchors.py --cases 5 (which also dumps the exact frames),
#   then camreel's GifWriter in each mode on the same frames
#   (examples/gif_compare.rs). Every output is decoded with Pillow and its
#   mean PSNR computed by anchors.py's own gif_quality(), so all rows are
#   measured the same way. Prints one table: time, bytes, PSNR.
#
# Usage: scripts/gif_compare.sh [--reps N] [--bench DIR] [--work DIR]
#   --bench  the shared bench folder (default: ../shared/bench next to the
#            repository, or /work/shared/bench)
#   --work   scratch folder (default: a new temporary directory)
# gifski is used if it is on PATH, in ~/.cargo/bin, or named by $GIFSKI;
# otherwise the gifski row comes from the recorded RESULTS.md and says so.
set -euo pipefail

reps=5
bench=""
work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps="$2"; shift 2 ;;
        --bench) bench="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "gif_compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$bench" ]; then
    for d in "$repo/../shared/bench" /work/shared/bench; do
        if [ -f "$d/anchors.py" ]; then bench="$(cd "$d" && pwd)"; break; fi
    done
fi
if [ -z "$bench" ] || [ ! -f "$bench/anchors.py" ]; then
    echo "gif_compare.sh: cannot find the shared bench (anchors.py); pass --bench DIR" >&2
    exit 2
fi
if [ -z "$work" ]; then
    work="$(mktemp -d /tmp/gif_compare.XXXXXX)"
fi
mkdir -p "$work"

if [ -n "${GIFSKI:-}" ]; then
    PATH="$(dirname "$GIFSKI"):$PATH"
fi
export PATH
gifski_note="measured"
if ! command -v gifski >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/gifski" ]; then
    gifski_note="recorded"
fi

echo "== building the camreel example (release)" >&2
(cd "$repo" && cargo build --release --quiet --example gif_compare)
exe="$repo/target/release/examples/gif_compare"

echo "== anchors.py --cases 5 (Pillow, ffmpeg, gifski, OpenMV model) + frame dump" >&2
(cd "$bench" && python3 anchors.py --cases 5 --json "$work/anchors5.json" --tmp "$work/anchors" \
    --dump-inputs "$work/inputs" >"$work/anchors5.log" 2>&1) || {
    cat "$work/anchors5.log" >&2
    exit 1
}
frames="$work/inputs/seq_rgb24_320x240_x100.bin"

echo "== camreel GifWriter, $reps repetitions per mode" >&2
: >"$work/camreel.jsonl"
for mode in adaptive dither ordered fixed; do
    "$exe" "$frames" 320x240 "$work/camreel_$mode.gif" "$mode" --reps "$reps" >>"$work/camreel.jsonl"
done

python3 - "$bench" "$work" "$gifski_note" <<'PY'
import json, os, re, sys
bench, work, gifski_note = sys.argv[1:4]
sys.path.insert(0, bench)
import numpy as np
import anchors

man = json.load(open(os.path.join(work, "inputs", "manifest.json")))["seq_rgb24_320x240_x100"]
src = np.fromfile(man["file"], np.uint8).reshape(man["shape"])
frames = [src[i] for i in range(src.shape[0])]
res = json.load(open(os.path.join(work, "anchors5.json")))
rows = []
for r in res["results"]:
    q = r.get("extra", {})
    rows.append((r["impl"], r["median_ms"] / 1e3, r.get("bytes"), q.get("mean_psnr_dB"),
                 q.get("min_psnr_dB"), q.get("frames_decoded"), r.get("foreign_cpu_pct")))
if not any(n.startswith("gifski") for n, *_ in rows):
    # Not installed: the recorded run (RESULTS.md) of the same case.
    text = open(os.path.join(bench, "RESULTS.md")).read()
    m = re.search(r"\| 5c \| (gifski[^|]*)\|[^|]*\|[^|]*\| ([\d,.]+) \|[^|]*\|[^|]*\| (\d+) \| mean_psnr_dB=([\d.]+)", text)
    if m:
        rows.append((m.group(1).strip() + " [RECORDED in RESULTS.md: not installed]",
                     float(m.group(2).replace(",", "")) / 1e3, int(m.group(3)), float(m.group(4)),
                     None, 100, None))
for line in open(os.path.join(work, "camreel.jsonl")):
    c = json.loads(line)
    path = os.path.join(work, f"camreel_{c['mode']}.gif")
    q = anchors.gif_quality(path, frames)
    label = {"adaptive": "camreel GifWriter adaptive (default)",
             "dither": "camreel GifWriter adaptive + Floyd-Steinberg",
             "ordered": "camreel GifWriter adaptive + ordered dither",
             "fixed": "camreel GifWriter fixed 7-bit (OpenMV palette)"}[c["mode"]]
    assert q["frames_decoded"] == 100 and q["durations_ms_set"] == [100] and q["loop"] == 0, q
    rows.append((label, c["median_s"], os.path.getsize(path), q["mean_psnr_dB"], q["min_psnr_dB"],
                 q["frames_decoded"], None))

print(f"\nGIF, 100 frames 320x240 @ 10 fps (shared bench case 5), machine load {os.getloadavg()[0]:.2f}")
print(f"| encoder | time s (median) | bytes | mean PSNR dB | min PSNR dB | frames |")
print(f"|---|---:|---:|---:|---:|---:|")
for name, t, b, p, mn, n, busy in rows:
    flag = " BUSY" if (busy or 0) > 5 else ""
    print(f"| {name}{flag} | {t:.3f} | {b if b is not None else ''} | {p if p is not None else ''} | "
          f"{mn if mn is not None else ''} | {n if n is not None else ''} |")

def find(prefix):
    return next((r for r in rows if r[0].startswith(prefix)), None)
ours, pil, ff, gs = (find("camreel GifWriter adaptive (default)"), find("pillow"), find("ffmpeg"), find("gifski"))
print()
ok = True
if gs:
    good = ours[2] < gs[2]; ok &= good
    print(f"size:  {ours[2]} B vs gifski {gs[2]} B ({gifski_note}) -> {'PASS' if good else 'FAIL'}")
if pil:
    good = ours[3] >= pil[3]; ok &= good
    print(f"PSNR:  {ours[3]} dB vs Pillow {pil[3]} dB -> {'PASS' if good else 'FAIL'}")
if ff:
    good = ours[1] < ff[1]; ok &= good
    print(f"time:  {ours[1]:.3f} s vs ffmpeg {ff[1]:.3f} s -> {'PASS' if good else 'FAIL'}")
print("target (all three at once):", "PASS" if ok else "FAIL")
PY
