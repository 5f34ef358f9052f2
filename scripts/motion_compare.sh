#!/usr/bin/env bash
# Side-by-side motion estimation on the shared bench's 640x480 sequence
# (the anchors' case 4/7 frames, grayscale): ffmpeg's `mestimate` filter with
# 16x16 blocks and range 16 on one thread, with its fast EPZS search and its
# exhaustive search (`esa`), then camreel's criterion bench (benches/motion.rs,
# exhaustive +-16) on the same frames. Prints wall and user CPU time per
# frame for ffmpeg; criterion prints its own medians.
#
# Usage: scripts/motion_compare.sh [--inputs DIR] [--frames N] [--esa-frames N]
#   --inputs      the anchors' dumped inputs (default: $CAMREEL_ANCHOR_INPUTS
#                 or /tmp/anchor_inputs; written by
#                 `python3 ../shared/bench/anchors.py --cases 7 --dump-inputs DIR`)
#   --frames      frames for the EPZS run (default 100)
#   --esa-frames  frames for the exhaustive run (default 6; about 1.5 s each)
# The first frame has no reference, so per-frame times divide by N - 1.
set -euo pipefail

inputs="${CAMREEL_ANCHOR_INPUTS:-/tmp/anchor_inputs}"
frames=100
esa_frames=6
while [ $# -gt 0 ]; do
    case "$1" in
        --inputs) inputs="$2"; shift 2 ;;
        --frames) frames="$2"; shift 2 ;;
        --esa-frames) esa_frames="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "motion_compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

seq="$inputs/seq_rgb24_640x480_x300.bin"
if [ ! -f "$seq" ]; then
    echo "motion_compare.sh: $seq not found; dump the anchors' inputs first (see --help)" >&2
    exit 2
fi
command -v ffmpeg >/dev/null || { echo "motion_compare.sh: ffmpeg not found" >&2; exit 2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gray="$work/seq_gray_640x480.raw"
ffmpeg -v error -f rawvideo -pix_fmt rgb24 -s 640x480 -i "$seq" -pix_fmt gray -f rawvideo -y "$gray"

run_ffmpeg() { # method frames
    local method="$1" n="$2" t
    t="$( { /usr/bin/time -f "%e %U" ffmpeg -v error -threads 1 -filter_threads 1 \
        -f rawvideo -pix_fmt gray -s 640x480 -i "$gray" -frames:v "$n" \
        -vf "mestimate=method=$method:mb_size=16:search_param=16" -f null - ; } 2>&1 | tail -1)"
    awk -v m="$method" -v n="$n" -v t="$t" 'BEGIN {
        split(t, a, " ");
        printf "ffmpeg mestimate %-4s 16x16 +-16, 640x480: %9.2f ms/frame wall, %9.2f ms/frame user CPU (%d frames)\n",
            m, 1000 * a[1] / (n - 1), 1000 * a[2] / (n - 1), n }'
}

run_ffmpeg epzs "$frames"
run_ffmpeg esa "$esa_frames"
cd "$repo"
CAMREEL_ANCHOR_INPUTS="$inputs" cargo bench --bench motion -- --quick 2>&1 | grep -E "^motion_|time:"
