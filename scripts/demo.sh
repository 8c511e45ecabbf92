#!/usr/bin/env bash
# scripts/demo.sh (run by `make demo`)
#
# The guide end to end on the sample database: a local PostgreSQL
# (scripts/pg-local.sh, folder .pg-local) with ecommerce; `pgpaimon
# postgres_sync_table` syncs products, customers, orders and inventory into
# ./warehouse (the guide's Method 2); the demo prints the initial counts, runs
# the guide's INSERT, UPDATE and DELETE and shows each one arrive, adds the
# sku column, stops the sync cleanly, runs the guide's queries with
# `pgpaimon sql` and says how to query the lake.
set -euo pipefail
cd "$(dirname "$0")/.."

pg=scripts/pg-local.sh
PGPAIMON=${PGPAIMON:-build/pgpaimon}
WH=${PMN_DEMO_WAREHOUSE:-$PWD/warehouse}
conninfo=$(bash $pg start)
bash $pg load-sample
port=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' <<<"$conninfo")
q() { bash $pg psql -X -A -t -d ecommerce -c "$1"; }

# A fresh lake and slot each run: the sample database was just reloaded.
rm -rf "$WH"
q "SELECT pg_drop_replication_slot('demo_slot') FROM pg_replication_slots WHERE slot_name = 'demo_slot'" >/dev/null

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
lake() { "$PGPAIMON" table scan --warehouse "$WH" "lakehouse.$1" 2>/dev/null; }
count() { lake "$1" | wc -l; }
# wait_until DESCRIPTION COMMAND...: poll for up to 10 s
wait_until() {
  local what=$1; shift
  local t0; t0=$(date +%s%N)
  for _ in $(seq 1 100); do
    if "$@"; then
      printf '   %s: in the lake after %d ms\n' "$what" $((($(date +%s%N) - t0) / 1000000))
      return 0
    fi
    sleep 0.1
  done
  echo "   $what: NOT in the lake after 10 s (see $WH/../demo-sync.log)" >&2
  return 1
}

step "Start the sync (the guide's Method 2, with pgpaimon in place of flink run)"
cmd=("$PGPAIMON" postgres_sync_table
     --warehouse "$WH" --database lakehouse
     --postgres_conf hostname=localhost --postgres_conf port="$port"
     --postgres_conf username=postgres --postgres_conf password=postgres
     --postgres_conf database-name=ecommerce --postgres_conf schema-name=public
     --postgres_conf "table-name=products|customers|orders|inventory"
     --postgres_conf slot.name=demo_slot
     --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH")
printf '  '; printf ' %q' "${cmd[@]}"; echo
mkdir -p "$WH"
"${cmd[@]}" >"$WH/../demo-sync.log" 2>&1 &
SYNC=$!
trap 'kill $SYNC 2>/dev/null || true' EXIT
snapshot_done() { [ "$(count products)" -ge 44 ] && [ "$(count inventory)" -ge 1 ]; }
wait_until "initial snapshot" snapshot_done

step "Initial counts in the lake"
for t in products customers orders inventory; do
  printf '   lakehouse.%-10s %5d rows   (PostgreSQL: %s)\n' "$t" "$(count $t)" "$(q "SELECT count(*) FROM $t")"
done

step "INSERT prod_test_001 in PostgreSQL"
q "INSERT INTO products (product_id, product_name, category, subcategory, brand, price, cost)
   VALUES ('prod_test_001', 'Test Product', 'electronics', 'test', 'TestBrand', 99.99, 50.00)" >/dev/null
has() { local rows; rows=$(lake products); grep -q "$1" <<<"$rows"; }
inserted() { has '"product_id":"prod_test_001".*"price":"99.99"'; }
wait_until "INSERT" inserted

step "UPDATE its price to 79.99"
q "UPDATE products SET price = 79.99 WHERE product_id = 'prod_test_001'" >/dev/null
updated() { has '"product_id":"prod_test_001".*"price":"79.99"'; }
wait_until "UPDATE" updated

step "DELETE it"
q "DELETE FROM products WHERE product_id = 'prod_test_001'" >/dev/null
deleted() { ! has prod_test_001; }
wait_until "DELETE" deleted

step "Schema evolution: ALTER TABLE products ADD COLUMN sku"
q "ALTER TABLE products ADD COLUMN sku VARCHAR(50);
   UPDATE products SET sku = 'SKU-' || product_id WHERE sku IS NULL" >/dev/null
evolved() { [ "$(lake products | grep -c '"sku":"SKU-')" -ge 44 ]; }
wait_until "sku column with values" evolved
rows=$(lake products); sed -n '1s/^/   /p' <<<"$rows"

step "Snapshots of lakehouse.products"
snaps=$("$PGPAIMON" table snapshots --warehouse "$WH" lakehouse.products); cut -c1-100 <<<"$snaps" | sed 's/^/   /'

step "Stop the sync (SIGTERM: it finishes its commit and exits 0)"
kill -TERM $SYNC
wait $SYNC && echo "   stopped cleanly"
trap - EXIT

step "Query the lake with pgpaimon sql (the guide's Flink SQL, verbatim)"
"$PGPAIMON" sql <<SQL
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '$WH');
USE CATALOG paimon_catalog;
USE lakehouse;
SELECT product_id, product_name, category, price
FROM products
ORDER BY price DESC
LIMIT 5;
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
SQL

cat <<INFO

The lake is in $WH (a Paimon warehouse: Flink, Spark and Trino read it too).
Query it:
  $PGPAIMON table list --warehouse $WH lakehouse
  $PGPAIMON table scan --warehouse $WH lakehouse.products
  $PGPAIMON sql --warehouse $WH -e 'SELECT product_id, price FROM lakehouse.products ORDER BY price DESC LIMIT 10'
  $PGPAIMON sql --warehouse $WH          (an interactive prompt, as Flink's sql-client.sh)
Sync again (it resumes where it stopped):
  $(printf '%q ' "${cmd[@]}")
PostgreSQL: scripts/pg-local.sh psql -d ecommerce   (stop it with scripts/pg-local.sh stop)
INFO
