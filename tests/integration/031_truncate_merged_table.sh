#!/usr/bin/env bash
# postgres_sync_table --table T with a table-name regex merges several source tables
# into one lake table (the reference's sharding use). A TRUNCATE of one of them must
# not empty the rows the others put there; a TRUNCATE of all of them empties it.
source "$(dirname "$0")/lib.sh"
fresh_db sync_trunc_merged
WH=$TEST_TMP/paimon
SLOT=trunc_merged_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE shard_a (id int PRIMARY KEY, v text);
        CREATE TABLE shard_b (id int PRIMARY KEY, v text);
        INSERT INTO shard_a VALUES (1, 'a1'), (2, 'a2');
        INSERT INTO shard_b VALUES (11, 'b1'), (12, 'b2');"
"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse --table merged \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_trunc_merged --postgres_conf schema-name=public \
    --postgres_conf table-name='shard_.*' --postgres_conf slot.name=$SLOT \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
ids() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.merged 2>/dev/null | jq -r .id | sort -n | tr '\n' ' ' | sed 's/ $//'; }
wait_ids() { for _ in $(seq 1 100); do [ "$(ids)" = "$1" ] && break; sleep 0.1; done; assert_eq "$1" "$(ids)" "$2"; }
wait_ids "1 2 11 12" "both shards in the merged table"
psql_q "TRUNCATE shard_a; INSERT INTO shard_b VALUES (13, 'b3');"
wait_ids "1 2 11 12 13" "TRUNCATE of one shard leaves the merged table's rows (and a warning)"
grep -q "TRUNCATE of public.shard_a ignored" "$TEST_TMP/sync.log" || fail "no warning: $(tail -n 3 "$TEST_TMP/sync.log")"
ok "the ignored TRUNCATE is logged"
psql_q "TRUNCATE shard_a, shard_b; INSERT INTO shard_b VALUES (14, 'b4');"
wait_ids "14" "TRUNCATE of every shard empties the merged table"
kill -TERM $SYNC; wait $SYNC
