#!/usr/bin/env bash
# bench/admission: bad RTMP publish attempts from many connections while one
# 2 Mbit/s stream plays to 100 viewers. Refusals per second, the time from
# publish to refusal (p50, p99), whether every viewer kept >= 95 % of the
# bitrate, and the server's CPU. Same run, same stream, same load: the peer,
# nginx with Debian's RTMP module, refusing through an on_publish callback to
# a local HTTP endpoint (nginx's own, answering 403). Loopback only.
#
#   bench/admission/run.sh [CONNECTIONS] [SECONDS]     (default: 64 10)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
conns=${1:-64}
seconds=${2:-10}
viewers=100
bad_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
work=$(mktemp -d /tmp/slotcast-admission-XXXXXX)
pids=()
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

if [ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
  ${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y nginx-light libnginx-mod-rtmp >/dev/null
fi
meson compile -C "$build" >/dev/null
free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks () { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
hz=$(getconf CLK_TCK)
cpu_percent () { echo "scale=1; 100 * ($2 - $1) / $hz / $3" | bc; }

# 20 s of 1280x720 H.264 at 2 Mbit/s (GOP 2 s), published with -c copy; video
# only, as the RTSP load generator sets up one track.
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=25 -t 20 \
  -c:v libx264 -preset veryfast -b:v 2M -maxrate 2M -bufsize 1M -g 50 \
  -pix_fmt yuv420p -y "$work/stream.mp4"
publish () { ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$work/stream.mp4" -c copy -f flv "$1" & pids+=($!); }
echo "machine: $(nproc) cores; $conns connections of bad publishes for $seconds s; $viewers viewers"

# --- slotcast: RTMP publisher, RTSP viewers, bad tokens over RTMP.
# Every client runs from 127.0.0.1: lift the per-address limits.
printf '[rtsp]\nmax-connections-per-address = 100000\n[rtmp]\nmax-connections-per-address = 100000\n' > "$work/conf"
coproc SRV { exec "$build/src/slotcast" serve --data-dir "$work/data" --config "$work/conf" \
  --http-port 0 --rtsp-port 0 --rtmp-port 0 2>"$work/log"; }
server=$SRV_PID; pids+=("$server")
while read -r line <&"${SRV[0]}"; do
  case $line in
    admin-key=*) key=${line#admin-key=} ;;
    rtsp-port=*) rtsp=${line#rtsp-port=} ;;
    rtmp-port=*) rtmp=${line#rtmp-port=} ;;
    http-port=*) http=${line#http-port=}; break ;;
  esac
done
api=http://127.0.0.1:$http/api/v1
start=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
curl -s -H "Authorization: Bearer $key" \
  -d "{\"stream\":\"fan\",\"start\":\"$start\",\"end\":\"$end\"}" "$api/reservations" > "$work/ticket"
publish "$(jq -r '.connection.rtmp_server_url + "/" + .connection.rtmp_stream_key' "$work/ticket")"
for _ in $(seq 100); do
  live=$(curl -s -H "Authorization: Bearer $key" "$api/streams" | jq -r '.streams[0].live // false')
  [ "$live" = true ] && break
  sleep 0.1
done
# Viewers are judged against the file's mean rate (a 1 s sample of a VBR
# stream with 2 s GOPs swings by 10 %).
bitrate=$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$work/stream.mp4")
echo "stream: ${bitrate} bit/s (mean of the file)"

"$build/bench/fanout-viewers" "rtsp://127.0.0.1:$rtsp/live/fan" "$viewers" "$seconds" \
  "$bitrate" 1 > "$work/viewers" 2>"$work/viewers.err" &
gen=$!
while ! grep -q "streaming" "$work/viewers.err" 2>/dev/null; do sleep 0.05; done
t0=$(date +%s%N); c0=$(ticks "$server")
"$build/bench/rtmpload" refuse "$rtmp" live "bad?token=$bad_token" "$conns" "$seconds" > "$work/refuse"
c1=$(ticks "$server"); t1=$(date +%s%N)
wait "$gen"
echo "slotcast    $(cat "$work/refuse")"
echo "            $(awk '{print $2, $3, $4, $10}' "$work/viewers") (RTSP) server_cpu=$(cpu_percent "$c0" "$c1" "$(echo "($t1 - $t0) / 1000000000" | bc -l)")% of one core"
kill "$server"; wait "$server" 2>/dev/null || true

# --- nginx-rtmp: RTMP publisher, RTMP viewers, on_publish callback refusing.
np=$(free_port); hp=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$hp; location /refuse { return 403; } }
}
rtmp {
  server {
    listen 127.0.0.1:$np;
    chunk_size 4096;
    application live { live on; }
    application guarded { live on; on_publish http://127.0.0.1:$hp/refuse; }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
master=$!; pids+=("$master")
sleep 0.5
worker=$(pgrep -P "$master")
publish "rtmp://127.0.0.1:$np/live/fan"
sleep 2
"$build/bench/rtmpload" play "$np" live fan "$viewers" "$seconds" "$bitrate" > "$work/viewers" &
gen=$!
sleep 2   # the viewers' warm-up
t0=$(date +%s%N); c0=$(ticks "$master" "$worker")
"$build/bench/rtmpload" refuse "$np" guarded "bad?token=$bad_token" "$conns" "$seconds" > "$work/refuse"
c1=$(ticks "$master" "$worker"); t1=$(date +%s%N)
wait "$gen"
echo "nginx-rtmp  $(cat "$work/refuse")"
echo "            $(awk '{print $1, $2, $3, $4}' "$work/viewers") (RTMP) server_cpu=$(cpu_percent "$c0" "$c1" "$(echo "($t1 - $t0) / 1000000000" | bc -l)")% of one core"
