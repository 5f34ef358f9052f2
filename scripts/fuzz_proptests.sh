#!/usr/bin/env bash
# Runs the body of every fuzz target in fuzz/ for a while without a nightly
# toolchain: each target's body is shared with proptests in tests/, which
# run here in release mode, again and again with fresh random seeds and
# PROPTEST_CASES cases a run, until the target's time is up.
#
#     scripts/fuzz_proptests.sh [MINUTES] [TARGET...]
#
# MINUTES per target (default 10); TARGETs default to all of them. Set
# FUZZ_CASES for the cases of one run (default 2000). Prints a line per
# target: minutes, runs, inputs tried (cases x tests x runs; a failing run
# counts the cases it reached as all of its cases) and failures. The output
# of a failing run is kept under target/fuzz-proptests/TARGET/; proptest
# prints the shrunk input, and for tests that keep them, saves it in
# tests/*.proptest-regressions.
set -euo pipefail

cd "$(dirname "$0")/.."
minutes=${1:-10}
shift || true
cases=${FUZZ_CASES:-2000}

# target: test binary, then the proptests that run its body.
declare -A tests=(
    [imageio_headers]="imageio_fuzz arbitrary_header_bytes_never_panic"
    [imageio_stream]="imageio_fuzz arbitrary_files_never_panic mutated_recordings_never_panic"
    [avi_reader]="avi_roundtrip random_bytes_after_a_riff_header_never_panic damaged_bytes_never_panic"
    [gif_reader]="gif props::arbitrary_bytes_never_panic props::damaged_gifs_never_panic"
    [raw_capture]="raw fuzz_body_on_random_bytes fuzz_body_on_damaged_blocks"
    [h264_annexb]="h264_annexb random_bytes streams_split_into_their_pictures damaged_streams"
    [mp4_demux]="mp4_demux random_bytes damaged_and_cut_files"
    [jpeg_header]="codec_jpeg random_bytes_never_panic mutated_files_never_panic"
)
order=(imageio_headers imageio_stream avi_reader gif_reader raw_capture h264_annexb mp4_demux jpeg_header)
if [ $# -gt 0 ]; then
    order=("$@")
fi
for target in fuzz/fuzz_targets/*.rs; do
    target=$(basename "$target" .rs)
    [ -n "${tests[$target]+x}" ] || { echo "fuzz target $target has no proptest body here" >&2; exit 2; }
done
for target in "${order[@]}"; do
    if [ -z "${tests[$target]+x}" ]; then
        echo "unknown target $target (known: ${!tests[*]})" >&2
        exit 2
    fi
    # Every target in fuzz/ has a body here.
    [ -f "fuzz/fuzz_targets/$target.rs" ] || { echo "fuzz/fuzz_targets/$target.rs is missing" >&2; exit 2; }
done

cargo_test=(cargo test --release --features mp4)
for target in "${order[@]}"; do
    read -r binary _ <<<"${tests[$target]}"
    "${cargo_test[@]}" --test "$binary" --no-run >/dev/null 2>&1
done

printf '%-16s %8s %6s %12s %9s\n' target minutes runs inputs failures
for target in "${order[@]}"; do
    read -r binary filters <<<"${tests[$target]}"
    n_tests=$(wc -w <<<"$filters")
    out="target/fuzz-proptests/$target"
    mkdir -p "$out"
    start=$SECONDS
    end=$((SECONDS + minutes * 60))
    runs=0
    failures=0
    while [ "$SECONDS" -lt "$end" ]; do
        log="$out/run-$runs.log"
        # A run that outlives the target's time by far is a hang: a finding.
        limit=$((end - SECONDS + 300))
        # shellcheck disable=SC2086 # the filters are separate words
        if PROPTEST_CASES=$cases timeout "$limit" "${cargo_test[@]}" --test "$binary" -- --exact $filters >"$log" 2>&1; then
            rm -f "$log"
        else
            failures=$((failures + 1))
            echo "$target: run $runs failed, see $log" >&2
        fi
        runs=$((runs + 1))
    done
    elapsed=$((SECONDS - start))
    printf '%-16s %8.1f %6d %12d %9d\n' "$target" "$(awk "BEGIN { print $elapsed / 60 }")" "$runs" \
        $((runs * cases * n_tests)) "$failures"
done
