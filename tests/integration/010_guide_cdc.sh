#!/usr/bin/env bash
# The guide's "Testing CDC End-to-End" with pgpaimon in place of Flink: start
# `pgpaimon postgres_sync_table` with the guide's arguments, check the initial
# snapshot (44 products), then the INSERT of prod_test_001, the UPDATE to
# 79.99 and the DELETE, each visible in the lake within 3 seconds; then the
# guide's schema-evolution example (ADD COLUMN sku); SIGTERM exits 0.
source "$(dirname "$0")/lib.sh"
fresh_db guide_cdc ecommerce
WH=$TEST_TMP/paimon

"$PGPAIMON" postgres_sync_table \
    --warehouse "$WH" \
    --database lakehouse \
    --table products \
    --postgres_conf hostname=localhost \
    --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres \
    --postgres_conf password=postgres \
    --postgres_conf database-name=guide_cdc \
    --postgres_conf schema-name=public \
    --postgres_conf table-name=products \
    --postgres_conf slot.name=guide_cdc_slot \
    --catalog_conf metastore=filesystem \
    --catalog_conf warehouse="$WH" >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
on_exit "kill -9 $SYNC 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('guide_cdc_slot') FROM pg_replication_slots WHERE slot_name = 'guide_cdc_slot' AND NOT active\" postgres >/dev/null"

lake() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.products 2>/dev/null; }
# lake_has PATTERN: some lake row matches (reads the whole scan: no SIGPIPE under pipefail)
lake_has() { local rows; rows=$(lake); grep -q "$1" <<<"$rows"; }

# wait_for DESCRIPTION COMMAND...: poll up to 3 s (after the job is up) for COMMAND to succeed
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 30); do
    if "$@"; then ok "$what"; return 0; fi
    sleep 0.1
  done
  cat "$TEST_TMP/sync.log" >&2
  fail "$what: not in the lake within 3 s"
}

has_rows() { [ "$(lake | wc -l)" = "$1" ]; }
for _ in $(seq 1 100); do has_rows 44 && break; sleep 0.1; done
assert_eq 44 "$(lake | wc -l)" "initial snapshot has the 44 products"

psql_q "INSERT INTO products (product_id, product_name, category, subcategory, brand, price, cost)
        VALUES ('prod_test_001', 'Test Product', 'electronics', 'test', 'TestBrand', 99.99, 50.00);"
inserted() { lake_has '"product_id":"prod_test_001".*"price":"99.99"'; }
wait_for "INSERT of prod_test_001" inserted

psql_q "UPDATE products SET price = 79.99 WHERE product_id = 'prod_test_001';"
updated() { lake_has '"product_id":"prod_test_001".*"price":"79.99"'; }
wait_for "UPDATE to 79.99" updated

psql_q "DELETE FROM products WHERE product_id = 'prod_test_001';"
deleted() { ! lake_has prod_test_001; }
wait_for "DELETE of prod_test_001" deleted
assert_eq 44 "$(lake | wc -l)" "back to 44 products"

psql_q "ALTER TABLE products ADD COLUMN sku VARCHAR(50);"
in_schema() { "$PGPAIMON" table schema --warehouse "$WH" lakehouse.products | grep -q 'sku  *VARCHAR(50)'; }
for _ in $(seq 1 50); do in_schema && break; sleep 0.1; done
in_schema || fail "ADD COLUMN sku is not in the lake schema within 5 s (before any row uses it)"
ok "ADD COLUMN reaches the lake schema before a row uses it"
psql_q "UPDATE products SET sku = 'SKU-' || product_id WHERE sku IS NULL;"
evolved() { [ "$(lake | grep -c '"sku":"SKU-prod_')" = 44 ]; }
wait_for "ADD COLUMN sku with every row's value" evolved
"$PGPAIMON" table schema --warehouse "$WH" lakehouse.products | grep -q 'sku  *VARCHAR(50)' \
  || fail "sku is not in the lake schema"

# every row equals PostgreSQL's (id, price, sku)
expected=$(psql_q "SELECT product_id || ' ' || price || ' ' || sku FROM products ORDER BY 1")
actual=$(lake | python3 -c '
import json, sys
rows = sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["product_id"])
for r in rows: print(r["product_id"], r["price"], r["sku"])')
assert_eq "$expected" "$actual" "lake rows equal PostgreSQL rows"

"$PGPAIMON" table check --warehouse "$WH" lakehouse.products >/dev/null \
  || fail "table check found violations"

kill -TERM $SYNC
wait $SYNC
assert_eq 0 $? "SIGTERM: the job finished its commit and exited 0"
