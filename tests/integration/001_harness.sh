#!/usr/bin/env bash
# tests/integration/001_harness.sh
#
# The local PostgreSQL harness (scripts/pg-local.sh) on a private cluster:
# start prints and writes the conninfo, is idempotent, serves the sample
# (44 products, publication paimon_cdc over every table, every table with a
# primary key) with the CDC settings, checks passwords over TCP, and stop
# leaves no process, listening port or socket behind.
source "$(dirname "$0")/lib.sh"

dir=$TEST_TMP/pg
own() { PMN_PG_DIR=$dir "$PG_LOCAL" "$@"; }
on_exit "PMN_PG_DIR=$dir $PG_LOCAL destroy >/dev/null 2>&1"

conninfo=$(own start 2>/dev/null)
[[ $conninfo =~ ^host=127\.0\.0\.1\ port=([0-9]+)\ user=postgres\ password=postgres\ dbname=postgres$ ]] ||
  fail "start printed an unexpected conninfo: $conninfo"
port=${BASH_REMATCH[1]}
ok "start prints the conninfo (port $port)"
assert_eq "$conninfo" "$(cat "$dir/conninfo")" "conninfo file matches"
assert_eq "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGPASSWORD=postgres PGDATABASE=postgres" \
  "$(cat "$dir/env")" "env file matches"
assert_eq "$(cat "$dir/env")" "$(own env)" "env command prints the env file"
own status >/dev/null || fail "status after start"
ok "status exits 0 while running"
pid=$(head -n 1 "$dir/data/postmaster.pid")
assert_eq "$conninfo" "$(own start 2>/dev/null)" "a second start prints the same conninfo"
assert_eq "$pid" "$(head -n 1 "$dir/data/postmaster.pid")" "a second start keeps the same server"

own load-sample 2>/dev/null
q() { own psql -X -A -t -q -v ON_ERROR_STOP=1 -d "${2:-ecommerce}" -c "$1"; }
assert_eq 44 "$(q 'SELECT count(*) FROM products')" "44 products"
assert_eq "prod_001 prod_044" "$(q "SELECT min(product_id) || ' ' || max(product_id) FROM products")" "product ids prod_001..prod_044"
assert_eq t "$(q "SELECT puballtables FROM pg_publication WHERE pubname = 'paimon_cdc'")" "publication paimon_cdc is FOR ALL TABLES"
tables=$(q "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
assert_eq "customers inventory order_items orders products" "$tables" "the sample tables"
assert_eq "$tables" "$(q "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'paimon_cdc'")" \
  "paimon_cdc publishes every table"
assert_eq 0 "$(q "SELECT count(*) FROM pg_tables t WHERE schemaname = 'public' AND NOT EXISTS (
  SELECT FROM pg_constraint c WHERE c.conrelid = format('%I.%I', t.schemaname, t.tablename)::regclass AND c.contype = 'p')")" \
  "every table has a primary key"
assert_eq logical "$(q 'SHOW wal_level' postgres)" "wal_level"
assert_eq 10 "$(q 'SHOW max_replication_slots' postgres)" "max_replication_slots"
assert_eq 10 "$(q 'SHOW max_wal_senders' postgres)" "max_wal_senders"
assert_eq 127.0.0.1 "$(q 'SHOW listen_addresses' postgres)" "listens on 127.0.0.1 only"

tcp="host=127.0.0.1 port=$port user=postgres dbname=ecommerce"
assert_eq 1 "$(PGPASSWORD=postgres "$PG_BIN/psql" -X -A -t -d "$tcp" -c 'SELECT 1')" "password login over TCP"
if err=$(PGPASSWORD=wrong "$PG_BIN/psql" -X -A -t -d "$tcp" -c 'SELECT 1' 2>&1); then
  fail "a wrong password was accepted"
fi
[[ $err == *"password authentication failed"* ]] || fail "wrong password: unexpected error: $err"
ok "a wrong password is refused"
if err=$(env -u PGPASSWORD "$PG_BIN/psql" -w -X -A -t -d "$tcp" -c 'SELECT 1' 2>&1); then
  fail "a login without password was accepted over TCP"
fi
ok "no password, no login over TCP"

# A slot pins its database, and a running consumer pins the slot; load-sample
# must still reload.
q "SELECT 1 FROM pg_create_logical_replication_slot('it_001_slot', 'test_decoding')" >/dev/null
PGPASSWORD=postgres "$PG_BIN/pg_recvlogical" -d "$tcp" --slot it_001_slot --start -f /dev/null 2>/dev/null &
recv=$!
on_exit "kill $recv 2>/dev/null"
for _ in $(seq 1 50); do
  [ "$(q "SELECT active FROM pg_replication_slots WHERE slot_name = 'it_001_slot'" postgres)" = t ] && break
  sleep 0.1
done
assert_eq t "$(q "SELECT active FROM pg_replication_slots WHERE slot_name = 'it_001_slot'" postgres)" "a consumer streams from the slot"
own load-sample 2>/dev/null || fail "load-sample with a replication slot on ecommerce"
assert_eq 0 "$(q 'SELECT count(*) FROM pg_replication_slots' postgres)" "load-sample drops the old database's slots"
assert_eq 44 "$(q 'SELECT count(*) FROM products')" "44 products after reloading"

data=$(readlink -f "$dir/data")
sock=$(readlink -f "$dir/sock")
[ -S "$sock/.s.PGSQL.$port" ] || fail "no unix socket $sock/.s.PGSQL.$port while running"
[ -n "$(cluster_pids "$data")" ] || fail "no server process found while running"
own stop 2>/dev/null
if own status >/dev/null; then fail "status says running after stop"; fi
ok "status exits non-zero after stop"
if own env >/dev/null 2>&1; then fail "env succeeds while stopped"; fi
ok "env fails while stopped"
if alive "$pid"; then fail "postmaster $pid still alive"; fi
assert_eq "" "$(cluster_pids "$data")" "no server process left"
if port_open "$port"; then fail "port $port still accepts connections"; fi
ok "port $port closed"
assert_eq "" "$(ls -A "$sock")" "socket directory empty"
[ ! -e "$data/postmaster.pid" ] || fail "postmaster.pid left behind"
ok "postmaster.pid removed"
