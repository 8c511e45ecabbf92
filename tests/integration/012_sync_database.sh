#!/usr/bin/env bash
# The guide's Method 4 (`postgres_sync_database`): every table of the schema,
# one Paimon table each; --excluding_tables wins over --including_tables; a
# table created in PostgreSQL while the job runs joins the sync (publication
# FOR ALL TABLES, no --mode: pgpaimon's default picks it up) with every row, without a restart, and
# survives a restart.
source "$(dirname "$0")/lib.sh"
fresh_db sync_db ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_db_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

start_sync() {
  "$PGPAIMON" postgres_sync_database \
      --warehouse "$WH" --database lakehouse \
      --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
      --postgres_conf username=postgres --postgres_conf password=postgres \
      --postgres_conf database-name=sync_db --postgres_conf schema-name=public \
      --postgres_conf slot.name=$SLOT \
      --excluding_tables 'order_items' \
      --catalog_conf metastore=filesystem --catalog_conf warehouse="$WH" >>"$TEST_TMP/sync.log" 2>&1 &
  SYNC=$!
}
count() { local rows; rows=$("$PGPAIMON" table scan --warehouse "$WH" "lakehouse.$1" 2>/dev/null) || return 1; [ -z "$rows" ] && echo 0 || wc -l <<<"$rows"; }
wait_count() {
  for _ in $(seq 1 50); do [ "$(count "$1")" = "$2" ] && return 0; sleep 0.1; done
  cat "$TEST_TMP/sync.log" >&2
  fail "lakehouse.$1 does not have $2 rows (has $(count "$1"))"
}

start_sync
for t in products customers orders inventory; do
  wait_count $t "$(psql_q "SELECT count(*) FROM $t")"
done
ok "four tables synced with PostgreSQL's row counts"
tables=$("$PGPAIMON" table list --warehouse "$WH" lakehouse | tr '\n' ' ')
assert_eq "customers inventory orders products " "$tables" "order_items excluded"

psql_q "CREATE TABLE reviews (review_id int PRIMARY KEY, product_id text NOT NULL, stars int);
        INSERT INTO reviews SELECT g, 'prod_00' || (g % 9 + 1), g % 5 + 1 FROM generate_series(1, 25) g;"
wait_count reviews 25
ok "a table created while the job runs joins with every row"
psql_q "UPDATE reviews SET stars = 5 WHERE review_id <= 10; DELETE FROM reviews WHERE review_id > 20;"
wait_count reviews 20

kill -TERM $SYNC; wait $SYNC
psql_q "INSERT INTO reviews VALUES (100, 'prod_001', 4)"
start_sync
wait_count reviews 21
ok "the new table resumes after a restart"
stars=$("$PGPAIMON" table scan --warehouse "$WH" lakehouse.reviews | python3 -c '
import json, sys; print(sum(json.loads(l)["stars"] for l in sys.stdin))')
assert_eq "$(psql_q "SELECT sum(stars) FROM reviews")" "$stars" "reviews equal PostgreSQL"
kill -TERM $SYNC; wait $SYNC
