#!/usr/bin/env bash
# bench/fanout: N RTSP viewers of one 2 Mbit/s stream on `slotcast serve`;
# how many were fed (>= 95 % of the stream's bitrate), the server's CPU and
# its memory per viewer. Loopback only.
#
#   bench/fanout/run.sh [N…]          (default: 200 1000)
#   SERVE_ARGS=--direct-send=false bench/fanout/run.sh   gst-rtsp-server's
#                                     own sender, for comparison
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
counts=("${@:-200 1000}")
[ $# -gt 0 ] || counts=(200 1000)
seconds=10
work=$(mktemp -d /tmp/slotcast-fanout-XXXXXX)
pids=()
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

meson compile -C "$build" >/dev/null
# 20 s of 1280x720 H.264 at 2 Mbit/s (GOP 2 s), published with -c copy so
# the publisher costs almost nothing.
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=25 -t 20 \
  -c:v libx264 -preset veryfast -b:v 2M -maxrate 2M -bufsize 1M -g 50 \
  -pix_fmt yuv420p -y "$work/stream.mp4"

# Every client runs from 127.0.0.1: lift the per-address limits.
printf '[rtsp]\nmax-connections-per-address = 100000\nmax-connections = 100000\n' > "$work/conf"
coproc SRV { exec "$build/src/slotcast" serve --data-dir "$work/data" --config "$work/conf" \
  --http-port 0 --rtsp-port 0 --rtmp-port 0 ${SERVE_ARGS:-} 2>"$work/log"; }
server=$SRV_PID; pids+=("$server")
while read -r line <&"${SRV[0]}"; do
  case $line in
    admin-key=*) key=${line#admin-key=} ;;
    rtsp-port=*) rtsp=${line#rtsp-port=} ;;
    http-port=*) http=${line#http-port=}; break ;;
  esac
done
api=http://127.0.0.1:$http/api/v1
start=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
url=$(curl -s -H "Authorization: Bearer $key" \
  -d "{\"stream\":\"fan\",\"start\":\"$start\",\"end\":\"$end\"}" "$api/reservations" |
  jq -r .connection.rtsp_publish_url)
ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$work/stream.mp4" -c copy \
  -f rtsp -rtsp_transport tcp "$url" &
pids+=($!)
for _ in $(seq 100); do
  live=$(curl -s -H "Authorization: Bearer $key" "$api/streams" | jq -r '.streams[0].live // false')
  [ "$live" = true ] && break
  sleep 0.1
done
sleep 2   # one bitrate window
bitrate=$(curl -s -H "Authorization: Bearer $key" "$api/streams" | jq -r '.streams[0].bitrate')
echo "machine: $(nproc) cores; stream: ${bitrate} bit/s into the ingest"

ticks () { awk '{print $14 + $15}' "/proc/$server/stat"; }
rss () { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
hz=$(getconf CLK_TCK)
# CPU (% of one core) of process $1's ticks over $seconds.
cpu_over () {
  local a b t0 t1
  t0=$(date +%s%N); a=$("$1"); sleep "$seconds"; b=$("$1"); t1=$(date +%s%N)
  echo "scale=1; 100 * ($b - $a) / $hz / (($t1 - $t0) / 1000000000)" | bc
}
# What carrying the stream costs with nobody watching (no viewer has asked
# for it yet, so slotcast has no PLAY pipeline either).
echo "slotcast  viewers=0 server_cpu=$(cpu_over ticks)% of one core (receiving the stream)"
for n in "${counts[@]}"; do
  r0=$(rss)
  "$build/bench/fanout-viewers" "rtsp://127.0.0.1:$rtsp/live/fan" "$n" "$seconds" \
    "$bitrate" 1 > "$work/out" 2>"$work/err" &
  gen=$!
  # Measure the server over the streaming part only: after everyone is in.
  while ! grep -q "streaming" "$work/err" 2>/dev/null; do sleep 0.05; done
  t0=$(date +%s%N); c0=$(ticks); sleep "$seconds"; c1=$(ticks); t1=$(date +%s%N)
  r1=$(rss)
  wait "$gen"
  cpu=$(echo "scale=1; 100 * ($c1 - $c0) / $hz / (($t1 - $t0) / 1000000000)" | bc)
  echo "slotcast  viewers=$n $(awk '{print $3, $4, $9}' "$work/out") server_cpu=${cpu}% of one core" \
       "per_viewer=$(echo "scale=3; $cpu / $n" | bc)% rss_per_viewer=$(( (r1 - r0) / n )) KiB"
done

# --- The peer: nginx with Debian's RTMP module, the same file published
# over RTMP, N RTMP viewers (bench/admission/rtmpload.c). One worker: live
# streams in nginx-rtmp need all viewers in the publisher's worker.
if [ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
  ${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y nginx-light libnginx-mod-rtmp >/dev/null
fi
kill "$server"; wait "$server" 2>/dev/null || true
np=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
rtmp { server { listen 127.0.0.1:$np; chunk_size 4096; application live { live on; } } }
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
master=$!; pids+=("$master")
sleep 0.5
worker=$(pgrep -P "$master")
ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$work/stream.mp4" -c copy \
  -f flv "rtmp://127.0.0.1:$np/live/fan" &
pids+=($!)
sleep 2
wticks () { awk '{print $14 + $15}' "/proc/$worker/stat"; }
wrss () { awk '/VmRSS/ {print $2}' "/proc/$worker/status"; }
echo "nginx-rtmp viewers=0 server_cpu=$(cpu_over wticks)% of one core (receiving the stream)"
for n in "${counts[@]}"; do
  r0=$(wrss)
  "$build/bench/rtmpload" play "$np" live fan "$n" "$seconds" "$bitrate" > "$work/out" &
  gen=$!
  sleep 2   # rtmpload's warm-up: everyone connected
  t0=$(date +%s%N); c0=$(wticks); sleep "$seconds"; c1=$(wticks); t1=$(date +%s%N)
  r1=$(wrss)
  wait "$gen"
  cpu=$(echo "scale=1; 100 * ($c1 - $c0) / $hz / (($t1 - $t0) / 1000000000)" | bc)
  echo "nginx-rtmp $(awk '{print $1, $2, $3}' "$work/out") server_cpu=${cpu}% of one core" \
       "per_viewer=$(echo "scale=3; $cpu / $n" | bc)% rss_per_viewer=$(( (r1 - r0) / n )) KiB"
  sleep 2   # the viewers are gone before the next round
done
