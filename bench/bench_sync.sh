#!/usr/bin/env bash
# bench/bench_sync.sh [BUILD_DIR]   (run by bench/run.sh, i.e. `make bench`)
#
# The CDC path (issue 5, "Benchmarks") against PostgreSQL's own tools, in one run
# against one throw-away PostgreSQL (scripts/pg-local.sh, PMN_PG_DIR under /tmp,
# stopped by PID and removed on exit):
#   (a) initial snapshot of an `orders` table: `psql -c "COPY orders TO STDOUT"`
#       into /dev/null versus `pgpaimon postgres_sync_table` from its start until
#       it logs "initial snapshot committed";
#   (b) change events already in the WAL (60% insert, 30% update, 10% delete,
#       10 rows per transaction, written by pgbench after both slots exist):
#       `pg_recvlogical` (pgoutput, proto 1) into /dev/null up to the target LSN
#       versus pgpaimon streaming them into committed lake snapshots until the
#       lake's `pgpaimon.source.end-lsn` reaches that LSN;
#   (c) end-to-end latency at 500 transactions/s (pgbench -R): bench_latency
#       follows the lake and measures, per row, the time from the row's
#       clock_timestamp() to the first snapshot that shows it;
#   (d) peak RSS (VmHWM) of the pgpaimon process of (a) and of (b).
# Figures only: nothing here asserts a time; targets are printed next to them.
#
# Environment: PMN_BENCH_SYNC_ROWS (else PMN_BENCH_ROWS, else 1,000,000) sets
# both the table size of (a) and the change events of (b); PMN_BENCH_LATENCY_S
# (default 20) and PMN_BENCH_TPS (default 500) shape (c); PMN_BENCH_RUNS
# (default 3) is the number of rounds of (a) and of (b); PMN_BENCH_KEEP=1
# keeps the work folder; PMN_BENCH_TABLE_CONF="k=v ..." passes Paimon table
# options to the sync (--table_conf, e.g. write-buffer-size=64mb);
# PMN_BENCH_PERF=1 records `perf record --call-graph dwarf` of every pgpaimon
# run into the work folder; PMN_BENCH_BASELINE=/path/to/pgpaimon (another
# build, e.g. of the previous commit) adds that binary to every round of (a)
# and (b), right after this build's run, so before/after figures come from one
# run under the same load.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$REPO/build}" && pwd)
PGPAIMON=$BUILD/pgpaimon
BASELINE=${PMN_BENCH_BASELINE:-}
BIN=$PGPAIMON # the binary sync_start runs
LATENCY=$BUILD/bench/bench_latency
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROWS=${PMN_BENCH_SYNC_ROWS:-${PMN_BENCH_ROWS:-1000000}}
EVENTS=$ROWS
LAT_S=${PMN_BENCH_LATENCY_S:-20}
TPS=${PMN_BENCH_TPS:-500}
CLIENTS=2
RUNS_A=${PMN_BENCH_RUNS:-3}
RUNS_B=$RUNS_A
[ "$ROWS" -ge 1000 ] || { echo "bench_sync: PMN_BENCH_SYNC_ROWS must be >= 1000" >&2; exit 2; }
for f in "$PGPAIMON" "$LATENCY" "$PG_BIN/pgbench" "$PG_BIN/pg_recvlogical"; do
  [ -x "$f" ] || { echo "bench_sync: missing $f (make bench builds it; pgbench and pg_recvlogical come with postgresql-client)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/pmn-bench-sync.XXXXXX)
chmod 755 "$WORK" # the server may run as the postgres OS user
export PMN_PG_DIR=$WORK/pg
WH=$WORK/warehouse
pids=() # background processes this script started

cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  bash "$REPO/scripts/pg-local.sh" destroy >/dev/null 2>&1 || true
  if [ "${PMN_BENCH_KEEP:-0}" = 1 ]; then
    echo "bench_sync: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf 'bench_sync: %s\n' "$*" >&2; }
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# lsn_num X/Y: a pg_lsn as an integer
lsn_num() { echo $(((16#${1%/*} << 32) | 16#${1#*/})); }
# vmhwm PID: peak resident set of a live process in MB
vmhwm() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
# cpu_s PID|FILE: user+system CPU seconds of a live process (or of a saved stat line)
cpu_s() {
  local f=$1
  [ -f "$f" ] || f=/proc/$1/stat
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "$f" 2>/dev/null || echo "?"
}
# walsender_cpu SLOT FILE: in the background, wait for the slot's walsender and
# keep its last /proc stat line in FILE until it exits (its CPU time afterwards)
walsender_cpu() {
  local pid="" line
  for _ in $(seq 1 500); do
    pid=$(q -c "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '$1'")
    [ -n "$pid" ] && break
    sleep 0.01
  done
  [ -n "$pid" ] || return 0
  while read -r line <"/proc/$pid/stat"; do
    echo "$line" >"$2"
    sleep 0.05
  done 2>/dev/null
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "starting PostgreSQL in $PMN_PG_DIR"
conninfo=$(bash "$REPO/scripts/pg-local.sh" start 2>/dev/null)
PORT=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' <<<"$conninfo")
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGPASSWORD=postgres PGDATABASE=bench
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# synchronous_commit = on: logical decoding only reads flushed WAL, so an
# asynchronous commit would add up to 3 x wal_writer_delay to (c); with the
# cluster's fsync = off an "on" commit costs a write(), not a flush.
# logical_decoding_work_mem = 64MB (the default): 10-row transactions never
# spill. max_wal_size and checkpoint_timeout keep checkpoints out of the timings.
q -d postgres <<'SQL'
ALTER SYSTEM SET synchronous_commit = 'on';
ALTER SYSTEM SET logical_decoding_work_mem = '64MB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
SELECT pg_reload_conf() \gset
CREATE DATABASE bench;
SQL
PG_VERSION=$(q -d postgres -c 'SHOW server_version')

say "loading $ROWS rows into orders"
q <<SQL
CREATE TABLE orders (
  order_id    bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status      text NOT NULL,
  total       numeric(10,2) NOT NULL,
  created_at  timestamptz NOT NULL,
  items       int NOT NULL);
INSERT INTO orders
SELECT g, g * 7919 % 100000 + 1,
       (ARRAY['pending','paid','shipped','delivered','cancelled'])[g % 5 + 1],
       (g * 37 % 100000) / 100.0,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
       (g % 10 + 1)::int
  FROM generate_series(1::bigint, $ROWS) g;
VACUUM (FREEZE, ANALYZE) orders;
CREATE PUBLICATION bench_pub FOR TABLE orders;
CREATE SEQUENCE bench_txn;
CREATE TABLE ticks (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE PUBLICATION bench_ticks_pub FOR TABLE ticks;
CHECKPOINT;
SQL
TABLE_MB=$(q -c "SELECT pg_total_relation_size('orders') / 1048576")

# sync_start TABLE SLOT PUBLICATION LOG: start the sync in the background; sets SYNC
sync_start() {
  local perf=() tconf=() kv
  for kv in ${PMN_BENCH_TABLE_CONF:-}; do tconf+=(--table_conf "$kv"); done
  if [ "${PMN_BENCH_PERF:-0}" = 1 ]; then
    perf=(perf record -F 499 --call-graph "dwarf,16384" -o "$WORK/perf-$1-$(date +%s).data" --)
  fi
  "${perf[@]}" "$BIN" postgres_sync_table \
    --warehouse "$WH" --database bench \
    --postgres_conf hostname=127.0.0.1 --postgres_conf port="$PORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=bench --postgres_conf schema-name=public \
    --postgres_conf table-name="$1" --postgres_conf slot.name="$2" \
    --postgres_conf publication.name="$3" \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" "${tconf[@]}" >>"$4" 2>&1 &
  SYNC=$!
  pids+=("$SYNC")
  if [ ${#perf[@]} -gt 0 ]; then # measure pgpaimon, not perf
    for _ in $(seq 1 100); do
      SYNC_PID=$(pgrep -P "$SYNC" -x pgpaimon || true)
      [ -n "$SYNC_PID" ] && return 0
      sleep 0.01
    done
  fi
  SYNC_PID=$SYNC
}
# sync_stop: SIGTERM (the sync commits and exits 0) and wait
sync_stop() {
  kill -TERM "$SYNC_PID" 2>/dev/null || true
  wait "$SYNC" || { say "the sync exited with $?; log:"; tail -n 20 "$1" >&2; exit 1; }
}
# wait_log FILE PATTERN SECONDS: poll every 10 ms
wait_log() {
  local i
  for ((i = 0; i < $3 * 100; i++)); do
    grep -q "$2" "$1" && return 0
    kill -0 "$SYNC_PID" 2>/dev/null || break
    sleep 0.01
  done
  say "\"$2\" did not appear in $1:"
  tail -n 20 "$1" >&2
  exit 1
}
# lake_end_lsn TABLE: pgpaimon.source.end-lsn of the table's latest snapshot (integer), or 0
lake_end_lsn() {
  local dir=$WH/bench.db/$1/snapshot id lsn
  id=$(cat "$dir/LATEST" 2>/dev/null) || { echo 0; return; }
  lsn=$(grep -o '"pgpaimon.source.end-lsn" *: *"[0-9A-Fa-f]*/[0-9A-Fa-f]*"' "$dir/snapshot-$id" 2>/dev/null |
    sed 's/.*"\([0-9A-Fa-f]*\/[0-9A-Fa-f]*\)"$/\1/') || true
  if [ -n "$lsn" ]; then lsn_num "$lsn"; else echo 0; fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---------------------------------------------------------------- (a)
# RUNS_A rounds, each a COPY then a pgpaimon initial snapshot (interleaved, so
# load from other processes hits both alike); the medians are reported. Every
# round but the last syncs into a scratch warehouse with its own slot, dropped
# afterwards; the last one's lake and slot bench_orders carry on into (b).
say "(a) COPY orders TO STDOUT versus pgpaimon's initial snapshot, $RUNS_A rounds (after one warm-up COPY)"
q -c "COPY orders TO STDOUT" >/dev/null
copy_runs=() snap_runs=() RSS_A=0 CPU_A=""
base_snap_runs=() BASE_RSS_A=0 BASE_CPU_A="" base_stream_runs=() BASE_RSS_B=0 BASE_CPU_B=""
for ((r = 1; r <= RUNS_A; r++)); do
  t0=$(now_ns)
  q -c "COPY orders TO STDOUT" >/dev/null
  copy_runs+=("$(secs "$t0" "$(now_ns)")")

  if [ $r = "$RUNS_A" ]; then WH=$WORK/warehouse slot=bench_orders; else WH=$WORK/wh-a$r slot=bench_a$r; fi
  LOG_A=$WORK/sync-a$r.log
  t0=$(now_ns)
  sync_start orders $slot bench_pub "$LOG_A"
  wait_log "$LOG_A" "initial snapshot committed" 600
  t1=$(now_ns)
  snap_runs+=("$(secs "$t0" "$t1")")
  rss=$(vmhwm "$SYNC_PID")
  [ "$rss" -gt "$RSS_A" ] && RSS_A=$rss
  CPU_A+="${CPU_A:+ }$(cpu_s "$SYNC_PID")"
  sync_stop "$LOG_A"
  if [ $r != "$RUNS_A" ]; then
    q -c "SELECT 1 FROM pg_drop_replication_slot('$slot')" >/dev/null
    rm -rf "$WH"
  fi
  if [ -n "$BASELINE" ]; then
    WH=$WORK/wh-base-a$r BIN=$BASELINE LOG_A=$WORK/sync-base-a$r.log
    t0=$(now_ns)
    sync_start orders bench_base_a$r bench_pub "$LOG_A"
    wait_log "$LOG_A" "initial snapshot committed" 600
    base_snap_runs+=("$(secs "$t0" "$(now_ns)")")
    rss=$(vmhwm "$SYNC_PID")
    [ "$rss" -gt "$BASE_RSS_A" ] && BASE_RSS_A=$rss
    BASE_CPU_A+="${BASE_CPU_A:+ }$(cpu_s "$SYNC_PID")"
    sync_stop "$LOG_A"
    q -c "SELECT 1 FROM pg_drop_replication_slot('bench_base_a$r')" >/dev/null
    rm -rf "$WH"
    BIN=$PGPAIMON WH=$WORK/warehouse
  fi
done
COPY_S=$(printf '%s\n' "${copy_runs[@]}" | median)
SNAP_S=$(printf '%s\n' "${snap_runs[@]}" | median)
LAKE_ROWS=$("$PGPAIMON" table snapshots --warehouse "$WH" bench.orders | tail -n 1 |
  awk '{ print "snapshot " $1 ", " $5 " rows, " $7 }')

# ---------------------------------------------------------------- (b)
TXNS=$((EVENTS / 10 / CLIENTS * CLIENTS))
EVENTS=$((TXNS * 10))
# RUNS_B rounds, each pg_recvlogical then pgpaimon over the same WAL. Every
# round has its own slots, all made before the workload: bench_recv<r> for
# pg_recvlogical; for pgpaimon, round r < RUNS_B resumes a copy of the lake of
# (a) with slot bench_ob<r>, the last round the lake itself with bench_orders.
say "(b) $RUNS_B slot pairs, then $EVENTS change events ($TXNS transactions) with pgbench"
for ((r = 1; r <= RUNS_B; r++)); do
  q -c "SELECT 1 FROM pg_create_logical_replication_slot('bench_recv$r', 'pgoutput')" >/dev/null
  if [ $r != "$RUNS_B" ]; then
    q -c "SELECT 1 FROM pg_create_logical_replication_slot('bench_ob$r', 'pgoutput')" >/dev/null
    cp -a "$WORK/warehouse" "$WORK/wh-b$r"
  fi
  if [ -n "$BASELINE" ]; then
    q -c "SELECT 1 FROM pg_create_logical_replication_slot('bench_base_b$r', 'pgoutput')" >/dev/null
    cp -a "$WORK/warehouse" "$WORK/wh-base-b$r"
  fi
done
START_LSN=$(q -c "SELECT pg_current_wal_insert_lsn()")
# Transaction t (a sequence, unique across clients): 6 inserts of new keys,
# 3 updates of keys 3t-2..3t, 1 delete of key ROWS+1-t; 4 x TXNS <= ROWS keeps
# the updated and deleted keys apart, so every statement hits its rows.
cat >"$WORK/workload.sql" <<'SQL'
BEGIN;
SELECT nextval('bench_txn') AS t \gset
INSERT INTO orders (order_id, customer_id, status, total, created_at, items)
  SELECT :rows + (:t - 1) * 6 + g, (:t * 31 + g) % 100000 + 1, 'pending',
         ((:t * 6 + g) % 100000) / 100.0, now(), g
    FROM generate_series(1, 6) g;
UPDATE orders SET status = 'shipped', total = total + 1, items = items + 1
  WHERE order_id BETWEEN (:t - 1) * 3 + 1 AND :t * 3;
DELETE FROM orders WHERE order_id = :rows + 1 - :t;
END;
SQL
t0=$(now_ns)
"$PG_BIN/pgbench" -n -M prepared -c $CLIENTS -j $CLIENTS -t $((TXNS / CLIENTS)) -D rows="$ROWS" \
  -f "$WORK/workload.sql" >"$WORK/pgbench-b.log" 2>&1 ||
  { cat "$WORK/pgbench-b.log" >&2; exit 1; }
GEN_S=$(secs "$t0" "$(now_ns)")
# A marker transaction: the target LSN lies inside it, after every workload event.
TARGET=$(q <<'SQL'
BEGIN;
INSERT INTO orders VALUES (0, 0, 'marker', 0, now(), 0);
SELECT pg_current_wal_insert_lsn();
COMMIT;
SQL
)
WAL_MB=$(q -c "SELECT round(pg_wal_lsn_diff('$TARGET', '$START_LSN') / 1048576)")
CHECK=$(q -c "SELECT count(*) FILTER (WHERE order_id > $ROWS), count(*) FILTER (WHERE status = 'shipped' AND order_id <= $((3 * TXNS))), $ROWS - count(*) FILTER (WHERE order_id BETWEEN 1 AND $ROWS) FROM orders")
[ "$CHECK" = "$((6 * TXNS))|$((3 * TXNS))|$TXNS" ] ||
  { say "workload check failed: inserted|updated|deleted = $CHECK, expected $((6 * TXNS))|$((3 * TXNS))|$TXNS"; exit 1; }

say "(b) pg_recvlogical versus pgpaimon over the same WAL ($WAL_MB MB, to $TARGET), $RUNS_B rounds"
target_num=$(lsn_num "$TARGET")
recv_runs=() stream_runs=() ws_recv=() ws_sync=() CPU_B="" RSS_B=0
for ((r = 1; r <= RUNS_B; r++)); do
  t0=$(now_ns)
  "$PG_BIN/pg_recvlogical" -d "dbname=bench" --start -S bench_recv$r --no-loop -F 0 \
    -o proto_version=1 -o publication_names=bench_pub -f /dev/null --endpos="$TARGET" \
    2>"$WORK/recvlogical$r.log" &
  RECV=$!
  pids+=("$RECV")
  walsender_cpu bench_recv$r "$WORK/walsender-recv$r.stat" &
  pids+=($!)
  wait "$RECV" || { cat "$WORK/recvlogical$r.log" >&2; exit 1; }
  recv_runs+=("$(secs "$t0" "$(now_ns)")")
  q -c "SELECT 1 FROM pg_drop_replication_slot('bench_recv$r')" >/dev/null

  if [ $r = "$RUNS_B" ]; then WH=$WORK/warehouse slot=bench_orders; else WH=$WORK/wh-b$r slot=bench_ob$r; fi
  LOG_B=$WORK/sync-b$r.log
  t0=$(now_ns)
  sync_start orders $slot bench_pub "$LOG_B"
  walsender_cpu $slot "$WORK/walsender-sync$r.stat" &
  pids+=($!)
  while [ "$(lake_end_lsn orders)" -lt "$target_num" ]; do
    kill -0 "$SYNC_PID" 2>/dev/null || { say "the sync died:"; tail -n 20 "$LOG_B" >&2; exit 1; }
    sleep 0.02
  done
  stream_runs+=("$(secs "$t0" "$(now_ns)")")
  rss=$(vmhwm "$SYNC_PID")
  [ "$rss" -gt "$RSS_B" ] && RSS_B=$rss
  CPU_B+="${CPU_B:+ }$(cpu_s "$SYNC_PID")"
  sync_stop "$LOG_B"
  ws_recv+=("$(cpu_s "$WORK/walsender-recv$r.stat")")
  ws_sync+=("$(cpu_s "$WORK/walsender-sync$r.stat")")
  if [ $r != "$RUNS_B" ]; then
    q -c "SELECT 1 FROM pg_drop_replication_slot('$slot')" >/dev/null
    rm -rf "$WH"
  fi
  if [ -n "$BASELINE" ]; then
    WH=$WORK/wh-base-b$r BIN=$BASELINE LOG_B=$WORK/sync-base-b$r.log
    t0=$(now_ns)
    sync_start orders bench_base_b$r bench_pub "$LOG_B"
    while [ "$(lake_end_lsn orders)" -lt "$target_num" ]; do
      kill -0 "$SYNC_PID" 2>/dev/null || { say "the baseline sync died:"; tail -n 20 "$LOG_B" >&2; exit 1; }
      sleep 0.02
    done
    base_stream_runs+=("$(secs "$t0" "$(now_ns)")")
    rss=$(vmhwm "$SYNC_PID")
    [ "$rss" -gt "$BASE_RSS_B" ] && BASE_RSS_B=$rss
    BASE_CPU_B+="${BASE_CPU_B:+ }$(cpu_s "$SYNC_PID")"
    sync_stop "$LOG_B"
    q -c "SELECT 1 FROM pg_drop_replication_slot('bench_base_b$r')" >/dev/null
    rm -rf "$WH"
    BIN=$PGPAIMON WH=$WORK/warehouse
  fi
done
RECV_S=$(printf '%s\n' "${recv_runs[@]}" | median)
STREAM_S=$(printf '%s\n' "${stream_runs[@]}" | median)
LAKE_COUNT=$("$PGPAIMON" table scan --warehouse "$WH" bench.orders | wc -l)
PG_COUNT=$(q -c "SELECT count(*) FROM orders")
[ "$LAKE_COUNT" = "$PG_COUNT" ] || say "WARNING: the lake has $LAKE_COUNT rows, PostgreSQL $PG_COUNT"

# ---------------------------------------------------------------- (c)
say "(c) latency: $TPS transactions/s for $LAT_S s"
LOG_C=$WORK/sync-c.log
sync_start ticks bench_ticks bench_ticks_pub "$LOG_C"
wait_log "$LOG_C" "initial snapshot committed" 60
"$LATENCY" "$WH" bench ticks "$((LAT_S + 4))" >"$WORK/latency.txt" 2>&1 &
LAT_PID=$!
pids+=("$LAT_PID")
sleep 0.5
echo "INSERT INTO ticks (created_at) VALUES (clock_timestamp());" >"$WORK/ticks.sql"
"$PG_BIN/pgbench" -n -M prepared -c $CLIENTS -j $CLIENTS -R "$TPS" -T "$LAT_S" \
  -f "$WORK/ticks.sql" >"$WORK/pgbench-c.log" 2>&1 ||
  { cat "$WORK/pgbench-c.log" >&2; exit 1; }
wait "$LAT_PID" || { cat "$WORK/latency.txt" >&2; exit 1; }
sync_stop "$LOG_C"
RESULT=$(sed -n 's/^RESULT //p' "$WORK/latency.txt")
field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" <<<"$RESULT"; }
C_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench-c.log" | head -n 1)
C_ROWS=$(q -c "SELECT count(*) FROM ticks")

# ---------------------------------------------------------------- report
COPY_RATE=$(rate "$ROWS" "$COPY_S")
SNAP_RATE=$(rate "$ROWS" "$SNAP_S")
RECV_RATE=$(rate "$EVENTS" "$RECV_S")
STREAM_RATE=$(rate "$EVENTS" "$STREAM_S")
A_RATIO=$(ratio "$SNAP_RATE" "$COPY_RATE")
B_RATIO=$(ratio "$STREAM_RATE" "$RECV_RATE")
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=" ? v >= t : v < t); print ok ? "met" : "MISSED" }'; }

cat <<REPORT

pgpaimon CDC benchmarks: PostgreSQL $PG_VERSION on 127.0.0.1, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)
  load average before the run: $LOAD_BEFORE (other processes share these CPUs; figures move with them)
  orders: $ROWS rows ($TABLE_MB MB with index); workload: $EVENTS events in $TXNS transactions,
  $WAL_MB MB of WAL (generated by pgbench in $GEN_S s); lake: $WH (table options: ${PMN_BENCH_TABLE_CONF:-defaults})

  measure                           PostgreSQL tool            pgpaimon                     ratio  target        result
  (a) initial snapshot              COPY TO /dev/null          postgres_sync_table
      $(printf '%-30s' "time, median of $RUNS_A")$(printf '%-26s %-28s' "$COPY_S s" "$SNAP_S s")
      each round (s)                $(printf '%-26s %-28s' "${copy_runs[*]}" "${snap_runs[*]}")
      pgpaimon CPU (s)                                         $CPU_A
      rows/s                        $(printf '%-26s %-28s %-6s %-13s %s' "$COPY_RATE" "$SNAP_RATE" "$A_RATIO" ">= 0.70x" "$(verdict "$A_RATIO" ">=" 0.7)")
  (b) change events in the WAL      pg_recvlogical (pgoutput)  streamed + lake commits
      $(printf '%-30s' "time, median of $RUNS_B")$(printf '%-26s %-28s' "$RECV_S s" "$STREAM_S s")
      each round (s)                $(printf '%-26s %-28s' "${recv_runs[*]}" "${stream_runs[*]}")
      walsender CPU (s)             $(printf '%-26s %-28s' "${ws_recv[*]}" "${ws_sync[*]}")
      pgpaimon CPU (s)                                         $CPU_B
      events/s                      $(printf '%-26s %-28s %-6s %-13s %s' "$RECV_RATE" "$STREAM_RATE" "$B_RATIO" ">= 0.90x" "$(verdict "$B_RATIO" ">=" 0.9)")
  (c) commit -> visible in lake     pgbench -R $TPS: ${C_TPS:-?} tps, $C_ROWS rows
      per row   p50 / p99 / max                                $(printf '%-28s %-6s %-13s %s' "$(field row_p50_ms) / $(field row_p99_ms) / $(field row_max_ms) ms" "" "p99 < 1000 ms" "$(verdict "$(field row_p99_ms)" "<" 1000)")
      per lake snapshot ($(field snapshots)) p50 / p99                $(printf '%-28s' "$(field snap_p50_ms) / $(field snap_p99_ms) ms")
  (d) peak RSS (VmHWM)
      during (a)                                               $(printf '%-28s %-6s %-13s %s' "$RSS_A MB" "" "< 100 MB" "$(verdict "$RSS_A" "<" 100)")
      during (b)                                               $(printf '%-28s %-6s %-13s %s' "$RSS_B MB" "" "< 100 MB" "$(verdict "$RSS_B" "<" 100)")

$(if [ -n "$BASELINE" ]; then
  BS=$(printf '%s\n' "${base_snap_runs[@]}" | median)
  BB=$(printf '%s\n' "${base_stream_runs[@]}" | median)
  cat <<BASE
  baseline $BASELINE, in the same rounds:
  (a) time, median $BS s (ratio $(ratio "$(rate "$ROWS" "$BS")" "$COPY_RATE")); each round (s) ${base_snap_runs[*]}; CPU (s) $BASE_CPU_A; peak RSS $BASE_RSS_A MB
  (b) time, median $BB s (ratio $(ratio "$(rate "$EVENTS" "$BB")" "$RECV_RATE")); each round (s) ${base_stream_runs[*]}; CPU (s) $BASE_CPU_B; peak RSS $BASE_RSS_B MB
BASE
fi)
  lake after (a): $LAKE_ROWS
  lake after (b): $LAKE_COUNT rows (PostgreSQL: $PG_COUNT)
REPORT
