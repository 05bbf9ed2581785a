#!/usr/bin/env bash
# Runs one libFuzzer target for $SLOTCAST_FUZZ_SECONDS (default 60) over a
# scratch copy of its seed corpus, then replays everything it found once
# more with leak detection (per-input leak checks would cut the speed a
# hundredfold). Crashes are kept in the build dir.
set -euo pipefail
target=$1 seeds=$2
seconds=${SLOTCAST_FUZZ_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds/." "$work/"
export LSAN_OPTIONS=suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=30
artifacts="$(dirname "$target")/"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts" "$work"
echo "Replaying $(ls "$work" | wc -l) inputs with leak detection"
"$target" -runs=0 -detect_leaks=1 -artifact_prefix="$artifacts" "$work"
