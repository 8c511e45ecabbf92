#!/usr/bin/env bash
# A declaratively partitioned source table: its rows live in the partitions, and
# pgoutput names the partition in every change unless the publication has
# publish_via_partition_root. The sync must (a) create its publication with it,
# (b) set it on an existing one (the guide's FOR ALL TABLES paimon_cdc), and
# (c) restart on its own publication, and every change must reach the lake.
source "$(dirname "$0")/lib.sh"
fresh_db sync_parts
WH=$TEST_TMP/paimon
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'parts_%' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE meas (city int, logdate date, peak int, PRIMARY KEY (city, logdate)) PARTITION BY RANGE (logdate);
        CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE other (id int PRIMARY KEY);
        INSERT INTO meas VALUES (1, '2024-05-01', 10), (2, '2025-05-01', 20);
        CREATE PUBLICATION allpub FOR ALL TABLES;"
start_sync() { # SLOT PUBLICATION
  "$PGPAIMON" postgres_sync_database --warehouse "$WH" --database lake \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_parts --postgres_conf schema-name=public \
    --postgres_conf slot.name="$1" --postgres_conf publication.name="$2" \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >>"$TEST_TMP/sync.log" 2>&1 &
  SYNC=$!
}
lake() { "$PGPAIMON" table scan --warehouse "$WH" lake.meas 2>/dev/null | jq -c '[.city, .logdate, .peak]' | sort | tr '\n' ' '; }
pg() { psql_q "SELECT json_build_array(city, logdate, peak) FROM meas" | tr -d ' ' | sort | tr '\n' ' '; }
wait_equal() {
  for _ in $(seq 1 100); do [ "$(lake)" = "$(pg)" ] && break; sleep 0.1; done
  assert_eq "$(pg)" "$(lake)" "$1"
}
change() {
  psql_q "INSERT INTO meas VALUES ($1, '2024-07-01', $1), ($(($1 + 1)), '2025-07-01', $1);
          UPDATE meas SET peak = peak + 1 WHERE city = 1;
          UPDATE meas SET logdate = '2025-02-02' WHERE city = $1;
          DELETE FROM meas WHERE city = 2;"
}

# (a) no publication yet: created with publish_via_partition_root
start_sync parts_a parts_pub
wait_equal "initial snapshot of a partitioned table"
assert_eq "meas other" "$("$PGPAIMON" table list --warehouse "$WH" lake | tr '\n' ' ' | sed 's/ $//')" "no lake table per partition"
assert_eq t "$(psql_q "SELECT pubviaroot FROM pg_publication WHERE pubname = 'parts_pub'")" "publication created via root"
change 10
wait_equal "changes to partitions stream into the lake table"
# (c) a restart on the publication it created
kill -9 $SYNC; wait $SYNC 2>/dev/null || true
start_sync parts_a parts_pub
change 20
wait_equal "changes after a restart"
kill -0 $SYNC || fail "the restarted sync exited: $(tail -n 3 "$TEST_TMP/sync.log")"
kill -TERM $SYNC; wait $SYNC

# (b) an existing FOR ALL TABLES publication without publish_via_partition_root
rm -rf "$WH"
start_sync parts_b allpub
wait_equal "initial snapshot with a FOR ALL TABLES publication"
assert_eq t "$(psql_q "SELECT pubviaroot FROM pg_publication WHERE pubname = 'allpub'")" "existing publication set to publish via root"
change 30
wait_equal "changes to partitions stream through a FOR ALL TABLES publication"
assert_eq "meas other" "$("$PGPAIMON" table list --warehouse "$WH" lake | tr '\n' ' ' | sed 's/ $//')" "partitions did not join as tables"
kill -TERM $SYNC; wait $SYNC
if grep -q "meas_20" "$TEST_TMP/sync.log"; then fail "the log names a partition: $(grep meas_20 "$TEST_TMP/sync.log" | head -n 2)"; fi
ok "partitions are not considered as new tables"
