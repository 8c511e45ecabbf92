#!/usr/bin/env bash
# The guide's SQL client blocks, verbatim (with `pgpaimon sql` in place of
# $FLINK_HOME/bin/sql-client.sh), against tables synced from the sample
# database while the sync runs: counts, the ORDER BY price query, the
# products x inventory join, time travel, products$snapshots, SHOW CREATE
# TABLE, DESCRIBE, ALTER TABLE ... SET with the guide's options, and the
# Testing-CDC checks through SQL.
source "$(dirname "$0")/lib.sh"
fresh_db guide_sql ecommerce
WH=$TEST_TMP/paimon
SLOT=guide_sql_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=guide_sql --postgres_conf schema-name=public \
    --postgres_conf table-name='products|customers|orders|inventory' \
    --postgres_conf slot.name=$SLOT \
    --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!

sqlc() { "$PGPAIMON" sql "$@" 2>&1; }
CAT="CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '$WH');
USE CATALOG paimon_catalog;"
last_csv() { sqlc --output csv <<<"$CAT
$1" | tail -n 1; }
count_products() { last_csv "SELECT COUNT(*) as product_count FROM lakehouse.products;"; }
for _ in $(seq 1 100); do [ "$(count_products)" = 44 ] && [ -d "$WH/lakehouse.db/inventory/snapshot" ] && break; sleep 0.1; done
assert_eq 44 "$(count_products)" "Verify Initial Snapshot: 44 products"

out=$(sqlc <<SQL
CREATE CATALOG paimon_catalog WITH (
  'type' = 'paimon',
  'warehouse' = '$WH'
);

USE CATALOG paimon_catalog;

-- List databases
SHOW DATABASES;

-- Use lakehouse database
USE lakehouse;

-- List tables
SHOW TABLES;

-- Query products (synced from PostgreSQL)
SELECT product_id, product_name, category, price
FROM products
ORDER BY price DESC
LIMIT 10;

-- Join with inventory
SELECT
    p.product_name,
    p.category,
    p.price,
    i.quantity_available,
    i.quantity_reserved
FROM products p
JOIN inventory i ON p.product_id = i.product_id
WHERE i.quantity_available < 20
ORDER BY i.quantity_available ASC;

-- Time-travel query (if you made changes)
SELECT COUNT(*) as product_count
FROM products
FOR SYSTEM_TIME AS OF TIMESTAMP '2025-01-20 10:00:00';
SQL
)
grep -q "lakehouse" <<<"$out" || fail "SHOW DATABASES: $out"
for t in customers inventory orders products; do grep -q " $t |" <<<"$out" || fail "SHOW TABLES lacks $t: $out"; done
top=$(psql_q "SELECT product_id FROM products ORDER BY price DESC LIMIT 1")
grep -q "$top" <<<"$out" || fail "ORDER BY price DESC does not list $top"
low=$(psql_q "SELECT count(*) FROM inventory WHERE quantity_available < 20")
grep -q "^$low rows in set" <<<"$out" || fail "the join should list $low low-stock products: $out"
grep -q "^10 rows in set" <<<"$out" || fail "LIMIT 10: $out"
ok "the guide's catalog, SHOW, ORDER BY and join blocks"
tt=$(last_csv "SELECT COUNT(*) as product_count FROM lakehouse.products FOR SYSTEM_TIME AS OF TIMESTAMP '2025-01-20 10:00:00';")
assert_eq 0 "$tt" "time travel to 2025-01-20 (before the table existed): 0 products"

meta=$(sqlc <<SQL
$CAT
SELECT * FROM lakehouse.products\$snapshots;
SHOW CREATE TABLE lakehouse.products;
DESCRIBE lakehouse.products;
SQL
)
grep -q "snapshot_id" <<<"$meta" && grep -q "APPEND" <<<"$meta" || fail "products\$snapshots: $meta"
grep -q 'PRIMARY KEY (`product_id`) NOT ENFORCED' <<<"$meta" || fail "SHOW CREATE TABLE: $meta"
grep -q "product_name" <<<"$meta" || fail "DESCRIBE"
ok "products\$snapshots, SHOW CREATE TABLE, DESCRIBE"

alter=$(sqlc <<SQL
$CAT
ALTER TABLE lakehouse.products SET (
    'compaction.min.file-num' = '3',
    'compaction.max.file-num' = '20',
    'snapshot.num-retained.min' = '5'
);
SHOW CREATE TABLE lakehouse.products;
SQL
)
grep -q "'snapshot.num-retained.min' = '5'" <<<"$alter" || fail "ALTER TABLE SET: $alter"
ok "ALTER TABLE ... SET with the guide's options"

psql_q "INSERT INTO products (product_id, product_name, category, subcategory, brand, price, cost)
        VALUES ('prod_test_001', 'Test Product', 'electronics', 'test', 'TestBrand', 99.99, 50.00);"
q1() { last_csv "SELECT product_id, price FROM lakehouse.products WHERE product_id = 'prod_test_001';"; }
for _ in $(seq 1 30); do [ "$(q1)" = "prod_test_001,99.99" ] && break; sleep 0.1; done
assert_eq "prod_test_001,99.99" "$(q1)" "the INSERT through SQL within 3 s"
psql_q "UPDATE products SET price = 79.99 WHERE product_id = 'prod_test_001';"
for _ in $(seq 1 30); do [ "$(q1)" = "prod_test_001,79.99" ] && break; sleep 0.1; done
assert_eq "prod_test_001,79.99" "$(q1)" "the UPDATE through SQL within 3 s (after the ALTER)"
psql_q "DELETE FROM products WHERE product_id = 'prod_test_001';"
q2() { last_csv "SELECT COUNT(*) FROM lakehouse.products WHERE product_id = 'prod_test_001';"; }
for _ in $(seq 1 30); do [ "$(q2)" = 0 ] && break; sleep 0.1; done
assert_eq 0 "$(q2)" "the DELETE through SQL within 3 s"
kill -TERM $SYNC; wait $SYNC

# $files and $manifests against the files on disk
sqlc --output json <<<"$CAT
SELECT file_path, file_size_in_bytes, record_count FROM lakehouse.products\$files;" \
  | grep '^{' >"$TEST_TMP/files.jsonl"
python3 - "$TEST_TMP/files.jsonl" <<'PY' || fail "\$files does not match the files on disk"
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows, "no files"
for r in rows:
    assert os.path.getsize(r["file_path"]) == r["file_size_in_bytes"], r
PY
ok "\$files: every live data file exists with its exact size"
live=$(wc -l <"$TEST_TMP/files.jsonl")
net=$(last_csv "SELECT SUM(num_added_files) - SUM(num_deleted_files) FROM lakehouse.products\$manifests;")
assert_eq "$live" "$net" "\$manifests: added minus deleted files equals the live files"
