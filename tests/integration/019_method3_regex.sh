#!/usr/bin/env bash
# The guide's Method 3: --postgres_conf table-name='prod.*' (no --table) syncs
# every matching table into a Paimon table of its own name, and only those.
source "$(dirname "$0")/lib.sh"
fresh_db sync_regex ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_regex_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
psql_q "CREATE TABLE product_views (view_id bigint PRIMARY KEY, product_id text NOT NULL);
        INSERT INTO product_views SELECT g, 'prod_00' || (g % 9 + 1) FROM generate_series(1, 30) g;"
"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_regex --postgres_conf schema-name=public \
    --postgres_conf table-name='prod.*' --postgres_conf slot.name=$SLOT \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
count() { local r; r=$("$PGPAIMON" table scan --warehouse "$WH" "lakehouse.$1" 2>/dev/null) || { echo -1; return; }; grep -c . <<<"$r"; }
for _ in $(seq 1 100); do [ "$(count products)" = 44 ] && [ "$(count product_views)" = 30 ] && break; sleep 0.1; done
assert_eq 44 "$(count products)" "products synced"
assert_eq 30 "$(count product_views)" "product_views synced"
assert_eq "product_views products" "$("$PGPAIMON" table list --warehouse "$WH" lakehouse | tr '\n' ' ' | sed 's/ $//')" "only the tables matching prod.*"
psql_q "INSERT INTO product_views VALUES (31, 'prod_001')"
for _ in $(seq 1 30); do [ "$(count product_views)" = 31 ] && break; sleep 0.1; done
assert_eq 31 "$(count product_views)" "a change to a matched table streams"
kill -TERM $SYNC; wait $SYNC
