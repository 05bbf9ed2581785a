#!/usr/bin/env bash
# bench/booking: bookings per second and latency through the HTTP API with
# 100,000 reservations already stored, for both SQLite durability settings;
# then the same rule in PostgreSQL driven by pgbench, same machine, same run.
#
#   bench/booking/run.sh [REQUESTS] [CONNECTIONS]
#
# Needs a built tree (meson setup build && meson compile -C build) and, for
# the peer, Debian's postgresql (installed if missing). Loopback only.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
requests=${1:-20000}
conns=${2:-16}
key=BENCH_ADMIN_KEY_BENCH_ADMIN_KEY_BENCH_ADMIN
base=$(( ($(date +%s) / 86400 + 1) * 86400 ))   # tomorrow, 00:00 UTC
work=$(mktemp -d /tmp/slotcast-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${pgdata:-}" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

meson compile -C "$build" >/dev/null
echo "machine: $(nproc) cores, $(uname -r); $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo sqlite) ; requests=$requests connections=$conns"
"$build/bench/booking-preload" "$work/pristine" "$key" 100000 20 "$base"

cpu_ticks () { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_slotcast () { # LABEL SYNCHRONOUS AUTO_NODE
  local label=$1 sync=$2 auto=$3 port pid t0 t1 line
  rm -rf "$work/data"; cp -r "$work/pristine" "$work/data"
  printf '[database]\nsynchronous = %s\n' "$sync" > "$work/conf"
  coproc SRV { SLOTCAST_ADMIN_KEY=$key exec "$build/src/slotcast" web \
    --data-dir "$work/data" --http-port 0 --config "$work/conf" 2>"$work/log"; }
  pid=$SRV_PID; pids+=("$pid")
  while read -r line <&"${SRV[0]}"; do
    case $line in http-port=*) port=${line#http-port=}; break ;; esac
  done
  t0=$(cpu_ticks "$pid")
  line=$("$build/bench/booking-loadgen" "$port" "$key" "$conns" "$requests" 20 834 "$base" "$auto")
  t1=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "slotcast  $label: $line server_cpu=$(( (t1 - t0) * 10 ))ms"
}

run_slotcast "synchronous=normal, named node" normal 0
run_slotcast "synchronous=normal, any node  " normal 1
run_slotcast "synchronous=full,   named node" full 0

# --- the peer: PostgreSQL 15 with an EXCLUDE USING gist constraint ----------
if ! command -v pgbench >/dev/null || [ ! -d /usr/lib/postgresql ]; then
  apt-get install -y -q postgresql >/dev/null
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata=$work/pg
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
mkdir -p "$pgdata"; chown postgres "$pgdata" "$work"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -A trust >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg.log" -w \
  -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_connections=64" start >/dev/null
psql_ () { runuser -u postgres -- psql -h 127.0.0.1 -p "$pgport" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench" 
psql_ -d bench -v base="$base" -f "$top/bench/booking/pg-schema.sql" >/dev/null

run_pg () { # SYNCHRONOUS_COMMIT
  local before after out
  psql_ -d bench -c "ALTER SYSTEM SET synchronous_commit = $1" -c "SELECT pg_reload_conf()" \
    -c "DELETE FROM reservations WHERE stream LIKE 'bench-%'" -c "ALTER SEQUENCE bench_seq RESTART" \
    -c "VACUUM ANALYZE reservations" >/dev/null
  before=$(psql_ -d bench -At -c "SELECT count(*) FROM reservations")
  rm -f "$work"/pgbench_log.*
  out=$(cd "$work" && runuser -u postgres -- pgbench -h 127.0.0.1 -p "$pgport" -n -c "$conns" -j 2 \
        -t $(( requests / conns )) -D base="$base" -f "$top/bench/booking/pg-book.sql" -l bench 2>&1)
  after=$(psql_ -d bench -At -c "SELECT count(*) FROM reservations")
  local tps p50 p99
  tps=$(echo "$out" | awk '/^tps/ {printf "%.0f", $3}')
  read -r p50 p99 < <(cat "$work"/pgbench_log.* | awk '{print $3}' | sort -n | \
      awk '{a[NR]=$1} END {printf "%.2f %.2f\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}')
  echo "postgres  synchronous_commit=$1: transactions=$(( requests / conns * conns )) created=$(( after - before )) rate=${tps}/s p50=${p50}ms p99=${p99}ms"
}
run_pg on
run_pg off
