#!/usr/bin/env bash
# Parley against the peer (../shared/bench: Node socket.io v4 + better-sqlite3), one after
# the other on the same machine, same sizes and load cases; prints one table.
#
#   bash bench/run-bench.sh                       # whole matrix, ~10 min
#   ONLY="fanout2000 idle5k" REPEAT=1 bash bench/run-bench.sh
#
# Env: SERVERS ("peer parley"; one of them to run only that side) PEER_BENCH (../shared/bench next to the checkout) BUILD_DIR (build-bench, Release)
# NO_BUILD (1: take the binaries already in BUILD_DIR) PORT (47411) REPEAT (1) ONLY (case names) NICE (0; -10 as root)
# PARLEY_ENV (extra environment for parley-server, e.g. "PARLEY_EVENT_DISPATCHER=glib")
# PARLEY_FLAGS (default "--event-rate 1000 --event-burst 2000", per-user rates lifted and no
# per-address connection cap: the peer has no event limit, fanout2000's senders send 20/s,
# Parley's default sustained rate, and every simulated client comes from 127.0.0.1)
# QUIET_GATE ("0.5:120" as in run-peer.sh; "" = off) WORK (scratch dir; default mktemp -d).
# WORKERS (load generator threads for the idle and storm cases, both servers; default 1)
# FANOUT_WORKERS (the same for the fanout cases; default 2: at 2,000 msg/s a single load
# generator thread is saturated, and the latency it reports is then mostly its own queueing.
# The issue's peer latency was measured that way too: ../shared/bench/README.md, WORKERS=2.)
# Probe cases, only when named in ONLY: fanout2000x10k, storm10000, and idlemax (Parley only:
# holds `ulimit -Hn` - 64 idle connections from IDLEMAX_PROCS load generator processes, default
# one per 10,000 connections, since each needs a descriptor per connection too).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/bench}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
PORT=${PORT:-47411}
REPEAT=${REPEAT:-1}
ONLY=${ONLY:-}
NICE=${NICE:-0}
SERVERS=${SERVERS:-peer parley}
PARLEY_ENV=${PARLEY_ENV:-}
PARLEY_FLAGS=${PARLEY_FLAGS---event-rate 1000 --event-burst 2000 --user-event-rate 100000 --user-event-burst 200000 --max-connections-per-address 0}
QUIET_GATE=${QUIET_GATE-0.5:120}
WORKERS=${WORKERS:-1}
FANOUT_WORKERS=${FANOUT_WORKERS:-2}
WORK=${WORK:-$(mktemp -d)}
RESULTS=$WORK/results
mkdir -p "$RESULTS"
echo "scratch: $WORK" >&2

want=65536; hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want" 2>/dev/null || true

# 1. Parley in Release, in its own build dir (tests off: only what is measured).
if [[ " $SERVERS " == *" parley "* ]]; then
  if [ -z "${NO_BUILD:-}" ]; then # NO_BUILD=1: use what BUILD_DIR already holds
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_TESTS=OFF >/dev/null
    cmake --build "$BUILD_DIR" --target parley-server parley-bench-seed -j2 >&2
  fi
  SERVER_BIN=$(find "$BUILD_DIR" -type f -name parley-server -perm -u+x | head -1)
  SEED_BIN=$(find "$BUILD_DIR" -type f -name parley-bench-seed -perm -u+x | head -1)
  [ -x "$SERVER_BIN" ] && [ -x "$SEED_BIN" ] || { echo "parley-server or parley-bench-seed not built" >&2; exit 1; }
fi

# 2. The peer and the load generator, copied (the shared folder is read-only) and installed.
BENCH=$WORK/bench
if [ ! -d "$BENCH/load/node_modules" ] || [ ! -d "$BENCH/peer/node_modules" ]; then # a reused WORK keeps its install
  cp -r "$PEER_BENCH" "$WORK/"
  (cd "$BENCH/peer" && npm ci --no-audit --no-fund --silent) >&2
  (cd "$BENCH/load" && npm ci --no-audit --no-fund --silent) >&2
fi
# Each server's results start afresh; with a reused WORK, SERVERS=parley keeps the peer's.
for kind in $SERVERS; do rm -f "$RESULTS/$kind.jsonl"; done

SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap stop_server EXIT

wait_for() { # log pattern
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "server did not start:" >&2; cat "$1" >&2; exit 1
}

# A fresh data dir per size, seeded once and copied for every run (clean database each time).
seeded_dir() { # users channels
  local dir=$WORK/seed-$1-$2
  if [ ! -d "$dir" ]; then
    "$SEED_BIN" --data-dir "$dir" --users "$1" --channels "$2" --per-user 1 --tokens "$dir/tokens.json" >&2
  fi
  echo "$dir"
}

start_server() { # kind users channels
  if ss -ltn "sport = :$PORT" | grep -q LISTEN; then echo "port $PORT busy" >&2; exit 1; fi
  local log=$RESULTS/server-$1.log
  if [ "$1" = peer ]; then
    NODE_ENV=production nice -n "$NICE" node "$BENCH/peer/server.js" --port "$PORT" \
      --users "$2" --channels "$3" --per-user 1 >"$log" 2>&1 &
    SERVER_PID=$!
    wait_for "$log" '"listening"'
    TOKENS=()
  else
    local seed; seed=$(seeded_dir "$2" "$3")
    rm -rf "$WORK/run-data"; cp -r "$seed" "$WORK/run-data"
    # shellcheck disable=SC2086
    env $PARLEY_ENV QT_LOGGING_RULES="parley.*.debug=false;parley.*.info=false" nice -n "$NICE" \
      "$SERVER_BIN" --listen "127.0.0.1:$PORT" --data-dir "$WORK/run-data" $PARLEY_FLAGS >"$log" 2>&1 &
    SERVER_PID=$!
    wait_for "$log" 'listening on'
    TOKENS=(--tokens "$seed/tokens.json")
  fi
}

case_() { # name users channels "load flags"
  local name=$1 users=$2 channels=$3 lflags=$4
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  local workers=$WORKERS
  if [[ $name == fanout* ]]; then workers=$FANOUT_WORKERS; fi
  for kind in $SERVERS; do
    for r in $(seq 1 "$REPEAT"); do
      echo "=== $kind $name run $r/$REPEAT" >&2
      start_server "$kind" "$users" "$channels"
      # shellcheck disable=SC2086
      nice -n "$NICE" node "$BENCH/load/load.js" --url "http://127.0.0.1:$PORT" $lflags --workers "$workers" "${TOKENS[@]}" \
        --server-pid "$SERVER_PID" --label "$name#$r" --out "$RESULTS/$kind.jsonl" \
        ${QUIET_GATE:+--quiet-gate "$QUIET_GATE"} >/dev/null || echo "load generator failed ($kind $name#$r)" >&2
      stop_server
      echo "load average after $kind $name#$r: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
      sleep 2
    done
  done
}

case_ idle1k     1000 50   "--scenario idle -n 1000 --channels 50 --ramp-rate 500 --settle 5 --hold 30"
case_ idle5k     5000 250  "--scenario idle -n 5000 --channels 250 --ramp-rate 500 --settle 5 --hold 30"
case_ fanout500  1000 50   "--scenario fanout -n 1000 --channels 50 --ramp-rate 500 --senders 100 --rate 5  --warmup 2 --duration 20"
case_ fanout1000 1000 50   "--scenario fanout -n 1000 --channels 50 --ramp-rate 500 --senders 100 --rate 10 --warmup 2 --duration 20"
case_ fanout2000 1000 50   "--scenario fanout -n 1000 --channels 50 --ramp-rate 500 --senders 100 --rate 20 --warmup 2 --duration 20"
case_ storm2000  2000 100  "--scenario storm -n 2000 --channels 100 --concurrency 200 --settle 1"
case_ storm2000u 2000 100  "--scenario storm -n 2000 --channels 100 --concurrency 2000 --settle 1"
# As many idle connections as one server may hold: the hard descriptor limit less 64 for
# the server's own (database, epoll, listener...). Parley only (the issue has no peer figure).
# Several load generator processes share the connections; each holds its own slice of the
# tokens, so every connection is a different user. Heartbeat on (Parley's defaults: a ping
# every 25 s, 20 s to answer), held 30 s. One synthesized result line: held, not connected
# within 300 s, dropped while held, and KiB per connection, from the server's RSS before the
# first connection and the largest hold median the processes saw.
idlemax_case() {
  if [[ " $ONLY " != *" idlemax "* ]] || [[ " $SERVERS " != *" parley "* ]]; then return 0; fi
  local hard; hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ]; then hard=65536; fi
  local n=$((hard - 64)) channels procs
  channels=$(((n + 19) / 20))
  procs=${IDLEMAX_PROCS:-$(((n + 9999) / 10000))}
  echo "=== parley idlemax: $n connections (ulimit -Hn $hard - 64) from $procs load generator processes" >&2
  start_server parley "$n" "$channels"
  local seed; seed=$(seeded_dir "$n" "$channels")
  local out=$RESULTS/idlemax-parts.jsonl; rm -f "$out"
  local pids=() p per=$(((n + procs - 1) / procs))
  for p in $(seq 0 $((procs - 1))); do
    local from=$((p * per)) count=$(( (p + 1) * per > n ? n - p * per : per ))
    node -e 'const fs=require("fs"); const [src,dst,from,count]=process.argv.slice(1);
      fs.writeFileSync(dst, JSON.stringify(JSON.parse(fs.readFileSync(src,"utf8")).slice(+from, +from + +count)));' \
      "$seed/tokens.json" "$WORK/idlemax-tokens-$p.json" "$from" "$count"
    # shellcheck disable=SC2086
    nice -n "$NICE" node "$BENCH/load/load.js" --url "http://127.0.0.1:$PORT" --scenario idle -n "$count" \
      --channels "$channels" --ramp-rate 500 --ready-timeout 300 --settle 5 --hold 30 --tokens "$WORK/idlemax-tokens-$p.json" \
      --server-pid "$SERVER_PID" --label "idlemax-part$p" --out "$out" >/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || echo "load generator failed (parley idlemax)" >&2; done
  stop_server
  node - "$out" "$n" "$hard" >>"$RESULTS/parley.jsonl" <<'JS'
const fs = require('node:fs');
const [file, requested, hard] = process.argv.slice(2);
const parts = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const held = parts.reduce((s, r) => s + r.connect.ready, 0);
const notReady = parts.reduce((s, r) => s + (r.connect.requested - r.connect.ready), 0);
const dropped = parts.reduce((s, r) => s + r.idle.events.disconnect, 0);
const before = Math.min(...parts.map((r) => r.idle.server.rss_before_kib));
// The hold median in KiB of the part whose hold started last, when every part had ramped.
const holdRss = Math.max(...parts.map((r) => r.idle.server.rss_before_kib + r.idle.server.kib_per_conn_hold_median * r.connect.ready));
console.log(JSON.stringify({ label: 'idlemax#1', scenario: 'idlemax', requested: +requested, hard_limit: +hard,
  processes: parts.length, held, not_ready: notReady, dropped, rss_before_kib: before, rss_hold_kib: Math.round(holdRss),
  kib_per_conn: +((holdRss - before) / held).toFixed(2) }));
JS
  echo "idlemax: $(tail -1 "$RESULTS/parley.jsonl")" >&2
  echo "load average after parley idlemax: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

if [ -n "$ONLY" ]; then # probes, only when named
  case_ fanout2000x10k 10000 500 "--scenario fanout -n 10000 --channels 500 --ramp-rate 500 --senders 100 --rate 20 --warmup 2 --duration 20"
  case_ storm10000     10000 500 "--scenario storm -n 10000 --channels 500 --concurrency 200 --settle 1"
  idlemax_case
fi

# 3. One table: the figures of the issue's goals, both servers, and Parley / peer.
node - "$RESULTS/peer.jsonl" "$RESULTS/parley.jsonl" <<'JS'
const fs = require('node:fs');
const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : []);
const [peer, parley] = process.argv.slice(2).map(read);
const base = (r) => r.label.replace(/#\d+$/, '');
const median = (xs) => { const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined; };
const figures = {
  idle: [['srv KiB per idle connection (hold median)', (r) => r.idle.server.kib_per_conn_hold_median],
         ['srv CPU µs per connection (ramp)', (r) => r.connect.server_cpu_us_per_connection],
         ['disconnects while idle', (r) => r.idle.events.disconnect]],
  fanout: [['srv CPU µs per delivery', (r) => r.fanout.server.cpu_us_per_delivery],
           ['srv CPU µs per message', (r) => r.fanout.server.cpu_us_per_message],
           ['e2e latency p50 ms', (r) => r.fanout.latency_ms.p50],
           ['e2e latency p99 ms', (r) => r.fanout.latency_ms.p99],
           ['delivered per s', (r) => r.fanout.delivered_per_s],
           ['lost + errors', (r) => { const f = r.fanout; return f.lost + f.events.message_error + f.events.connect_error + f.events.disconnect + f.acks_failed + f.ack_timeouts + f.misrouted + f.schema_errors; }]],
  idlemax: [['connections held (ulimit -Hn − 64 asked)', (r) => r.held],
            ['not connected (within 300 s)', (r) => r.not_ready],
            ['dropped while held (heartbeat on)', (r) => r.dropped],
            ['srv KiB per idle connection (hold median)', (r) => r.kib_per_conn]],
  storm: [['srv CPU µs per connection', (r) => r.connect.server_cpu_us_per_connection],
          ['ready / requested', (r) => r.connect.ready / r.connect.requested],
          ['ready latency p99 ms', (r) => r.connect.ready_latency_ms.p99]],
};
const fmt = (x) => (x === undefined ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : +x.toFixed(2));
const cases = [...new Set([...peer, ...parley].map(base))];
console.log('| case | figure | peer | Parley | Parley / peer |');
console.log('|---|---|---|---|---|');
for (const c of cases) {
  const p = peer.filter((r) => base(r) === c), q = parley.filter((r) => base(r) === c);
  const scenario = (p[0] || q[0]).scenario;
  for (const [name, get] of figures[scenario] || []) {
    const safe = (r) => { try { return get(r); } catch (e) { return undefined; } };
    const a = median(p.map(safe)), b = median(q.map(safe));
    const ratio = a && b !== undefined ? fmt(b / a) : '–';
    console.log(`| ${c} | ${name} | ${fmt(a)} | ${fmt(b)} | ${ratio} |`);
  }
}
JS
echo
echo "Parley flags: ${PARLEY_FLAGS:-none}${PARLEY_ENV:+, env $PARLEY_ENV}. Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo "raw results: $RESULTS (node $BENCH/summarize.js $RESULTS/*.jsonl for every column)" >&2
