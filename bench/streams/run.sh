#!/usr/bin/env bash
# bench/streams: N RTMP publishers of 2 Mbit/s (H.264 + AAC, ffmpeg -c copy)
# and no viewer: what carrying streams nobody watches costs the server, in
# CPU (% of one core) and RSS per stream. Same file, same publishers, same
# run: the peer, nginx with Debian's RTMP module (one worker). Loopback only.
# Publishers are ffmpeg processes; only the server's own CPU is counted.
#
#   bench/streams/run.sh [COUNTS] [SECONDS]     (default: "1 20 100" 10)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
counts=${1:-1 20 100}
seconds=${2:-10}
work=$(mktemp -d /tmp/slotcast-streams-XXXXXX)
pids=()
stop_publishers () {
  for p in "${pubs[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pubs[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  pubs=()
}
cleanup () { stop_publishers; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
pubs=()

if [ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
  ${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y nginx-light libnginx-mod-rtmp >/dev/null
fi
meson compile -C "$build" >/dev/null
free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks () { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss () { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $t; }
hz=$(getconf CLK_TCK)

# 20 s of 1280x720 H.264 at 2 Mbit/s (GOP 2 s) and AAC, published looped.
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 \
  -c:v libx264 -preset veryfast -b:v 2M -maxrate 2M -bufsize 1M -g 50 \
  -pix_fmt yuv420p -c:a aac -b:a 128k -y "$work/stream.mp4"
publish () {
  ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$work/stream.mp4" -c copy -f flv "$1" &
  pubs+=($!)
}
# measure LABEL PID...: the CPU (% of one core) and RSS (KiB) of PID... over
# $seconds. PERF=1 profiles slotcast's runs too (bench/streams/perf-LABEL.txt).
measure () {
  local label=$1 c0 c1 t0 t1; shift
  t0=$(date +%s%N); c0=$(ticks "$@")
  if [ -n "${PERF:-}" ] && [ "$1" = "${server:-}" ]; then
    perf record -q -g -p "$1" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
    { perf report -q -i "$work/perf.data" --no-children --sort comm -g none 2>/dev/null | head -12; perf report -q -i "$work/perf.data" --no-children --sort dso -g none 2>/dev/null | head -12; perf report -q -i "$work/perf.data" --no-children --sort dso,symbol -g none 2>/dev/null; } \
      | grep '%' | head -30 > "$top/bench/streams/perf-$label.txt" || true
  else
    sleep "$seconds"
  fi
  c1=$(ticks "$@"); t1=$(date +%s%N)
  echo "$(echo "scale=1; 100 * ($c1 - $c0) / $hz / (($t1 - $t0) / 1000000000)" | bc) $(rss "$@")"
}
report () { # name n cpu rss rss0
  local per_cpu per_rss
  per_cpu=$(echo "scale=3; $3 / $2" | bc)
  per_rss=$(( ($4 - $5) / $2 ))
  echo "$1 streams=$2 server_cpu=$3% of one core per_stream=${per_cpu}% rss=$(( $4 / 1024 )) MiB rss_per_stream=${per_rss} KiB"
}
echo "machine: $(nproc) cores; streams of $(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$work/stream.mp4") bit/s, no viewer; $seconds s each"

max=0; for n in $counts; do [ "$n" -gt "$max" ] && max=$n; done

# --- slotcast serve: one reservation per stream, published over RTMP.
printf '[node]\ncapacity = %d\n[rtmp]\nmax-connections-per-address = 100000\n' "$((max + 1))" > "$work/conf"
coproc SRV { exec "$build/src/slotcast" serve --data-dir "$work/data" --config "$work/conf" \
  --http-port 0 --rtsp-port 0 --rtmp-port 0 2>"$work/log"; }
server=$SRV_PID; pids+=("$server")
while read -r line <&"${SRV[0]}"; do
  case $line in
    admin-key=*) key=${line#admin-key=} ;;
    http-port=*) http=${line#http-port=}; break ;;
  esac
done
api=http://127.0.0.1:$http/api/v1
start=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
for i in $(seq "$max"); do
  curl -s -H "Authorization: Bearer $key" \
    -d "{\"stream\":\"s$i\",\"start\":\"$start\",\"end\":\"$end\"}" "$api/reservations" \
    | jq -r '.connection.rtmp_server_url + "/" + .connection.rtmp_stream_key' >> "$work/urls"
done
[ "$(grep -vc "^/\?null" "$work/urls")" -eq "$max" ] || { echo "booking failed: $(grep -c null "$work/urls") of $max" >&2; exit 1; }
sleep 1.5
rss0=$(rss "$server")
for n in $counts; do
  mapfile -t urls < <(head -n "$n" "$work/urls")
  for u in "${urls[@]}"; do publish "$u"; done
  for _ in $(seq 300); do
    live=$(curl -s -H "Authorization: Bearer $key" "$api/streams" | jq '[.streams[] | select(.live)] | length')
    [ "$live" -ge "$n" ] && break
    sleep 0.1
  done
  [ "$live" -ge "$n" ] || echo "slotcast: only $live of $n streams live" >&2
  sleep 2
  read -r cpu mem < <(measure "$n" "$server")
  report "slotcast  " "$n" "$cpu" "$mem" "$rss0"
  stop_publishers
  sleep 2
done
kill "$server"; wait "$server" 2>/dev/null || true

# --- nginx-rtmp, one worker, live application.
np=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
rtmp {
  server {
    listen 127.0.0.1:$np;
    chunk_size 4096;
    application live { live on; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
master=$!; pids+=("$master")
sleep 0.5
worker=$(pgrep -P "$master")
rss0=$(rss "$master" "$worker")
for n in $counts; do
  for i in $(seq "$n"); do publish "rtmp://127.0.0.1:$np/live/s$i"; done
  sleep 4
  read -r cpu mem < <(measure "$n" "$master" "$worker")
  report "nginx-rtmp" "$n" "$cpu" "$mem" "$rss0"
  stop_publishers
  sleep 2
done
