#!/usr/bin/env bash
# examples/: the guide's two Java jobs and its inventory-aware query redone in
# C on the public API, run on a warehouse synced from the sample database plus
# a basket_analysis.basket_patterns table written with CREATE TABLE and INSERT.
source "$(dirname "$0")/lib.sh"
fresh_db examples_db ecommerce
WH=$TEST_TMP/paimon
EX=$(dirname "$PGPAIMON")/examples
SLOT=examples_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=examples_db --postgres_conf schema-name=public \
    --postgres_conf 'table-name=products|inventory' --postgres_conf slot.name=$SLOT >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
for _ in $(seq 1 100); do
  [ -d "$WH/lakehouse.db/products/snapshot" ] && [ -d "$WH/lakehouse.db/inventory/snapshot" ] && break
  sleep 0.1
done
kill -TERM $SYNC; wait $SYNC

# pattern mining output: antecedents -> consequent with confidence and support
"$PGPAIMON" sql --warehouse "$WH" >/dev/null <<SQL
CREATE DATABASE IF NOT EXISTS basket_analysis;
CREATE TABLE basket_analysis.basket_patterns (
  antecedents STRING, consequent STRING, confidence DOUBLE, support DOUBLE,
  PRIMARY KEY (antecedents, consequent) NOT ENFORCED);
INSERT INTO basket_analysis.basket_patterns VALUES
  ('prod_001', 'prod_003', 0.91, 0.20),
  ('prod_001', 'prod_008', 0.72, 0.12),
  ('prod_005', 'prod_031', 0.66, 0.05),
  ('prod_009', 'prod_002', 0.55, 0.07),
  ('prod_010', 'prod_004', 0.30, 0.02);
SQL

# 1. the Table API example: electronics products
"$EX/electronics_products" "$WH" >"$TEST_TMP/electronics.out" 2>/dev/null || fail "electronics_products failed"
want=$(psql_q "SELECT count(*) FROM products WHERE category = 'electronics'" examples_db)
assert_eq "$want" "$(grep -c '^ProductInfo{' "$TEST_TMP/electronics.out")" "electronics_products lists every electronics product"
p1=$(psql_q "SELECT 'ProductInfo{productId=' || product_id || ', name=' || product_name || ', price=' || price || '}' FROM products WHERE product_id = 'prod_001'" examples_db)
grep -qxF "$p1" "$TEST_TMP/electronics.out" || fail "prod_001 is not printed as $p1"
ok "electronics_products: typed rows with the price as a double"

# 2. EnrichedRecommendationJob
"$EX/enriched_recommendation_job" "$WH" >"$TEST_TMP/enriched.out" || fail "enriched_recommendation_job failed"
expected=$(psql_q "SELECT 'EnrichedRecommendation{productId=' || p.c || ', name=' || pd.product_name || ', price=' || pd.price || ', confidence=' || to_char(p.conf, 'FM0.00') || '}'
  FROM (VALUES ('prod_003', 0.91), ('prod_008', 0.72), ('prod_031', 0.66), ('prod_002', 0.55)) p(c, conf)
  JOIN products pd ON pd.product_id = p.c WHERE pd.is_active ORDER BY p.conf DESC" examples_db)
assert_eq "$expected" "$(cat "$TEST_TMP/enriched.out")" "EnrichedRecommendationJob: patterns joined with active products, by confidence"

# 3. the inventory-aware query
"$EX/inventory_aware_recommendations" "$WH" >"$TEST_TMP/inventory.out" || fail "inventory_aware_recommendations failed"
expected=$(psql_q "SELECT count(*) FROM (VALUES ('prod_003', 0.91), ('prod_008', 0.72), ('prod_031', 0.66)) p(c, conf)
  JOIN products pd ON pd.product_id = p.c JOIN inventory i ON i.product_id = p.c
  WHERE i.quantity_available > 0 AND pd.is_active" examples_db)
assert_eq "$expected" "$(($(wc -l <"$TEST_TMP/inventory.out") - 1))" "inventory-aware recommendations: in stock only"
