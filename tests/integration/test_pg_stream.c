/*
 * tests/integration/test_pg_stream.c
 *
 * The CDC source against a real PostgreSQL (harness: scripts/pg-local.sh,
 * PMN_PG_DIR): publication, slot with exported snapshot, COPY under the
 * imported snapshot, and the pgoutput stream decoded into change events that
 * equal what was done; unchanged-TOAST markers; parallel ranged copy.
 */
#include "pg_it.h"

#include "pg/catalog.h"
#include "pg/publication.h"
#include "pg/snapshot_copy.h"

#include <math.h>

static char dbname[64];
static pmn_pg_connparams P;
static bool have_server;

static int group_setup(void **state)
{
    have_server = it_create_db(&P, "pmn_it_stream", dbname, sizeof dbname);
    return 0;
}

static int group_teardown(void **state)
{
    if (have_server) {
        it_drop_db(dbname);
        pmn_pg_connparams_dispose(&P);
    }
    return 0;
}

#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!have_server)                                                                          \
            skip();                                                                                \
    } while (0)

static void describe(pmn_pg_table **out, const char *name)
{
    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    assert_pmn_ok(pmn_pg_catalog_find_table(out, c, "public", name));
    assert_pmn_ok(pmn_pg_catalog_describe(c, *out, NULL));
    pmn_pgconn_free(c);
}

static void test_pg_stream__snapshot_then_stream(void **state)
{
    NEED_SERVER();
    it_exec(&P, "CREATE TABLE t (id int PRIMARY KEY, name text, val numeric(10,2), "
                "ts timestamptz, arr int[], b bytea, f float8, d date, v varchar(20) NOT NULL)");
    it_exec(&P, "INSERT INTO t VALUES "
                "(1, 'one', 1.50, '2024-02-29 17:15:06.123456+05:30', '{1,NULL,3}', '\\x00ff', "
                "'NaN', '2024-02-29', 'x'),"
                "(2, 'two', NULL, NULL, '{}', '\\x', -0.5, '0044-03-15 BC', ''),"
                "(3, E'tab\\there\\nnewline\\\\', -3.14, '1969-12-31 23:59:59.999999+00', NULL, "
                "NULL, 'Infinity', NULL, 'z')");

    pmn_pg_table **tables;
    size_t ntables;
    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    assert_pmn_ok(pmn_pg_catalog_list_tables(&tables, &ntables, c, "public", "t|nosuch"));
    assert_int_equal(ntables, 1);
    assert_pmn_ok(pmn_pg_catalog_describe(c, tables[0], NULL));
    pmn_pg_table *t = tables[0];
    assert_int_equal(t->ncols, 9);
    assert_int_equal(t->npk, 1);
    assert_int_equal(t->pk[0], 0);
    assert_false(t->cols[0].type->nullable);
    assert_int_equal(t->cols[2].type->root, PMN_TYPE_DECIMAL);
    assert_int_equal(t->cols[8].type->root, PMN_TYPE_VARCHAR);
    assert_int_equal(t->cols[8].type->length, 20);
    assert_false(t->cols[8].type->nullable);
    assert_string_equal(t->cols[2].type_name, "numeric(10,2)");

    /* publication: missing, not allowed → the SQL fix; allowed → created */
    pmn_pg_publication_result pr;
    assert_int_equal(pmn_pg_publication_ensure(&pr, c, "pub", tables, 1, false, false),
                     PMN_EINVALID);
    assert_non_null(
        strstr(pmn_error_last(), "CREATE PUBLICATION \"pub\" FOR TABLE \"public\".\"t\""));
    assert_pmn_ok(pmn_pg_publication_ensure(&pr, c, "pub", tables, 1, true, false));
    assert_true(pr.created);
    assert_pmn_ok(pmn_pg_publication_ensure(&pr, c, "pub", tables, 1, false, false));
    assert_true(pr.existed);

    pmn_repl *r;
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_s1_%ld", (long)getpid());
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    bool created;
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_ensure_slot(r, true, &created, &sc));
    assert_true(created);
    assert_true(sc.snapshot_name[0] != '\0');
    assert_true(sc.consistent_point > 0);

    pmn_snapshot_copy *sc1;
    assert_pmn_ok(pmn_snapshot_copy_open(&sc1, &P, sc.snapshot_name));
    /* changes after the slot's consistent point: in the stream, not in the snapshot */
    it_exec(&P, "INSERT INTO t (id, name, v) VALUES (4, 'four', 'y')");
    it_exec(&P, "UPDATE t SET name = 'uno' WHERE id = 1");
    it_exec(&P, "DELETE FROM t WHERE id = 2");

    pmn_change_relation *rel = pmn_pg_table_relation(t);
    pmn_change_log snap;
    pmn_change_log_init(&snap);
    pmn_change_sink ss = pmn_change_log_sink(&snap);
    uint64_t rows;
    assert_pmn_ok(pmn_snapshot_copy_table(sc1, t, rel, NULL, &ss, &rows));
    assert_pmn_ok(pmn_snapshot_copy_finish(sc1));
    pmn_snapshot_copy_free(sc1);
    assert_int_equal(rows, 3);
    assert_int_equal(snap.nloose, 3);
    /* COPY returns rows in physical order: 1, 2, 3 as inserted */
    const pmn_datum *r1 = snap.loose[0].new_vals, *r2 = snap.loose[1].new_vals,
                    *r3 = snap.loose[2].new_vals;
    assert_int_equal(r1[0].v.i, 1);
    char *s = it_str(&r1[1]);
    assert_string_equal(s, "one"); /* the old value: the snapshot predates the UPDATE */
    free(s);
    assert_true(r1[2].v.dec == 150);
    assert_true(r1[3].v.ts.millis == 1709207106123LL);
    assert_int_equal(r1[3].v.ts.nanos, 456000);
    assert_int_equal(r1[4].v.list.n, 3);
    assert_true(r1[4].v.list.items[1].is_null);
    assert_int_equal(r1[5].v.bin.len, 2);
    assert_memory_equal(r1[5].v.bin.ptr, "\x00\xff", 2);
    assert_true(isnan(r1[6].v.f8));
    assert_int_equal(r1[7].v.i, 19782);
    assert_int_equal(r2[0].v.i, 2);
    assert_true(r2[2].is_null);
    assert_int_equal(r2[4].v.list.n, 0);
    assert_int_equal(r2[5].v.bin.len, 0);
    assert_int_equal(r2[7].v.i, -735160);
    assert_int_equal(r2[8].v.bin.len, 0);
    s = it_str(&r3[1]);
    assert_string_equal(s, "tab\there\nnewline\\");
    free(s);
    assert_true(r3[2].v.dec == -314);
    assert_true(r3[3].v.ts.millis == -1);
    assert_true(r3[4].is_null);
    assert_true(r3[6].v.f8 == INFINITY);

    /* the stream: exactly the three later changes, then a TRUNCATE */
    pmn_pgdecoder_options o = {.resolve = pmn_pg_catalog_resolver, .resolve_ctx = c};
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, &o);
    pmn_change_log log;
    pmn_change_log_init(&log);
    assert_pmn_ok(pmn_repl_start(r, 0, "pub"));
    it_stream(r, d, &log, 3);
    assert_int_equal(log.ntxns, 3);
    pmn_change *ch = &log.txns[0].changes[0];
    assert_int_equal(log.txns[0].nchanges, 1);
    assert_int_equal(ch->kind, PMN_CHANGE_INSERT);
    assert_int_equal(ch->new_vals[0].v.i, 4);
    s = it_str(&ch->new_vals[1]);
    assert_string_equal(s, "four");
    free(s);
    assert_true(ch->rel->cols[0].is_key);
    assert_int_equal(ch->rel->relid, t->relid);
    ch = &log.txns[1].changes[0];
    assert_int_equal(ch->kind, PMN_CHANGE_UPDATE);
    assert_null(ch->old_vals); /* key unchanged, REPLICA IDENTITY DEFAULT */
    s = it_str(&ch->new_vals[1]);
    assert_string_equal(s, "uno");
    free(s);
    assert_true(ch->new_vals[2].v.dec == 150);
    ch = &log.txns[2].changes[0];
    assert_int_equal(ch->kind, PMN_CHANGE_DELETE);
    assert_int_equal(ch->old_kind, 'K');
    assert_int_equal(ch->old_vals[0].v.i, 2);
    assert_true(ch->old_vals[1].is_null);
    for (size_t i = 0; i < log.ntxns; i++) {
        assert_true(log.txns[i].commit.end_lsn > log.txns[i].commit.commit_lsn);
        assert_true(log.txns[i].commit.commit_lsn >= sc.consistent_point);
        if (i)
            assert_true(log.txns[i].commit.commit_lsn > log.txns[i - 1].commit.commit_lsn);
    }
    it_exec(&P, "TRUNCATE t");
    it_stream(r, d, &log, 4);
    ch = &log.txns[3].changes[0];
    assert_int_equal(ch->kind, PMN_CHANGE_TRUNCATE);
    assert_int_equal(ch->ntruncated, 1);
    assert_string_equal(ch->truncated[0]->name, "t");

    /* the durable position reaches the slot; it never exceeds what was received */
    uint64_t last_end = log.txns[3].commit.end_lsn;
    pmn_repl_set_flushed(r, last_end + 1000000);
    assert_true(pmn_repl_flushed_lsn(r) <= pmn_repl_received_lsn(r));
    pmn_repl_set_flushed(r, last_end);
    assert_pmn_ok(pmn_repl_stop(r));
    pmn_repl_slot_state st;
    assert_pmn_ok(pmn_repl_read_slot(r, &st));
    assert_true(st.exists);
    assert_string_equal(st.plugin, "pgoutput");
    assert_true(st.confirmed_flush_lsn >= last_end);
    assert_true(st.confirmed_flush_lsn <= pmn_repl_received_lsn(r));

    /* resume: nothing is re-delivered from the confirmed position; new work arrives */
    pmn_pgdecoder_free(d);
    pmn_change_log_dispose(&log);
    pmn_change_log_init(&log);
    pmn_pgdecoder_options o2 = {
        .resolve = pmn_pg_catalog_resolver, .resolve_ctx = c, .skip_before_lsn = last_end};
    pmn_pgdecoder_new(&d, &o2);
    assert_int_equal(pmn_repl_start(r, last_end, "pub"), PMN_EINVALID);
    pmn_repl_free(r);
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    assert_pmn_ok(pmn_repl_start(r, last_end, "pub"));
    it_exec(&P, "INSERT INTO t (id, name, v) VALUES (5, 'five', 'w')");
    it_stream(r, d, &log, 1);
    assert_int_equal(log.txns[0].changes[0].new_vals[0].v.i, 5);
    assert_pmn_ok(pmn_repl_stop(r));
    assert_pmn_ok(pmn_repl_drop_slot(r));
    assert_pmn_ok(pmn_repl_read_slot(r, &st));
    assert_false(st.exists);

    pmn_pgdecoder_free(d);
    pmn_change_log_dispose(&log);
    pmn_change_log_dispose(&snap);
    pmn_change_relation_free(rel);
    pmn_repl_free(r);
    pmn_pg_tables_free(tables, ntables);
    pmn_pgconn_free(c);
}

static void test_pg_stream__unchanged_toast(void **state)
{
    NEED_SERVER();
    it_exec(&P, "CREATE TABLE big (id int PRIMARY KEY, name text, body text, doc jsonb)");
    it_exec(&P, "CREATE PUBLICATION pub_big FOR TABLE big");
    pmn_repl *r;
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_toast_%ld", (long)getpid());
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(r, false, &sc));
    assert_string_equal(sc.snapshot_name, "");
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, NULL);
    pmn_change_log log;
    pmn_change_log_init(&log);
    assert_pmn_ok(pmn_repl_start(r, 0, "pub_big"));
    /* 100 kB of md5 hex (barely compressible: stored out of line) and a large jsonb */
    it_exec(&P, "INSERT INTO big SELECT 1, 'a', string_agg(md5(i::text || random()::text), ''), "
                "jsonb_build_object('k', string_agg(md5(i::text || 'j' || random()::text), '')) "
                "FROM generate_series(1, 3200) AS i");
    it_exec(&P, "UPDATE big SET name = 'b' WHERE id = 1");
    it_stream(r, d, &log, 2);
    pmn_change *ins = &log.txns[0].changes[0];
    assert_int_equal(ins->new_vals[2].v.bin.len, 102400);
    assert_null(ins->unchanged);
    pmn_change *up = &log.txns[1].changes[0];
    assert_int_equal(up->kind, PMN_CHANGE_UPDATE);
    assert_non_null(up->unchanged);
    assert_false(up->unchanged[0]);
    assert_false(up->unchanged[1]);
    assert_true(up->unchanged[2]); /* 'u': not sent, not NULL */
    assert_true(up->unchanged[3]);
    char *s = it_str(&up->new_vals[1]);
    assert_string_equal(s, "b");
    free(s);

    /* REPLICA IDENTITY FULL: the old row carries the value, the producer fills it in */
    it_exec(&P, "ALTER TABLE big REPLICA IDENTITY FULL");
    it_exec(&P, "UPDATE big SET name = 'c' WHERE id = 1");
    it_stream(r, d, &log, 3);
    up = &log.txns[2].changes[0];
    assert_int_equal(up->old_kind, 'O');
    assert_null(up->unchanged);
    assert_int_equal(up->new_vals[2].v.bin.len, 102400);
    assert_memory_equal(up->new_vals[2].v.bin.ptr, ins->new_vals[2].v.bin.ptr, 102400);
    assert_int_equal(up->rel->version, 2); /* replident changed */
    assert_int_equal(up->rel->replident, 'f');

    assert_pmn_ok(pmn_repl_stop(r));
    assert_pmn_ok(pmn_repl_drop_slot(r));
    pmn_pgdecoder_free(d);
    pmn_change_log_dispose(&log);
    pmn_repl_free(r);
}

static int count_rows(void *payload, const pmn_change *c)
{
    int64_t *seen = payload;
    int64_t id = c->new_vals[0].is_null ? -1 : c->new_vals[0].v.i;
    if (id >= 1 && id <= 1000)
        seen[id]++;
    else
        seen[0]++;
    return 0;
}

static void test_pg_stream__parallel_ranged_copy(void **state)
{
    NEED_SERVER();
    it_exec(&P, "CREATE TABLE nums (id int8 PRIMARY KEY, code text UNIQUE NOT NULL)");
    it_exec(&P, "INSERT INTO nums SELECT i, 'c' || lpad(i::text, 5, '0') FROM "
                "generate_series(1, 1000) AS i");
    pmn_repl *r;
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_par_%ld", (long)getpid());
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(r, true, &sc));
    pmn_pg_table *t;
    describe(&t, "nums");
    pmn_change_relation *rel = pmn_pg_table_relation(t);

    /* four connections import the same snapshot, each copies one range */
    pmn_snapshot_copy *conns[4];
    for (int i = 0; i < 4; i++)
        assert_pmn_ok(pmn_snapshot_copy_open(&conns[i], &P, sc.snapshot_name));
    it_exec(&P, "INSERT INTO nums VALUES (5000, 'late')"); /* after the snapshot */
    char **wheres;
    int n;
    assert_pmn_ok(pmn_snapshot_split(&wheres, &n, pmn_snapshot_copy_conn(conns[0]), t, 4));
    assert_int_equal(n, 4);
    int64_t seen[1001] = {0};
    pmn_change_sink sink = {.change = count_rows, .payload = seen};
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        uint64_t rows;
        assert_pmn_ok(pmn_snapshot_copy_table(conns[i % 4], t, rel, wheres[i], &sink, &rows));
        assert_true(rows > 100);
        total += rows;
    }
    assert_int_equal(total, 1000);
    assert_int_equal(seen[0], 0);
    for (int i = 1; i <= 1000; i++)
        assert_int_equal(seen[i], 1);
    pmn_snapshot_split_free(wheres, n);
    for (int i = 0; i < 4; i++) {
        assert_pmn_ok(pmn_snapshot_copy_finish(conns[i]));
        pmn_snapshot_copy_free(conns[i]);
    }

    /* a text key splits by quantiles; the ranges still cover every row exactly once */
    it_exec(&P, "CREATE TABLE words (w text PRIMARY KEY)");
    it_exec(&P, "INSERT INTO words SELECT md5(i::text) FROM generate_series(1, 500) AS i");
    pmn_pg_table *tw;
    describe(&tw, "words");
    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    assert_pmn_ok(pmn_snapshot_split(&wheres, &n, c, tw, 5));
    assert_int_equal(n, 5);
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        char *sql = pmn_xasprintf("SELECT count(*) FROM words WHERE %s", wheres[i]);
        char *v = it_query1(&P, sql);
        assert_true(strtoll(v, NULL, 10) > 50);
        sum += strtoll(v, NULL, 10);
        free(v);
        free(sql);
    }
    assert_int_equal(sum, 500);
    pmn_snapshot_split_free(wheres, n);
    pmn_pgconn_free(c);

    assert_pmn_ok(pmn_repl_drop_slot(r));
    pmn_repl_free(r);
    pmn_change_relation_free(rel);
    pmn_pg_table_free(t);
    pmn_pg_table_free(tw);
}

static void test_pg_stream__types_enum_domain_array(void **state)
{
    NEED_SERVER();
    it_exec(&P, "CREATE TYPE mood AS ENUM ('sad', 'happy')");
    it_exec(&P, "CREATE DOMAIN money2 AS numeric(12,2) CHECK (VALUE >= 0)");
    it_exec(&P, "CREATE TABLE ty (id smallint PRIMARY KEY, m mood, amt money2, tags text[], "
                "u uuid, j json, tm time(3), ts timestamp, c char(3), flag bool, r real)");
    it_exec(&P, "CREATE PUBLICATION pub_ty FOR TABLE ty");
    pmn_pg_table *t;
    describe(&t, "ty");
    assert_int_equal(t->cols[1].type->root, PMN_TYPE_VARCHAR);
    assert_int_equal(t->cols[2].type->root, PMN_TYPE_DECIMAL);
    assert_int_equal(t->cols[2].type->precision, 12);
    assert_int_equal(t->cols[3].type->root, PMN_TYPE_ARRAY);
    assert_int_equal(t->cols[6].type->root, PMN_TYPE_TIME);
    assert_int_equal(t->cols[6].type->precision, 3);
    assert_int_equal(t->cols[8].type->root, PMN_TYPE_CHAR);

    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    pmn_repl *r;
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_types_%ld", (long)getpid());
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(r, false, &sc));
    pmn_pgdecoder_options o = {.resolve = pmn_pg_catalog_resolver, .resolve_ctx = c};
    pmn_pgdecoder *d;
    pmn_pgdecoder_new(&d, &o);
    pmn_change_log log;
    pmn_change_log_init(&log);
    assert_pmn_ok(pmn_repl_start(r, 0, "pub_ty"));
    it_exec(&P, "INSERT INTO ty VALUES (-32768, 'happy', 12.5, '{\"a b\",\"c,d\",NULL,\"NULL\"}', "
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2.50]}', '13:45:06.123', "
                "'2024-02-29 13:45:06.5', 'ab', true, 1.1)");
    it_stream(r, d, &log, 1);
    const pmn_change *ch = &log.txns[0].changes[0];
    /* the stream maps types exactly as the catalog did (nullability aside: not on the wire) */
    for (int i = 0; i < t->ncols; i++) {
        pmn_type *a = pmn_type_copy(ch->rel->cols[i].type);
        a->nullable = t->cols[i].type->nullable;
        if (!pmn_type_equal(a, t->cols[i].type))
            fail_msg("column %s: stream type differs from catalog type", t->cols[i].name);
        pmn_type_free(a);
    }
    const pmn_datum *v = ch->new_vals;
    assert_int_equal(v[0].v.i, -32768);
    char *s = it_str(&v[1]);
    assert_string_equal(s, "happy");
    free(s);
    assert_true(v[2].v.dec == 1250);
    assert_int_equal(v[3].v.list.n, 4);
    s = it_str(&v[3].v.list.items[1]);
    assert_string_equal(s, "c,d");
    free(s);
    assert_true(v[3].v.list.items[2].is_null);
    assert_false(v[3].v.list.items[3].is_null);
    s = it_str(&v[5]);
    assert_string_equal(s, "{\"k\": [1, 2.50]}");
    free(s);
    assert_int_equal(v[6].v.i, 49506123);
    assert_true(v[7].v.ts.millis == 1709214306500LL);
    s = it_str(&v[8]);
    assert_string_equal(s, "ab ");
    free(s);
    assert_true(v[9].v.b);
    assert_true(v[10].v.f4 == 1.1f);
    assert_pmn_ok(pmn_repl_stop(r));
    assert_pmn_ok(pmn_repl_drop_slot(r));
    pmn_pgdecoder_free(d);
    pmn_change_log_dispose(&log);
    pmn_repl_free(r);
    pmn_pg_table_free(t);
    pmn_pgconn_free(c);
}

static void test_pg_stream__to_string_types(void **state)
{
    NEED_SERVER();
    it_exec(&P, "CREATE TABLE ts_all (id int PRIMARY KEY, iv interval, mo money, ip inet, "
                "net cidr, mac macaddr, tz timetz, n numeric, x xml, pt point)");
    it_exec(&P, "INSERT INTO ts_all VALUES (1, '1 year 2 mons 3 days 04:05:06.7', 1234.5, "
                "'192.168.1.5/24', '10.0.0.0/8', '08:00:2b:01:02:03', '13:45:06+05:30', 'NaN', "
                "'<a>1</a>', '(1,2)')");
    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    pmn_pg_table *t;
    assert_pmn_ok(pmn_pg_catalog_find_table(&t, c, "public", "ts_all"));
    assert_int_equal(pmn_pg_catalog_describe(c, t, NULL), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "interval"));
    pmn_type_mapping tm;
    assert_pmn_ok(pmn_type_mapping_parse(&tm, "to-string"));
    assert_pmn_ok(pmn_pg_catalog_describe(c, t, &tm));
    pmn_change_relation *rel = pmn_pg_table_relation(t);
    pmn_snapshot_copy *sc;
    assert_pmn_ok(pmn_snapshot_copy_open(&sc, &P, NULL));
    pmn_change_log log;
    pmn_change_log_init(&log);
    pmn_change_sink sink = pmn_change_log_sink(&log);
    assert_pmn_ok(pmn_snapshot_copy_table(sc, t, rel, NULL, &sink, NULL));
    assert_pmn_ok(pmn_snapshot_copy_finish(sc));
    pmn_snapshot_copy_free(sc);
    const pmn_datum *v = log.loose[0].new_vals;
    const char *want[] = {"1",
                          "1 year 2 mons 3 days 04:05:06.7",
                          "$1,234.50",
                          "192.168.1.5/24",
                          "10.0.0.0/8",
                          "08:00:2b:01:02:03",
                          "13:45:06+05:30",
                          "NaN",
                          "<a>1</a>",
                          "(1,2)"};
    for (int i = 0; i < 10; i++) {
        char *s = it_str(&v[i]);
        if (strcmp(s, want[i]) != 0)
            fail_msg("column %s: \"%s\", want \"%s\"", t->cols[i].name, s, want[i]);
        free(s);
    }
    pmn_change_log_dispose(&log);
    pmn_change_relation_free(rel);
    pmn_pg_table_free(t);
    pmn_pgconn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_stream__snapshot_then_stream),
        cmocka_unit_test(test_pg_stream__unchanged_toast),
        cmocka_unit_test(test_pg_stream__parallel_ranged_copy),
        cmocka_unit_test(test_pg_stream__types_enum_domain_array),
        cmocka_unit_test(test_pg_stream__to_string_types),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
