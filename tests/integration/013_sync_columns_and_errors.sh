#!/usr/bin/env bash
# The guide's computed column and metadata columns, then every bad
# invocation: each exits non-zero with a message naming the cause, and leaves
# the warehouse untouched.
source "$(dirname "$0")/lib.sh"
fresh_db sync_cols ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_cols_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'sync_cols%' AND NOT active\" postgres >/dev/null"

conf=(--postgres_conf hostname=localhost --postgres_conf port="$PGPORT"
      --postgres_conf username=postgres --postgres_conf password=postgres
      --postgres_conf database-name=sync_cols --postgres_conf schema-name=public)

"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse --table products \
    --computed_column 'price_category=CASE WHEN price < 50 THEN ''budget'' WHEN price < 200 THEN ''mid'' ELSE ''premium'' END' \
    --metadata_column table_name,database_name,schema_name,op_ts \
    --metadata_column '_op_type' --metadata_column '_event_timestamp' \
    "${conf[@]}" --postgres_conf table-name=products --postgres_conf slot.name=$SLOT \
    >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
lake() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.products 2>/dev/null; }
for _ in $(seq 1 100); do [ "$(lake | wc -l)" = 44 ] && break; sleep 0.1; done
assert_eq 44 "$(lake | wc -l)" "snapshot with computed and metadata columns"
check=$(lake | python3 -c '
import json, sys
bad = 0
for line in sys.stdin:
    r = json.loads(line)
    p = float(r["price"])
    want = "budget" if p < 50 else "mid" if p < 200 else "premium"
    ok = (r["price_category"] == want and r["table_name"] == "products"
          and r["database_name"] == "sync_cols" and r["schema_name"] == "public"
          and r["op_ts"].endswith("Z") and r["_op_type"] == "INSERT")
    bad += not ok
print(bad)')
assert_eq 0 "$check" "price_category and metadata values on every row"
psql_q "UPDATE products SET price = 10 WHERE product_id = 'prod_001'"
upd() { local r; r=$(lake); grep -q '"product_id":"prod_001".*"price_category":"budget".*"_op_type":"UPDATE"' <<<"$r"; }
for _ in $(seq 1 50); do upd && break; sleep 0.1; done
upd || fail "the UPDATE did not recompute price_category / _op_type"
ok "UPDATE recomputes the computed column and sets _op_type"
kill -TERM $SYNC; wait $SYNC

# ---- bad invocations: message, non-zero exit, warehouse unchanged ----
listing() { (cd "$1" && find . | sort && find . -type f | sort | xargs md5sum); }
before=$(listing "$WH")
expect_error() {
  local what=$1 pattern=$2; shift 2
  local out rc=0
  out=$("$PGPAIMON" "$@" 2>&1) || rc=$?
  [ $rc -ne 0 ] || fail "$what: exit status 0"
  grep -qi -- "$pattern" <<<"$out" || fail "$what: message does not match '$pattern': $out"
  ok "$what ($(head -n 1 <<<"$out" | cut -c1-110))"
}
base=(postgres_sync_table --warehouse "$WH" --database lakehouse)
expect_error "missing required key" "missing required --postgres_conf key.*slot.name" \
  "${base[@]}" "${conf[@]}" --postgres_conf table-name=products
expect_error "unknown flag" "unknown flag --tabel.*valid flags are" \
  "${base[@]}" --tabel products "${conf[@]}" --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x
expect_error "the guide's Method 3 pasted with its comment after the backslash" "blank argument after table-name=prod.\*.*backslash" \
  "${base[@]}" "${conf[@]}" --postgres_conf 'table-name=prod.*' ' '
expect_error "bad regex" "regular expression\|regex\|pattern" \
  "${base[@]}" "${conf[@]}" --postgres_conf 'table-name=prod(' --postgres_conf slot.name=sync_cols_x
expect_error "table that does not exist" "no table.*matches\|does not exist" \
  "${base[@]}" "${conf[@]}" --postgres_conf table-name=nosuchtable --postgres_conf slot.name=sync_cols_x
psql_q "CREATE TABLE nopk (a int, b text)"
expect_error "source table without a primary key" "no primary key.*--primary_keys" \
  "${base[@]}" --table nopk "${conf[@]}" --postgres_conf table-name=nopk --postgres_conf slot.name=sync_cols_y
expect_error "computed column that does not parse" "computed_column.*position" \
  "${base[@]}" --table products --computed_column 'x=price +* 2' "${conf[@]}" \
  --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_z
expect_error "unsupported decoding plugin" "decoding.plugin.name=wal2json is not supported" \
  "${base[@]}" "${conf[@]}" --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x \
  --postgres_conf decoding.plugin.name=wal2json
expect_error "wrong password" "password" \
  "${base[@]}" --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
  --postgres_conf username=postgres --postgres_conf password=wrong \
  --postgres_conf database-name=sync_cols --postgres_conf schema-name=public \
  --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x
expect_error "sync_database: unknown flag (--table is sync_table's)" "unknown flag --table.*valid flags are.*--including_tables" \
  postgres_sync_database --warehouse "$WH" --database lakehouse --table products "${conf[@]}" \
  --postgres_conf slot.name=sync_cols_x
expect_error "sync_database: bad --including_tables regex" "invalid.*pattern.*products(" \
  postgres_sync_database --warehouse "$WH" --database lakehouse --including_tables 'products(' \
  "${conf[@]}" --postgres_conf slot.name=sync_cols_x
expect_error "sync_database: bad --mode" "--mode must be divided or combined" \
  postgres_sync_database --warehouse "$WH" --database lakehouse --mode split \
  "${conf[@]}" --postgres_conf slot.name=sync_cols_x
expect_error "bad -D parallelism.default" "parallelism.default expects a positive number" \
  "${base[@]}" "${conf[@]}" --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x \
  -D parallelism.default=zero
expect_error "sync_database: missing required key" "missing required --postgres_conf key.*slot.name" \
  postgres_sync_database --warehouse "$WH" --database lakehouse "${conf[@]}"
expect_error "sync_database: no table matches" "no table.*matches" \
  postgres_sync_database --warehouse "$WH" --database lakehouse --including_tables 'nosuch.*' \
  "${conf[@]}" --postgres_conf slot.name=sync_cols_x
after=$(listing "$WH")
assert_eq "$before" "$after" "no bad invocation changed the warehouse"

# the same mistakes against a warehouse that does not exist yet: none of them creates it (the
# sources are checked before the lake is opened)
FRESH=$TEST_TMP/fresh
fresh=(postgres_sync_table --warehouse "$FRESH" --database lakehouse)
expect_error "fresh warehouse: missing required key" "missing required" \
  "${fresh[@]}" "${conf[@]}" --postgres_conf table-name=products
expect_error "fresh warehouse: bad regex" "pattern" \
  "${fresh[@]}" "${conf[@]}" --postgres_conf 'table-name=prod(' --postgres_conf slot.name=sync_cols_x
expect_error "fresh warehouse: table that does not exist" "no table.*matches" \
  "${fresh[@]}" "${conf[@]}" --postgres_conf table-name=nosuchtable --postgres_conf slot.name=sync_cols_x
expect_error "fresh warehouse: source table without a primary key" "no primary key" \
  "${fresh[@]}" --table nopk "${conf[@]}" --postgres_conf table-name=nopk --postgres_conf slot.name=sync_cols_y
expect_error "fresh warehouse: computed column that does not parse" "computed_column.*position" \
  "${fresh[@]}" --table products --computed_column 'x=price +* 2' "${conf[@]}" \
  --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_z
expect_error "fresh warehouse: unknown metadata column" "metadata_column op_time is not known" \
  "${fresh[@]}" --table products --metadata_column op_time "${conf[@]}" \
  --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_z
[ ! -e "$FRESH" ] || fail "a failed invocation created the warehouse: $(find "$FRESH")"
ok "no failed invocation created the warehouse"

mkdir -p "$TEST_TMP/ro" && chmod 555 "$TEST_TMP/ro"
if [ "$(id -u)" != 0 ]; then
  expect_error "warehouse that is not writable" "permission denied\|cannot create" \
    postgres_sync_table --warehouse "$TEST_TMP/ro/wh" --database lakehouse "${conf[@]}" \
    --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x
fi
expect_error "warehouse path that is a file" "not a directory\|cannot create" \
  postgres_sync_table --warehouse /etc/hostname/wh --database lakehouse "${conf[@]}" \
  --postgres_conf table-name=products --postgres_conf slot.name=sync_cols_x
left=$(psql_q "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'sync\\_cols\\_%' AND slot_name <> '$SLOT'")
assert_eq 0 "$left" "failed invocations left no replication slot behind"
