#!/usr/bin/env bash
# `pgpaimon status` while a sync runs: every field of the slot line is
# checked against pg_replication_slots, every field of the lake table line
# against the lake (snapshot id and time, row count, stored source LSN) and
# the server (lag in bytes from pg_current_wal_lsn, lag seconds);
# `pgpaimon drop_slot` refuses the active slot naming its PID, and drops it
# once the sync has stopped.
source "$(dirname "$0")/lib.sh"
fresh_db sync_stat ecommerce
WH=$TEST_TMP/paimon
SLOT=sync_stat_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"
conf=(--postgres_conf hostname=localhost --postgres_conf port="$PGPORT"
      --postgres_conf username=postgres --postgres_conf password=postgres
      --postgres_conf database-name=sync_stat)

"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lakehouse --table products \
    "${conf[@]}" --postgres_conf schema-name=public --postgres_conf table-name=products \
    --postgres_conf slot.name=$SLOT >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!
count() { "$PGPAIMON" table scan --warehouse "$WH" lakehouse.products 2>/dev/null | wc -l; }
for _ in $(seq 1 100); do [ "$(count)" = 44 ] && break; sleep 0.1; done
assert_eq 44 "$(count)" "the sync is running"
psql_q "UPDATE products SET price = price + 1 WHERE product_id = 'prod_001'"
for _ in $(seq 1 50); do
  [ "$("$PGPAIMON" table snapshots --warehouse "$WH" lakehouse.products 2>/dev/null | wc -l)" -ge 3 ] && break
  sleep 0.1
done

out=$("$PGPAIMON" status "${conf[@]}" --warehouse "$WH") || fail "status failed: $out"
echo "$out"
wal_after=$(psql_q "SELECT pg_current_wal_lsn()")

# ---- the slot line: slot plugin active pid restart_lsn confirmed wal_retained wal_status ----
line=$(grep -E "^  $SLOT " <<<"$out") || fail "no line for slot $SLOT"
read -r s_name s_plugin s_active s_pid s_restart s_confirmed s_retained s_walstatus <<<"$line"
IFS='|' read -r p_plugin p_pid p_restart p_confirmed p_walstatus <<<"$(psql_q "SELECT plugin, active_pid, restart_lsn, confirmed_flush_lsn, wal_status FROM pg_replication_slots WHERE slot_name = '$SLOT'")"
assert_eq "$SLOT" "$s_name" "status: slot name"
assert_eq "pgoutput" "$s_plugin" "status: plugin"
assert_eq "$p_plugin" "$s_plugin" "status: plugin equals pg_replication_slots"
assert_eq "yes" "$s_active" "status: the running sync's slot is active"
assert_eq "$p_pid" "$s_pid" "status: pid equals pg_replication_slots.active_pid"
[ -n "$s_pid" ] && alive "$s_pid" || fail "status: pid $s_pid is not a live process"
assert_eq "$p_walstatus" "$s_walstatus" "status: wal_status equals pg_replication_slots"
# restart and confirmed LSN move while the sync runs; they never exceed the current WAL and
# never go back, so status's values lie between the earlier and the later reading
lsn_le() { [ "$(psql_q "SELECT '$1'::pg_lsn <= '$2'::pg_lsn")" = t ]; }
lsn_le "$s_restart" "$p_restart" || fail "status restart_lsn $s_restart is after the later $p_restart"
lsn_le "$s_confirmed" "$p_confirmed" || fail "status confirmed $s_confirmed is after the later $p_confirmed"
lsn_le "$s_restart" "$s_confirmed" || fail "restart_lsn $s_restart is after confirmed $s_confirmed"
ok "status: restart_lsn $s_restart and confirmed $s_confirmed consistent with pg_replication_slots"
retained_max=$(psql_q "SELECT pg_wal_lsn_diff('$wal_after', '$s_restart')::bigint")
[ "$s_retained" -ge 0 ] && [ "$s_retained" -le "$retained_max" ] ||
  fail "status wal_retained $s_retained not in [0, $retained_max] (current WAL minus restart_lsn)"
ok "status: wal_retained $s_retained bytes = current WAL - restart_lsn"

# ---- the lake line: snapshot ID time T rows R records N slot S source LSN L lag B bytes, X s ----
line=$(grep -E "^  lakehouse.products " <<<"$out") || fail "no line for lakehouse.products"
re='snapshot ([0-9]+) +time ([0-9T:.-]+Z) rows ([0-9]+) +records ([0-9]+) +slot ([a-z_]+) source LSN ([0-9A-F/]+) lag ([0-9]+) bytes, ([0-9.]+) s'
[[ $line =~ $re ]] || fail "lake line does not parse: $line"
t_snap=${BASH_REMATCH[1]} t_time=${BASH_REMATCH[2]} t_live=${BASH_REMATCH[3]} t_rows=${BASH_REMATCH[4]}
t_slot=${BASH_REMATCH[5]} t_lsn=${BASH_REMATCH[6]} t_lag=${BASH_REMATCH[7]} t_lag_s=${BASH_REMATCH[8]}
snap_json=$(ls "$WH/lakehouse.db/products/snapshot/" | grep -E '^snapshot-[0-9]+$' | sort -t- -k2 -n | tail -n 1)
read -r j_id j_time j_rows j_lsn <<<"$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["id"], s["timeMillis"], s["totalRecordCount"], s["properties"]["pgpaimon.source.end-lsn"])' "$WH/lakehouse.db/products/snapshot/$snap_json")"
assert_eq "$j_id" "$t_snap" "status: latest snapshot id equals the lake's"
assert_eq "$(python3 -c 'import datetime, sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1]) / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")' "$j_time")" \
  "$t_time" "status: snapshot time equals the lake's timeMillis"
assert_eq "$(psql_q "SELECT count(*) FROM products")" "$t_live" "status: row count equals PostgreSQL's"
assert_eq "$j_rows" "$t_rows" "status: record count equals the lake snapshot's totalRecordCount"
# totalRecordCount counts records in the data files, so the UPDATE's new version is counted
# until a compaction merges it: 44 rows + 1 update record
assert_eq "$(psql_q "SELECT count(*) + 1 FROM products")" "$t_rows" "status: records are 44 rows + 1 update record"
assert_eq "$SLOT" "$t_slot" "status: the table's slot"
assert_eq "$j_lsn" "$t_lsn" "status: source LSN equals the lake snapshot's"
# lag bytes: current WAL minus the later of the stored LSN and the slot's confirmed LSN
at=$(psql_q "SELECT greatest('$t_lsn'::pg_lsn, '$s_confirmed'::pg_lsn)")
lag_max=$(psql_q "SELECT pg_wal_lsn_diff('$wal_after', '$at')::bigint")
[ "$t_lag" -ge 0 ] && [ "$t_lag" -le "$lag_max" ] || fail "status lag $t_lag not in [0, $lag_max]"
python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 0 <= v < 60 else 1)' "$t_lag_s" ||
  fail "status lag seconds $t_lag_s out of range"
ok "status: lag $t_lag bytes, $t_lag_s s"

# ---- drop_slot ----
rc=0
msg=$("$PGPAIMON" drop_slot $SLOT "${conf[@]}" 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "drop_slot dropped an active slot"
grep -q "$s_pid" <<<"$msg" || fail "drop_slot does not name the PID $s_pid: $msg"
grep -qi "in use" <<<"$msg" || fail "drop_slot does not say the slot is in use: $msg"
assert_eq 1 "$(psql_q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" \
  "drop_slot refused the active slot, naming PID $s_pid ($(head -n 1 <<<"$msg" | cut -c1-100))"
kill -TERM $SYNC; wait $SYNC
"$PGPAIMON" drop_slot $SLOT "${conf[@]}" || fail "drop_slot of the stopped sync's slot failed"
assert_eq 0 "$(psql_q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" \
  "drop_slot drops the slot once the sync stopped"
out=$("$PGPAIMON" status "${conf[@]}" --warehouse "$WH")
grep -q "^  $SLOT " <<<"$out" && fail "status still lists the dropped slot"
ok "status no longer lists it"
