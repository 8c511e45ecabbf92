/*
 * tests/integration/test_pg_source.c
 *
 * pg/source.c end to end against a real PostgreSQL: table selection by
 * pattern, publication creation, slot with exported snapshot, initial copy,
 * streaming through the reader thread with a small queue (backpressure),
 * confirmation reaching the slot, and a resume that neither loses nor
 * repeats a transaction.
 */
#include "pg_it.h"

#include "pg/source.h"

static char dbname[64];
static pmn_pg_connparams P;
static bool have_server;

static int group_setup(void **state)
{
    have_server = it_create_db(&P, "pmn_it_source", dbname, sizeof dbname);
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

typedef struct counter {
    int64_t inserts, updates, deletes, truncates, commits;
    int64_t snapshot_rows;
    uint64_t last_end_lsn;
    int64_t max_id;
    bool in_txn;
} counter;

static int c_begin(void *payload, const pmn_txn_begin *b)
{
    counter *c = payload;
    c->in_txn = true;
    return 0;
}

static int c_change(void *payload, const pmn_change *ch)
{
    counter *c = payload;
    if (!c->in_txn) {
        c->snapshot_rows++;
        return 0;
    }
    switch (ch->kind) {
    case PMN_CHANGE_INSERT:
        c->inserts++;
        if (ch->new_vals[0].v.i > c->max_id)
            c->max_id = ch->new_vals[0].v.i;
        break;
    case PMN_CHANGE_UPDATE:
        c->updates++;
        break;
    case PMN_CHANGE_DELETE:
        c->deletes++;
        break;
    case PMN_CHANGE_TRUNCATE:
        c->truncates++;
        break;
    }
    return 0;
}

static int c_commit(void *payload, const pmn_txn_commit *t)
{
    counter *c = payload;
    c->commits++;
    c->last_end_lsn = t->end_lsn;
    c->in_txn = false;
    return 0;
}

static void poll_until(pmn_pgsource *s, counter *c, int64_t commits)
{
    pmn_change_sink sink = {c_begin, NULL, c_change, c_commit, c};
    time_t deadline = time(NULL) + 30;
    while (c->commits < commits && time(NULL) < deadline) {
        int rc = pmn_pgsource_poll(s, &sink, 100);
        if (rc < 0)
            fail_msg("poll: %s", pmn_error_last());
        if (c->commits > 0)
            pmn_pgsource_confirm(s, c->last_end_lsn); /* pretend each commit is durable */
    }
    if (c->commits < commits)
        fail_msg("got %lld commits, want %lld", (long long)c->commits, (long long)commits);
}

static void test_pg_source__snapshot_stream_resume(void **state)
{
    if (!have_server)
        skip();
    it_exec(&P, "CREATE TABLE orders (id bigint PRIMARY KEY, note text, amount numeric(12,2))");
    it_exec(&P, "CREATE TABLE items (sku text PRIMARY KEY, qty int)");
    it_exec(&P, "CREATE TABLE other (id int PRIMARY KEY)");
    it_exec(&P, "INSERT INTO orders SELECT i, 'n' || i, i * 1.25 FROM generate_series(1, 100) i");
    it_exec(&P, "INSERT INTO items VALUES ('a', 1), ('b', 2)");
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_src_%ld", (long)getpid());
    pmn_pgsource_config cfg = {
        .conn = &P,
        .slot = slot,
        .publication = "pub_src",
        .schema_re = "public",
        .table_re = "orders|items",
        .publication_create = true,
        .queue_bytes = 16 * 1024, /* tiny: the reader must wait for poll() */
        .status_interval_ms = 1000,
    };
    pmn_pgsource *s;
    assert_pmn_ok(pmn_pgsource_open(&s, &cfg));
    assert_int_equal(pmn_pgsource_ntables(s), 2);
    assert_string_equal(pmn_pgsource_table(s, 0)->name, "items");
    assert_string_equal(pmn_pgsource_table(s, 1)->name, "orders");
    assert_true(strlen(pmn_pgsource_system_id(s)) > 5);
    pmn_pgsource_slot ps;
    assert_pmn_ok(pmn_pgsource_prepare_slot(s, true, &ps));
    assert_true(ps.created);
    pmn_snapshot_copy *copy;
    assert_pmn_ok(pmn_pgsource_snapshot_open(&copy, s));
    it_exec(&P, "INSERT INTO orders VALUES (101, 'late', 1)"); /* stream only */
    counter c = {0};
    pmn_change_sink sink = {c_begin, NULL, c_change, c_commit, &c};
    for (size_t i = 0; i < pmn_pgsource_ntables(s); i++)
        assert_pmn_ok(pmn_snapshot_copy_table(copy, pmn_pgsource_table(s, i),
                                              pmn_pgsource_relation(s, i), NULL, &sink, NULL));
    assert_pmn_ok(pmn_snapshot_copy_finish(copy));
    pmn_snapshot_copy_free(copy);
    assert_int_equal(c.snapshot_rows, 102);

    assert_pmn_ok(pmn_pgsource_start(s, 0));
    /* a 20000-row transaction through a 16 kB queue, then small ones; 'other' is not synced */
    it_exec(&P, "INSERT INTO orders SELECT i, repeat('x', 100), 0 FROM generate_series(1000, "
                "20999) i");
    it_exec(&P, "UPDATE orders SET note = 'u' WHERE id <= 10");
    it_exec(&P, "DELETE FROM orders WHERE id BETWEEN 11 AND 15");
    it_exec(&P, "INSERT INTO other VALUES (1)");
    it_exec(&P, "UPDATE items SET qty = 3 WHERE sku = 'a'");
    poll_until(s, &c, 5);
    assert_int_equal(c.inserts, 1 + 20000);
    assert_int_equal(c.updates, 10 + 1);
    assert_int_equal(c.deletes, 5);
    assert_int_equal(c.commits, 5);
    uint64_t durable = c.last_end_lsn;
    /* idle: keepalives give a quiet position at or beyond the last commit */
    time_t deadline = time(NULL) + 15;
    while (pmn_pgsource_quiet_lsn(s) < durable && time(NULL) < deadline)
        assert_true(pmn_pgsource_poll(s, &sink, 200) >= 0);
    assert_true(pmn_pgsource_quiet_lsn(s) >= durable);
    assert_pmn_ok(pmn_pgsource_close(s));

    /* the slot remembers the confirmed position */
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    pmn_repl_slot_state st;
    assert_pmn_ok(pmn_repl_read_slot(r, &st));
    assert_true(st.confirmed_flush_lsn >= durable);
    pmn_repl_free(r);

    /* resume from the stored end LSN: only new work arrives */
    it_exec(&P, "INSERT INTO orders VALUES (30000, 'after restart', 2)");
    assert_pmn_ok(pmn_pgsource_open(&s, &cfg));
    assert_pmn_ok(pmn_pgsource_prepare_slot(s, true, &ps));
    assert_false(ps.created);
    assert_int_equal(pmn_pgsource_snapshot_open(&copy, s), PMN_EINVALID);
    counter c2 = {0};
    assert_pmn_ok(pmn_pgsource_start(s, durable));
    it_exec(&P, "TRUNCATE items");
    poll_until(s, &c2, 2);
    assert_int_equal(c2.commits, 2);
    assert_int_equal(c2.inserts, 1);
    assert_int_equal(c2.max_id, 30000);
    assert_int_equal(c2.truncates, 1);
    assert_pmn_ok(pmn_pgsource_drop_slot(s));
    assert_pmn_ok(pmn_pgsource_close(s));
}

static void test_pg_source__all_tables_publication(void **state)
{
    if (!have_server)
        skip();
    /* the guide's setup: a publication FOR ALL TABLES, one table synced */
    it_exec(&P, "CREATE TABLE synced (id int PRIMARY KEY, v text)");
    it_exec(&P, "CREATE TABLE noise (id int PRIMARY KEY, addr inet)");
    it_exec(&P, "CREATE PUBLICATION pub_all FOR ALL TABLES");
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_all_%ld", (long)getpid());
    pmn_pgsource_config cfg = {.conn = &P,
                               .slot = slot,
                               .publication = "pub_all",
                               .schema_re = "public",
                               .table_re = "synced"};
    pmn_pgsource *s;
    assert_pmn_ok(pmn_pgsource_open(&s, &cfg));
    pmn_pgsource_slot ps;
    assert_pmn_ok(pmn_pgsource_prepare_slot(s, false, &ps));
    assert_pmn_ok(pmn_pgsource_start(s, 0));
    it_exec(&P, "BEGIN; INSERT INTO noise VALUES (1, '10.0.0.1'); INSERT INTO synced VALUES (1, "
                "'a'); TRUNCATE noise; COMMIT");
    counter c = {0};
    poll_until(s, &c, 1);
    assert_int_equal(c.inserts, 1);
    assert_int_equal(c.truncates, 0);
    assert_pmn_ok(pmn_pgsource_drop_slot(s));
    assert_pmn_ok(pmn_pgsource_close(s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_source__snapshot_stream_resume),
        cmocka_unit_test(test_pg_source__all_tables_publication),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
