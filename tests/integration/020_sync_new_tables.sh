#!/usr/bin/env bash
# Tables created in PostgreSQL while postgres_sync_database runs (issue 6):
#  A. --mode combined, publication managed by pgpaimon (not FOR ALL TABLES):
#     the new table is added to the publication, snapshotted under a temporary
#     slot and streamed, while a writer keeps inserting, updating and deleting
#     rows in it through the pick-up; the lake ends equal to PostgreSQL.
#  B. --mode combined, a publication pgpaimon may not change
#     (debezium.publication.autocreate.mode=disabled, or owned by another role
#     than the job's): a warning names the table, the cause and the ALTER
#     PUBLICATION to run; once run, the table joins.
#  C. --mode divided (Paimon's default; pgpaimon's only when asked): the new table is not synced
#     while running (a log line says why); the next start snapshots it.
source "$(dirname "$0")/lib.sh"
fresh_db sync_new ecommerce
on_exit "kill -9 \${SYNC_A:-0} \${SYNC_B:-0} \${SYNC_C:-0} \${SYNC_D:-0} \${WRITER:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'sync_new%' AND NOT active\" postgres >/dev/null"

start_sync() { # NAME WAREHOUSE SLOT ARGS...
  local name=$1 wh=$2 slot=$3; shift 3
  "$PGPAIMON" postgres_sync_database --warehouse "$wh" --database lakehouse \
      --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
      --postgres_conf username=postgres --postgres_conf password=postgres \
      --postgres_conf database-name=sync_new --postgres_conf schema-name=public \
      --postgres_conf slot.name="$slot" "$@" >>"$TEST_TMP/$name.log" 2>&1 &
}
# rows WAREHOUSE TABLE: "id stars" lines of the lake table, sorted
rows() {
  "$PGPAIMON" table scan --warehouse "$1" "lakehouse.$2" 2>/dev/null | python3 -c '
import json, sys
for r in sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["id"]):
    print(r["id"], r["stars"])'
}
pg_rows() { psql_q "SELECT id || ' ' || coalesce(stars::text, 'None') FROM $1 ORDER BY id"; }
wait_equal() { # WAREHOUSE TABLE LOG
  for _ in $(seq 1 100); do [ "$(rows "$1" "$2")" = "$(pg_rows "$2")" ] && return 0; sleep 0.1; done
  cat "$TEST_TMP/$3.log" >&2
  fail "lake $1 table $2 differs from PostgreSQL: $(diff <(rows "$1" "$2") <(pg_rows "$2") | head -5)"
}
wait_log() { # LOG PATTERN
  for _ in $(seq 1 100); do grep -q -- "$2" "$TEST_TMP/$1.log" && return 0; sleep 0.1; done
  cat "$TEST_TMP/$1.log" >&2
  fail "$1.log never says '$2'"
}
count() { local r; r=$("$PGPAIMON" table scan --warehouse "$1" "lakehouse.$2" 2>/dev/null) || { echo none; return; }; [ -z "$r" ] && echo 0 || wc -l <<<"$r"; }
wait_count() { # WAREHOUSE TABLE N LOG
  for _ in $(seq 1 100); do [ "$(count "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  cat "$TEST_TMP/$4.log" >&2
  fail "lake $1 table $2 does not have $3 rows (has $(count "$1" "$2"))"
}

# ---- A: combined, managed publication ----
WA=$TEST_TMP/wa
start_sync a "$WA" sync_new_a --mode combined --including_tables 'products|reviews|events' \
    --postgres_conf publication.name=sync_new_pub
SYNC_A=$!
wait_count "$WA" products 44 a
assert_eq "products" "$(psql_q "SELECT string_agg(tablename, ',') FROM pg_publication_tables WHERE pubname = 'sync_new_pub'")" \
  "pgpaimon created its publication FOR TABLE products"
# reviews is created with rows, and a writer keeps changing it while it is picked up
# events has no primary key: an append table, where a row applied twice would show twice
psql_q "CREATE TABLE reviews (id int PRIMARY KEY, stars int);
        INSERT INTO reviews SELECT g, g % 5 FROM generate_series(1, 2000) g;
        CREATE TABLE events (id int, stars int);
        INSERT INTO events SELECT g, g FROM generate_series(1, 500) g;"
( for i in $(seq 1 60); do
    psql_q "INSERT INTO reviews VALUES ($((2000 + i)), $i);
            UPDATE reviews SET stars = stars + 10 WHERE id % 60 = $i;
            DELETE FROM reviews WHERE id = $((i * 7));
            INSERT INTO events VALUES ($((500 + i)), $i);" >/dev/null
    sleep 0.05
  done ) &
WRITER=$!
wait $WRITER
wait_equal "$WA" reviews a
ok "combined: a table created while running (and written through its pick-up) equals PostgreSQL"
wait_equal "$WA" events a
ok "combined: an append table (no primary key) picked up the same way has every row exactly once"
assert_eq "events,products,reviews" "$(psql_q "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'sync_new_pub'")" \
  "the new tables were added to the managed publication"
grep -q "temporary replication slot" "$TEST_TMP/a.log" || fail "no temporary slot in the log"
ok "pick-ups: $(grep -o 'snapshot of public\.[a-z]*: [0-9]* rows' "$TEST_TMP/a.log" | tr '\n' ';')"
assert_eq "0" "$(psql_q "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'sync\\_new\\_a\\_tmp%'")" \
  "the temporary slot of the pick-up is gone"
psql_q "UPDATE reviews SET stars = -1 WHERE id = 1"
wait_equal "$WA" reviews a
ok "changes after the pick-up stream in"

# ---- B: combined, a publication pgpaimon may not change ----
WB=$TEST_TMP/wb
psql_q "CREATE PUBLICATION sync_new_user FOR TABLE products"
start_sync b "$WB" sync_new_b --mode combined --including_tables 'products|notes' \
    --postgres_conf publication.name=sync_new_user \
    --postgres_conf debezium.publication.autocreate.mode=disabled
SYNC_B=$!
wait_count "$WB" products 44 b
psql_q "CREATE TABLE notes (id int PRIMARY KEY, stars int);
        INSERT INTO notes SELECT g, g FROM generate_series(1, 30) g;"
wait_log b 'new table public.notes matches the sync but publication "sync_new_user" does not include it'
grep -q 'run ALTER PUBLICATION sync_new_user ADD TABLE public.notes' "$TEST_TMP/b.log" ||
  fail "the warning does not give the fix: $(grep notes "$TEST_TMP/b.log")"
ok "user-owned publication: a warning names the table and the fix"
assert_eq "none" "$(count "$WB" notes)" "notes is not synced while unpublished"
psql_q "ALTER PUBLICATION sync_new_user ADD TABLE public.notes; INSERT INTO notes VALUES (31, 31)"
wait_equal "$WB" notes b
ok "once published by its owner the table joins with all its rows"

# ---- B2: combined, the job's role does not own the publication ----
# (ALTER PUBLICATION fails with "must be owner": the same warning, naming the cause)
WD=$TEST_TMP/wd
on_exit "psql_q \"DROP OWNED BY sync_new_role; DROP ROLE IF EXISTS sync_new_role\" sync_new >/dev/null 2>&1"
psql_q "SET client_min_messages = warning; DROP ROLE IF EXISTS sync_new_role;
        CREATE ROLE sync_new_role LOGIN REPLICATION PASSWORD 'sync_new_pw';
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO sync_new_role;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO sync_new_role;
        CREATE PUBLICATION sync_new_owned FOR TABLE products;"
"$PGPAIMON" postgres_sync_database --warehouse "$WD" --database lakehouse \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=sync_new_role --postgres_conf password=sync_new_pw \
    --postgres_conf database-name=sync_new --postgres_conf schema-name=public \
    --postgres_conf slot.name=sync_new_d --postgres_conf publication.name=sync_new_owned \
    --mode combined --including_tables 'products|owned' >>"$TEST_TMP/d.log" 2>&1 &
SYNC_D=$!
wait_count "$WD" products 44 d
psql_q "CREATE TABLE owned (id int PRIMARY KEY, stars int);
        INSERT INTO owned SELECT g, g FROM generate_series(1, 12) g;"
wait_log d 'new table public.owned matches the sync but publication "sync_new_owned" does not include it, and pgpaimon may not add it (.*owner'
grep -q 'run ALTER PUBLICATION sync_new_owned ADD TABLE public.owned' "$TEST_TMP/d.log" ||
  fail "the warning does not give the fix: $(grep owned "$TEST_TMP/d.log")"
ok "publication owned by another role: $(grep -o 'may not add it ([^)]*)' "$TEST_TMP/d.log" | head -n 1)"
psql_q "ALTER PUBLICATION sync_new_owned ADD TABLE public.owned"
wait_equal "$WD" owned d
ok "once its owner adds the table it joins"
kill -TERM $SYNC_D; wait $SYNC_D

# ---- C: --mode divided ----
WC=$TEST_TMP/wc
start_sync c "$WC" sync_new_c --mode divided --including_tables 'products|later'
SYNC_C=$!
wait_count "$WC" products 44 c
psql_q "CREATE TABLE later (id int PRIMARY KEY, stars int);
        INSERT INTO later SELECT g, g FROM generate_series(1, 40) g;"
wait_log c 'new table public.later matches the sync; --mode divided'
sleep 1
assert_eq "none" "$(count "$WC" later)" "divided: a table created while running is not synced"
kill -TERM $SYNC_C; wait $SYNC_C
psql_q "INSERT INTO later VALUES (41, 41)"
start_sync c "$WC" sync_new_c --mode divided --including_tables 'products|later'
SYNC_C=$!
wait_equal "$WC" later c
grep -q "public.later has no snapshot in the lake yet" "$TEST_TMP/c.log" || fail "no late snapshot logged"
psql_q "UPDATE later SET stars = 0 WHERE id <= 5; DELETE FROM later WHERE id = 40"
wait_equal "$WC" later c
assert_eq "44" "$(count "$WC" products)" "products untouched by the restart"
ok "divided: the next start snapshots the new table and streams it"

kill -TERM $SYNC_A $SYNC_B $SYNC_C; wait $SYNC_A $SYNC_B $SYNC_C
