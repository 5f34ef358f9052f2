#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ with libFuzzer (cargo-fuzz, a nightly
# toolchain: `rustup toolchain install nightly`, `cargo install cargo-fuzz`)
# for MINUTES each, JOBS targets at a time, then prints one line per target:
# minutes, executions, corpus size and findings (crash, leak or timeout
# files under fuzz/artifacts/TARGET/). Without nightly, scripts/fuzz_proptests.sh
# runs the same bodies as proptests on stable.
#
#     scripts/fuzz_libfuzzer.sh [MINUTES] [JOBS] [TARGET...]
#
# The corpus of each target lives in fuzz/corpus/TARGET (not committed); it
# starts from small files camreel records and the files in tests/data.
set -euo pipefail

cd "$(dirname "$0")/.."
minutes=${1:-10}
jobs=${2:-1}
shift 2 || shift $# || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

cargo build --release -p camreel-cli >/dev/null 2>&1
camreel=target/release/camreel
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
"$camreel" record synthetic "$seeds/s.avi" --size 32x24 --frames 3 >/dev/null
"$camreel" record synthetic "$seeds/s.gif" --size 32x24 --frames 3 >/dev/null
"$camreel" record synthetic "$seeds/s.bin" --size 16x16 --frames 3 --format grayscale >/dev/null
if "$camreel" record synthetic "$seeds/s.h264" --size 32x32 --frames 3 --intra-period 2 >/dev/null 2>&1; then
    "$camreel" record synthetic "$seeds/s.mp4" --size 32x32 --frames 3 --intra-period 2 >/dev/null
fi

seed() {
    local target=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    case $target in
        avi_reader) cp "$seeds/s.avi" tests/data/avi/*.avi "$dir/" ;;
        gif_reader) cp "$seeds/s.gif" "$dir/" ;;
        imageio_*) cp "$seeds/s.bin" tests/data/*.bin "$dir/" ;;
        h264_annexb) cp "$seeds"/s.h264 "$dir/" 2>/dev/null || true ;;
        mp4_demux) cp "$seeds"/s.mp4 "$dir/" 2>/dev/null || true ;;
        jpeg_header | raw_capture) cp tests/data/*.jpg "$dir/" ;;
    esac
}

(cd fuzz && cargo +nightly fuzz build -O >/dev/null 2>&1)
logs=target/fuzz-libfuzzer
mkdir -p "$logs"
run() {
    local target=$1
    seed "$target"
    (cd fuzz && cargo +nightly fuzz run -O "$target" -- \
        -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=20 -print_final_stats=1) \
        >"$logs/$target.log" 2>&1 || true
}
running=0
for target in "${targets[@]}"; do
    run "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

printf '%-16s %8s %14s %8s %9s\n' target minutes executions corpus findings
for target in "${targets[@]}"; do
    log=$logs/$target.log
    # A run stopped by a finding prints no "Done" line: its time is the
    # executions over the rate.
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1 || true)
    if [ -z "$secs" ]; then
        rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
        [ -n "$execs" ] && [ -n "$rate" ] && [ "$rate" -gt 0 ] && secs=$((execs / rate))
    fi
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    findings=$(find "fuzz/artifacts/$target" -type f 2>/dev/null | wc -l)
    printf '%-16s %8.1f %14s %8s %9s\n' "$target" "$(awk "BEGIN { print ${secs:-0} / 60 }")" \
        "${execs:-?}" "$corpus" "$findings"
done
