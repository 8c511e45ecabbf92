#!/usr/bin/env bash
# --parallelism 3: the initial snapshot is copied over three connections that
# import the slot's exported snapshot, whole tables and block (ctid) ranges of
# large ones (integer key, text key, no key) at once, while a writer changes them;
# the lake equals PostgreSQL, and the changes made during the copy arrive
# exactly once through the stream. SIGINT during a snapshot exits 0 and the
# next start takes it again.
source "$(dirname "$0")/lib.sh"
fresh_db sync_par ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_par_slot
on_exit "kill -9 \${SYNC:-0} \${WRITER:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

psql_q "CREATE TABLE big (id bigint PRIMARY KEY, grp int, payload text);
        INSERT INTO big SELECT g, g % 97, repeat(md5(g::text), 3) FROM generate_series(1, 60000) g;
        CREATE TABLE tkeys (k text PRIMARY KEY, v int);
        INSERT INTO tkeys SELECT 'key-' || md5(g::text), g FROM generate_series(1, 8000) g;
        CREATE TABLE nokey (a int, b text);
        INSERT INTO nokey SELECT g % 100, md5(g::text) FROM generate_series(1, 20000) g;
        ANALYZE big; ANALYZE tkeys; ANALYZE nokey;"

# pgpaimon.snapshot.split-min-bytes=1: split every table of more than one block, so the
# small sample tables are cut into ranges too
"$PGPAIMON" postgres_sync_database --warehouse "$WH" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_par --postgres_conf schema-name=public \
    --postgres_conf slot.name=$SLOT --parallelism 3 -D pgpaimon.snapshot.split-min-bytes=1 \
    >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
# a writer changes big while the snapshot is being copied
( for i in $(seq 0 19); do
    psql_q "UPDATE big SET grp = -1 WHERE id % 1000 = $i; DELETE FROM big WHERE id % 1000 = $((i + 500));
            INSERT INTO big SELECT g, 7, 'late' FROM generate_series($((60001 + i * 10)), $((60010 + i * 10))) g;"
    sleep 0.05
  done ) &
WRITER=$!

# summary WAREHOUSE-TABLE KEY: "rows, sum of a hash of every row" of the lake table
lake_sum() {
  "$PGPAIMON" table scan --warehouse "$WH" "lakehouse.$1" 2>/dev/null | python3 -c '
import hashlib, json, sys
n = 0; h = 0
for line in sys.stdin:
    r = json.loads(line)
    n += 1
    h += int(hashlib.md5(json.dumps(r, sort_keys=True).encode()).hexdigest()[:12], 16)
print(n, h)'
}
pg_sum() {
  psql_q "SELECT row_to_json(t) FROM $1 t" | python3 -c '
import decimal, hashlib, json, sys
n = 0; h = 0
for line in sys.stdin:
    r = json.loads(line, parse_float=decimal.Decimal)
    n += 1
    h += int(hashlib.md5(json.dumps(r, sort_keys=True, default=str).encode()).hexdigest()[:12], 16)
print(n, h)'
}
wait_same() {
  for _ in $(seq 1 150); do [ "$(lake_sum "$1" | cut -d" " -f1)" = "$(psql_q "SELECT count(*) FROM $1")" ] && return 0; sleep 0.1; done
  cat "$TEST_TMP/sync.log" >&2
  fail "lakehouse.$1 row count differs: $(lake_sum "$1") vs $(psql_q "SELECT count(*) FROM $1")"
}
wait $WRITER
for t in big tkeys nokey products customers orders order_items inventory; do
  wait_same $t
done
grep -q "over 3 connections" "$TEST_TMP/sync.log" || { cat "$TEST_TMP/sync.log" >&2; fail "the copy did not use 3 connections"; }
for t in big tkeys nokey; do
  grep -q "snapshot of public.$t: .* (3 ranges)" "$TEST_TMP/sync.log" || fail "$t was not copied in 3 ranges"
done
ok "eight tables copied over 3 connections, big, tkeys and nokey (no primary key) in 3 ranges each"

# every row, not only the count: big, tkeys and nokey have only int/bigint/text columns, whose JSON
# is the same in both; the sample tables are compared on their keys and counts
for t in big tkeys nokey; do
  for _ in $(seq 1 50); do [ "$(pg_sum $t)" = "$(lake_sum $t)" ] && break; sleep 0.1; done
  assert_eq "$(pg_sum $t)" "$(lake_sum $t)" "lakehouse.$t equals PostgreSQL row for row"
done
keys_lake=$("$PGPAIMON" table scan --warehouse "$WH" lakehouse.order_items | python3 -c '
import json, sys; print(sorted("%s/%s" % (r["order_id"], r["line_number"]) for r in map(json.loads, sys.stdin)))')
keys_pg=$(psql_q "SELECT order_id || '/' || line_number FROM order_items" | python3 -c '
import sys; print(sorted(l.strip() for l in sys.stdin))')
assert_eq "$keys_pg" "$keys_lake" "order_items keys (composite) equal PostgreSQL"
psql_q "UPDATE big SET payload = 'after' WHERE id <= 10"
for _ in $(seq 1 50); do [ "$(pg_sum big)" = "$(lake_sum big)" ] && break; sleep 0.1; done
assert_eq "$(pg_sum big)" "$(lake_sum big)" "changes after the snapshot stream in"
kill -TERM $SYNC; wait $SYNC

# SIGINT during the initial snapshot: the copy stops, the job exits 0 with a line saying so,
# and the next start takes the snapshot again. The signal goes out as soon as the job says the
# copy begins; a table of 1.5M rows keeps the copy busy far longer than that takes. (A lock
# held on the table cannot do it: creating the slot waits for the locking transaction.)
WH2=$TEST_TMP/paimon2
SLOT2=sync_par_int
on_exit "psql_q \"SELECT pg_drop_replication_slot('$SLOT2') FROM pg_replication_slots WHERE slot_name = '$SLOT2' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE huge (id bigint PRIMARY KEY, v int);
        INSERT INTO huge SELECT g, g % 1000 FROM generate_series(1, 1500000) g; ANALYZE huge;"
start2() {
  "$PGPAIMON" postgres_sync_table --warehouse "$WH2" --database lakehouse \
      --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
      --postgres_conf username=postgres --postgres_conf password=postgres \
      --postgres_conf database-name=sync_par --postgres_conf schema-name=public \
      --postgres_conf table-name=huge --postgres_conf slot.name=$SLOT2 --parallelism 2 \
      >>"$TEST_TMP/sync2.log" 2>&1 &
  SYNC=$!
}
start2
for _ in $(seq 1 1000); do grep -q "initial snapshot: " "$TEST_TMP/sync2.log" && break; sleep 0.02; done
kill -INT $SYNC
rc=0; wait $SYNC || rc=$?
assert_eq 0 "$rc" "SIGINT during the initial snapshot: exit status"
grep -q "stopped during the initial snapshot" "$TEST_TMP/sync2.log" || { cat "$TEST_TMP/sync2.log" >&2; fail "no line about the stopped snapshot"; }
start2
want=$(psql_q "SELECT count(*) || '/' || sum(v) FROM huge")
lake_huge() { "$PGPAIMON" sql --warehouse "$WH2" --output csv -e "SELECT COUNT(*) || '/' || SUM(v) AS s FROM lakehouse.huge" 2>/dev/null | tail -n 1; }
for _ in $(seq 1 300); do [ "$(lake_huge)" = "$want" ] && break; sleep 0.2; done
assert_eq "$want" "$(lake_huge)" "the next start takes the whole snapshot again"
kill -TERM $SYNC; wait $SYNC
