#!/usr/bin/env bash
# Values of every common type through snapshot and stream, compared with
# PostgreSQL; unchanged TOASTed values keep their lake value; TRUNCATE; a row
# whose primary key changes; DELETE under REPLICA IDENTITY FULL and DEFAULT.
source "$(dirname "$0")/lib.sh"
fresh_db sync_types
WH=$TEST_TMP/paimon
SLOT=sync_types_slot
on_exit "kill -9 \${SYNC:-0} 2>/dev/null; psql_q \"SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active\" postgres >/dev/null"

psql_q "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t (
  id int PRIMARY KEY, b bool, i2 int2, i8 int8, n numeric(12,3), f4 float4, f8 float8,
  s text, vc varchar(20), ch char(3), by bytea, d date, tm time, ts timestamp, tz timestamptz,
  u uuid, j json, jb jsonb, ai int[], at text[], e mood, big text);
ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL; -- out of line: updates send it as unchanged
CREATE TABLE full_ri (k int PRIMARY KEY, v text);
ALTER TABLE full_ri REPLICA IDENTITY FULL;
INSERT INTO t VALUES
 (1, true, -32768, 9223372036854775807, -123456789.125, 1.5, 'NaN', 'héllo \"q\" \\\\ tab	x', '', 'ab',
  '\\x00ff10', '1999-12-31', '23:59:59.123', '2024-02-29 12:00:00.123456', '1969-07-20 20:17:40+00',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": null}', '{1,NULL,3}', '{\"x y\",z}',
  'happy', repeat('L', 100000)),
 (2, NULL, NULL, NULL, NULL, '-Infinity', 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, false, 0, 0, 0, 0, -0.0, '', 'x', 'z', '\\x', '0001-01-01', '00:00:00', '1970-01-01 00:00:00', '2038-01-19 03:14:08+00',
  '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}', 'sad', 'small');
INSERT INTO full_ri SELECT g, 'v' || g FROM generate_series(1, 10) g;"

"$PGPAIMON" postgres_sync_table --warehouse "$WH" --database lake \
    --postgres_conf hostname=localhost --postgres_conf port="$PGPORT" \
    --postgres_conf username=postgres --postgres_conf password=postgres \
    --postgres_conf database-name=sync_types --postgres_conf schema-name=public \
    --postgres_conf 'table-name=t|full_ri' --postgres_conf slot.name=$SLOT >"$TEST_TMP/sync.log" 2>&1 &
SYNC=$!

# compare: PostgreSQL's rows (as JSON with text renderings) against the lake's JSON, per column
compare() {
  psql_q "SELECT json_build_object('id', id, 'b', b, 'i2', i2, 'i8', i8::text, 'n', n::text,
            'f4', f4::text, 'f8', f8::text, 's', s, 'vc', vc, 'ch', ch, 'by', encode(by, 'base64'),
            'd', d::text, 'tm', tm::text, 'ts', to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),
            'tz', to_char(tz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), 'u', u::text,
            'j', j::text, 'jb', jb::text, 'ai', ai, 'at', at, 'e', e::text, 'big', md5(big))
          FROM t ORDER BY id" >"$TEST_TMP/pg.jsonl"
  "$PGPAIMON" table scan --warehouse "$WH" lake.t >"$TEST_TMP/lake.jsonl" 2>/dev/null || return 1
  python3 - "$TEST_TMP/pg.jsonl" "$TEST_TMP/lake.jsonl" <<'PY'
import base64, hashlib, json, math, sys
pg = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
lake = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
if set(pg) != set(lake):
    sys.exit("ids differ: pg %s lake %s" % (sorted(pg), sorted(lake)))
def num(x):
    return float(x) if x not in ("NaN", "Infinity", "-Infinity") else float(x.replace("Infinity", "inf"))
def same(col, p, l):
    if p is None or l is None:
        return p is None and l is None
    if col in ("i8", "n"):
        return str(l) == p or float(l) == float(p)
    if col in ("f4", "f8"):
        a, b = num(p), num(l) if isinstance(l, str) else float(l)
        return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-6 * abs(a)
    if col == "by":
        return base64.b64decode(l) == base64.b64decode(p)
    if col in ("ts", "tz"):
        l = l.rstrip("Z")
        if "." not in l: l += ".000000"
        l = l + "0" * (26 - len(l))
        return l == p
    if col == "tm":
        return l.split(".")[0] == p.split(".")[0] and (("." in p) == ("." in l) or p.endswith(".000"))
    if col in ("j", "jb", "u", "e", "d", "ch", "vc", "s"):
        return str(l) == str(p)
    if col == "big":
        return hashlib.md5(l.encode()).hexdigest() == p
    return l == p
bad = [(i, c, pg[i][c], lake[i].get(c)) for i in pg for c in pg[i] if not same(c, pg[i][c], lake[i].get(c))]
if bad:
    sys.exit("differences: %r" % bad[:8])
PY
}
wait_equal() {
  for _ in $(seq 1 50); do compare 2>/dev/null && { ok "$1"; return 0; }; sleep 0.1; done
  compare || true
  tail -5 "$TEST_TMP/sync.log" >&2
  fail "$1"
}
wait_equal "snapshot: every type equals PostgreSQL"

psql_q "INSERT INTO t (id, n, f8, s, ai, e, big) VALUES (4, 0.001, 1e-300, 'four', '{4}', 'ok', repeat('B', 50000));
        UPDATE t SET s = 'touched', i2 = 7 WHERE id = 1;"
wait_equal "stream: insert and an update that leaves the 100 kB TOASTed column unchanged"
big=$("$PGPAIMON" table scan --warehouse "$WH" lake.t | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["id"] == 1: print(len(r["big"]))')
assert_eq 100000 "$big" "the unchanged TOASTed value kept its 100000 characters"

psql_q "UPDATE t SET id = 40 WHERE id = 4; DELETE FROM t WHERE id = 2;"
wait_equal "a primary-key change and a DELETE (REPLICA IDENTITY DEFAULT)"

psql_q "DELETE FROM full_ri WHERE k <= 3; UPDATE full_ri SET v = 'changed' WHERE k = 4;"
full_ok() { [ "$("$PGPAIMON" table scan --warehouse "$WH" lake.full_ri 2>/dev/null | grep -c .)" = 7 ]; }
for _ in $(seq 1 50); do full_ok && break; sleep 0.1; done
full_ok || fail "REPLICA IDENTITY FULL deletes"
ok "DELETE under REPLICA IDENTITY FULL"

psql_q "TRUNCATE full_ri; INSERT INTO full_ri VALUES (100, 'after truncate');"
trunc_ok() { local r; r=$("$PGPAIMON" table scan --warehouse "$WH" lake.full_ri 2>/dev/null); [ "$r" = '{"k":100,"v":"after truncate"}' ]; }
for _ in $(seq 1 50); do trunc_ok && break; sleep 0.1; done
trunc_ok || fail "TRUNCATE then INSERT"
ok "TRUNCATE empties the lake table; the row after it stays"
kinds=$("$PGPAIMON" table snapshots --warehouse "$WH" lake.full_ri | awk 'NR > 1 {print $3}' | tr '\n' ' ')
grep -q OVERWRITE <<<"$kinds" || fail "no OVERWRITE snapshot for the TRUNCATE: $kinds"
kill -TERM $SYNC; wait $SYNC
"$PGPAIMON" table check --warehouse "$WH" lake.t >/dev/null || fail "table check"
