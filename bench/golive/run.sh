#!/usr/bin/env bash
# bench/golive: slot start → first frame a viewer decodes, over N
# reservations (default 10). Each: `slotcast-upload book` a 4 s slot a few
# seconds ahead, `slotcast-upload run --test-pattern` (it connects early, the
# ingest holds media back until the start, the uploader asks its encoder for
# a keyframe at the start), and a viewer (golive-viewer.c) waiting on the
# play URL before the start. Prints each delay, p50 and p95. Loopback only.
#
#   [PROTOCOL=rtmp] bench/golive/run.sh [N]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
n=${1:-10}
work=$(mktemp -d /tmp/slotcast-golive-XXXXXX)
pids=()
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

meson compile -C "$build" >/dev/null
coproc SRV { exec "$build/src/slotcast" serve --data-dir "$work/data" \
  --http-port 0 --rtsp-port 0 --rtmp-port 0 ${SERVE_ARGS:-} 2>"$work/log"; }
pids+=("$SRV_PID")
while read -r line <&"${SRV[0]}"; do
  case $line in
    admin-key=*) key=${line#admin-key=} ;;
    rtsp-port=*) rtsp=${line#rtsp-port=} ;;
    http-port=*) http=${line#http-port=}; break ;;
  esac
done
export SLOTCAST_SERVER=http://127.0.0.1:$http SLOTCAST_API_KEY=$key
export XDG_DATA_HOME=$work/xdg XDG_CONFIG_HOME=$work/xdg
unset DBUS_SESSION_BUS_ADDRESS
up="$build/src/slotcast-upload"

delays=() received=()
for i in $(seq "$n"); do
  out=$("$up" book --stream "golive$i" --start +4s --duration 5s)
  id=$(echo "$out" | awk '/^id: / {print $2}')
  start=$(curl -s -H "Authorization: Bearer $key" "$SLOTCAST_SERVER/api/v1/reservations/$id" |
    jq -r .start)
  start_us=$(date -d "$start" +%s%6N)
  "$up" run "$id" --test-pattern --lead 2 --notify-before 0 --bitrate 1500 \
    --protocol "${PROTOCOL:-rtsp}" \
    > "$work/run$i" 2>&1 &
  runner=$!
  "$build/bench/golive-viewer" "rtsp://127.0.0.1:$rtsp/live/golive$i" "$start_us" 20 \
    > "$work/view$i" || true
  wait "$runner" || true
  r=$(sed -n 's/^received_ms=\([^ ]*\) .*/\1/p' "$work/view$i")
  d=$(sed -n 's/.*first_frame_ms=//p' "$work/view$i")
  echo "reservation $i: first frame received ${r} ms, decoded ${d} ms after the start"
  [ "$d" != none ] && { received+=("$r"); delays+=("$d"); }
done
pct () { printf '%s\n' "${@:2}" | sort -g |
  awk -v p="$1" '{v[NR] = $1} END {print v[int((NR - 1) * p / 100) + 1]}'; }
echo "golive: ${#delays[@]} of $n viewers got frames"
echo "  received: p50=$(pct 50 "${received[@]}") ms p95=$(pct 95 "${received[@]}") ms"
echo "  decoded:  p50=$(pct 50 "${delays[@]}") ms p95=$(pct 95 "${delays[@]}") ms"
