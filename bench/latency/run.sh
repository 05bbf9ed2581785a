#!/usr/bin/env bash
# bench/latency: publisher send → viewer receive through `slotcast serve`,
# loopback, p50/p99 (see latency.c for how frames are stamped).
#
#   [PROTOCOL=rtmp] bench/latency/run.sh [SECONDS]
#
# For diagnosis, SERVE_WRAP and LATENCY_WRAP prefix the server and the
# measuring process (e.g. LATENCY_WRAP="env GST_TRACERS=latency …").
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
seconds=${1:-20}
work=$(mktemp -d /tmp/slotcast-latency-XXXXXX)
server=
cleanup () { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

meson compile -C "$build" >/dev/null
coproc SRV { exec ${SERVE_WRAP:-} "$build/src/slotcast" serve --data-dir "$work/data" \
  --http-port 0 --rtsp-port 0 --rtmp-port 0 ${SERVE_ARGS:-} 2>"$work/log"; }
server=$SRV_PID
while read -r line <&"${SRV[0]}"; do
  case $line in
    admin-key=*) key=${line#admin-key=} ;;
    rtsp-port=*) rtsp=${line#rtsp-port=} ;;
    http-port=*) http=${line#http-port=}; break ;;
  esac
done
start=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
curl -s -H "Authorization: Bearer $key" \
  -d "{\"stream\":\"lat\",\"start\":\"$start\",\"end\":\"$end\"}" \
  "http://127.0.0.1:$http/api/v1/reservations" > "$work/ticket.json"
if [ "${PROTOCOL:-rtsp}" = rtmp ]; then
  url="$(jq -r .connection.rtmp_server_url "$work/ticket.json")/$(jq -r .connection.rtmp_stream_key "$work/ticket.json")"
else
  url=$(jq -r .connection.rtsp_publish_url "$work/ticket.json")
fi
sleep 1   # the slot opens
echo "slotcast  $(${LATENCY_WRAP:-} "$build/bench/latency" "$url" "rtsp://127.0.0.1:$rtsp/live/lat" "$seconds")"
