#!/usr/bin/env bash
# An incompatible column change in PostgreSQL stops the job with an error that
# names table, column, old and new type and the fix, leaving the lake as it
# was; with --ignore_incompatible (postgres_sync_database) the table is left
# out and the others go on.
source "$(dirname "$0")/lib.sh"
fresh_db sync_incompat ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_incompat_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
run() {
  "$PGPAIMON" postgres_sync_database --warehouse "$WH" --database lakehouse \
      --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
      --postgres_conf username=postgres --postgres_conf password=postgres \
      --postgres_conf database-name=sync_incompat --postgres_conf schema-name=public \
      --postgres_conf slot.name=$SLOT --including_tables 'customers|inventory' "$@" \
      >>"$TEST_TMP/sync.log" 2>&1 &
  SYNC=$!
}
run
for _ in $(seq 1 100); do [ -f "$WH/lakehouse.db/inventory/snapshot/snapshot-1" ] && [ -f "$WH/lakehouse.db/customers/snapshot/snapshot-1" ] && break; sleep 0.1; done
before=$(cd "$WH" && find . -name 'snapshot-*' | sort | xargs md5sum)
psql_q "ALTER TABLE customers ALTER COLUMN total_orders TYPE text USING total_orders::text;
        UPDATE customers SET total_orders = 'many' WHERE customer_id = (SELECT min(customer_id) FROM customers);"
for _ in $(seq 1 100); do alive $SYNC || break; sleep 0.1; done
rc=0; wait $SYNC || rc=$?
[ $rc -ne 0 ] || fail "the job kept running after an incompatible change"
msg=$(grep 'pgpaimon: error' "$TEST_TMP/sync.log" || true)
for want in customers total_orders "INT NOT NULL" STRING "--type_mapping to-string"; do
  grep -qF -- "$want" <<<"$msg" || fail "the error does not name $want: $msg"
done
grep -q . <<<"$msg" \
  || fail "the error does not name table, column, types and fix: $(tail -n 2 "$TEST_TMP/sync.log")"
ok "incompatible change: $(grep -o 'cannot change column.*' "$TEST_TMP/sync.log" | head -n 1)"
after=$(cd "$WH" && find . -name 'snapshot-*' | sort | xargs md5sum)
assert_eq "$before" "$after" "the lake is unchanged"

run --ignore_incompatible true
psql_q "UPDATE inventory SET quantity_on_hand = quantity_on_hand + 100 WHERE product_id = 'prod_001'"
want=$(psql_q "SELECT quantity_on_hand FROM inventory WHERE product_id = 'prod_001'")
got() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.inventory 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["product_id"] == "prod_001": print(r["quantity_on_hand"])'; }
for _ in $(seq 1 50); do [ "$(got)" = "$want" ] && break; sleep 0.1; done
assert_eq "$want" "$(got)" "--ignore_incompatible: the other table goes on"
grep -q "ignore_incompatible: public.customers is not synced" "$TEST_TMP/sync.log" || fail "no warning for the skipped table"
alive $SYNC || fail "the job stopped"
kill -TERM $SYNC; wait $SYNC
