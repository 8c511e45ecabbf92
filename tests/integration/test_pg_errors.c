/*
 * tests/integration/test_pg_errors.c
 *
 * Each failure of the CDC source yields its SQLSTATE-classified message with
 * the cause and the fix (shared/pgoutput.md §9, issue 5 §9): wrong password,
 * missing database, role without REPLICATION, slot in use (PID named), slot
 * of another plugin, missing publication, missing table, unreachable server.
 * Not covered here because they need a separately configured server:
 * wal_level != logical, max_replication_slots exhausted, invalidated slot.
 */
#include "pg_it.h"

#include "pg/catalog.h"

static char dbname[64];
static pmn_pg_connparams P;
static bool have_server;

static int group_setup(void **state)
{
    have_server = it_create_db(&P, "pmn_it_errors", dbname, sizeof dbname);
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

static void expect_msg(const char *needle)
{
    if (getenv("PMN_IT_VERBOSE"))
        print_message("message: %s\n", pmn_error_last());
    if (!strstr(pmn_error_last(), needle))
        fail_msg("error \"%s\" lacks \"%s\"", pmn_error_last(), needle);
}

static void test_pg_errors__wrong_password(void **state)
{
    NEED_SERVER();
    pmn_pg_connparams p;
    pmn_pg_connparams_copy(&p, &P);
    free(p.password);
    p.password = pmn_xstrdup("Wr0ngSecret!");
    pmn_pgconn *c = NULL;
    assert_int_equal(pmn_pgconn_open(&c, &p, false), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "28P01");
    expect_msg("password authentication failed for user");
    expect_msg("--postgres_conf password");
    assert_null(strstr(pmn_error_last(), "Wr0ngSecret!"));
    /* the replication connection reports the same */
    pmn_repl *r = NULL;
    assert_int_equal(pmn_repl_open(&r, &p, "x"), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "28P01");
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_errors__password_from_environment(void **state)
{
    NEED_SERVER();
    pmn_pg_connparams p;
    pmn_pg_connparams_copy(&p, &P);
    char *pw = p.password;
    p.password = NULL;
    setenv("PGPASSWORD", pw ? pw : "", 1);
    pmn_pgconn *c = NULL;
    assert_pmn_ok(pmn_pgconn_open(&c, &p, false));
    pmn_pgconn_free(c);
    unsetenv("PGPASSWORD");
    free(pw);
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_errors__missing_database(void **state)
{
    NEED_SERVER();
    pmn_pg_connparams p;
    pmn_pg_connparams_copy(&p, &P);
    free(p.dbname);
    p.dbname = pmn_xstrdup("pmn_no_such_db");
    pmn_pgconn *c = NULL;
    assert_int_equal(pmn_pgconn_open(&c, &p, false), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "3D000");
    expect_msg("database \"pmn_no_such_db\" does not exist");
    expect_msg("database-name");
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_errors__unreachable_server(void **state)
{
    NEED_SERVER();
    pmn_pg_connparams p;
    pmn_pg_connparams_copy(&p, &P);
    free(p.host);
    free(p.port);
    p.host = pmn_xstrdup("127.0.0.1");
    p.port = pmn_xstrdup("1"); /* nothing listens on port 1 */
    pmn_pgconn *c = NULL;
    assert_int_equal(pmn_pgconn_open(&c, &p, false), PMN_ECONN);
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_errors__no_replication_privilege(void **state)
{
    NEED_SERVER();
    char role[64], sql[256];
    snprintf(role, sizeof role, "pmn_norepl_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN PASSWORD 'pw_norepl'",
             role, role);
    it_exec(&P, sql);
    pmn_pg_connparams p;
    pmn_pg_connparams_copy(&p, &P);
    free(p.user);
    free(p.password);
    p.user = pmn_xstrdup(role);
    p.password = pmn_xstrdup("pw_norepl");
    pmn_pgconn *c = NULL;
    assert_pmn_ok(pmn_pgconn_open(&c, &p, false)); /* a normal connection is fine */
    pmn_pgconn_free(c);
    pmn_repl *r = NULL;
    assert_int_equal(pmn_repl_open(&r, &p, "x"), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "42501");
    expect_msg("lacks the REPLICATION attribute");
    expect_msg("ALTER ROLE");
    expect_msg(role);
    pmn_pg_connparams_dispose(&p);
    snprintf(sql, sizeof sql, "DROP ROLE %s", role);
    it_exec(&P, sql);
}

static void test_pg_errors__slot_in_use_names_pid(void **state)
{
    NEED_SERVER();
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_busy_%ld", (long)getpid());
    it_exec(&P, "CREATE TABLE IF NOT EXISTS busy (id int PRIMARY KEY)");
    it_exec(&P, "CREATE PUBLICATION pub_busy FOR TABLE busy");
    pmn_repl *a, *b;
    assert_pmn_ok(pmn_repl_open(&a, &P, slot));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(a, false, &sc));
    assert_pmn_ok(pmn_repl_start(a, 0, "pub_busy"));
    int pid = pmn_pgconn_backend_pid(pmn_repl_conn(a));
    char want[128];
    snprintf(want, sizeof want, "replication slot \"%s\" is in use by PID %d", slot, pid);

    assert_pmn_ok(pmn_repl_open(&b, &P, slot));
    bool created;
    assert_int_equal(pmn_repl_ensure_slot(b, false, &created, &sc), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "55006");
    expect_msg(want);
    expect_msg("pick another --postgres_conf slot.name");
    /* START on a busy slot: the server's 55006, then the PID from pg_replication_slots */
    assert_int_equal(pmn_repl_start(b, 0, "pub_busy"), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "55006");
    expect_msg(want);
    pmn_repl_free(b);
    assert_pmn_ok(pmn_repl_open(&b, &P, slot));
    assert_int_equal(pmn_repl_drop_slot(b), PMN_EPG);
    expect_msg(want);

    assert_pmn_ok(pmn_repl_stop(a));
    pmn_repl_free(a);
    assert_pmn_ok(pmn_repl_drop_slot(b));
    assert_int_equal(pmn_repl_drop_slot(b), PMN_ENOTFOUND);
    pmn_repl_free(b);
}

static void test_pg_errors__slot_with_other_plugin(void **state)
{
    NEED_SERVER();
    char slot[64], sql[256];
    snprintf(slot, sizeof slot, "pmn_it_td_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "SELECT pg_create_logical_replication_slot('%s', 'test_decoding')",
             slot);
    free(it_query1(&P, sql));
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    bool created;
    pmn_repl_slot_created sc;
    assert_int_equal(pmn_repl_ensure_slot(r, true, &created, &sc), PMN_EPG);
    expect_msg("plugin \"test_decoding\"");
    expect_msg("pick another --postgres_conf slot.name");
    assert_false(created);
    assert_pmn_ok(pmn_repl_drop_slot(r));
    /* the name now exists nowhere: ensure creates it */
    assert_pmn_ok(pmn_repl_ensure_slot(r, false, &created, &sc));
    assert_true(created);
    /* and a second ensure (on a fresh connection) reuses it: a resume */
    pmn_repl *r2;
    assert_pmn_ok(pmn_repl_open(&r2, &P, slot));
    assert_pmn_ok(pmn_repl_ensure_slot(r2, false, &created, &sc));
    assert_false(created);
    assert_true(sc.consistent_point > 0);
    assert_pmn_ok(pmn_repl_drop_slot(r2));
    pmn_repl_free(r2);
    pmn_repl_free(r);
}

static void test_pg_errors__missing_publication(void **state)
{
    NEED_SERVER();
    char slot[64];
    snprintf(slot, sizeof slot, "pmn_it_nopub_%ld", (long)getpid());
    it_exec(&P, "CREATE TABLE IF NOT EXISTS lonely (id int PRIMARY KEY)");
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(r, false, &sc));
    assert_pmn_ok(pmn_repl_start(r, 0, "nosuchpub"));
    it_exec(&P, "INSERT INTO lonely VALUES (1)");
    int rc = 0;
    time_t deadline = time(NULL) + 20;
    while (rc == 0 && time(NULL) < deadline) {
        pmn_repl_msg m;
        rc = pmn_repl_next(r, &m, 100);
    }
    assert_int_equal(rc, PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "42704");
    expect_msg("publication \"nosuchpub\" does not exist");
    expect_msg("recreate slot");
    pmn_repl_free(r);
    /* the walsender is gone: drop the slot from a new connection */
    assert_pmn_ok(pmn_repl_open(&r, &P, slot));
    for (int i = 0; i < 50; i++) {
        pmn_repl_slot_state st;
        assert_pmn_ok(pmn_repl_read_slot(r, &st));
        if (!st.active)
            break;
        usleep(100000);
    }
    assert_pmn_ok(pmn_repl_drop_slot(r));
    pmn_repl_free(r);
}

static void test_pg_errors__missing_slot_and_table(void **state)
{
    NEED_SERVER();
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &P, "pmn_it_never_created"));
    assert_int_equal(pmn_repl_start(r, 0, "pub"), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "42704");
    expect_msg("does not exist");
    expect_msg("full initial snapshot");
    pmn_repl_free(r);
    /* invalid slot name */
    assert_pmn_ok(pmn_repl_open(&r, &P, "Bad-Name"));
    pmn_repl_slot_created sc;
    assert_int_equal(pmn_repl_create_slot(r, false, &sc), PMN_EPG);
    expect_msg("invalid replication slot name");
    pmn_repl_free(r);

    pmn_pgconn *c;
    assert_pmn_ok(pmn_pgconn_open(&c, &P, false));
    pmn_pg_table *t = NULL;
    assert_int_equal(pmn_pg_catalog_find_table(&t, c, "public", "no_such_table"), PMN_ENOTFOUND);
    expect_msg("table public.no_such_table does not exist in database");
    pmn_pg_table **ts;
    size_t n;
    assert_int_equal(pmn_pg_catalog_list_tables(&ts, &n, c, "public", "nothing_.*"), PMN_ENOTFOUND);
    expect_msg("matches schema-name \"public\" and table-name \"nothing_.*\"");
    assert_int_equal(pmn_pg_catalog_list_tables(&ts, &n, c, "public", "(unclosed"), PMN_EINVALID);
    expect_msg("invalid schema-name or table-name pattern");
    /* an unmapped column type names table, column, type and the fix */
    it_exec(&P, "CREATE TABLE IF NOT EXISTS net (id int PRIMARY KEY, addr inet)");
    assert_pmn_ok(pmn_pg_catalog_find_table(&t, c, "public", "net"));
    assert_int_equal(pmn_pg_catalog_describe(c, t, NULL), PMN_EINVALID);
    expect_msg("public.net column \"addr\"");
    expect_msg("inet");
    expect_msg("--type_mapping to-string");
    pmn_type_mapping tm = {.to_string = true};
    assert_pmn_ok(pmn_pg_catalog_describe(c, t, &tm));
    assert_false(t->cols[0].type->nullable); /* PK stays NOT NULL under to-string */
    pmn_pg_table_free(t);
    /* several unmapped columns are named in one message, so one restart fixes them all */
    it_exec(&P, "CREATE TABLE IF NOT EXISTS net2 (id int PRIMARY KEY, addr inet, doc xml, "
                "ok bool, mac macaddr)");
    assert_pmn_ok(pmn_pg_catalog_find_table(&t, c, "public", "net2"));
    assert_int_equal(pmn_pg_catalog_describe(c, t, NULL), PMN_EINVALID);
    expect_msg("3 columns cannot be synced");
    expect_msg("column \"addr\"");
    expect_msg("column \"doc\"");
    expect_msg("column \"mac\"");
    pmn_pg_table_free(t);
    pmn_pgconn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_errors__wrong_password),
        cmocka_unit_test(test_pg_errors__password_from_environment),
        cmocka_unit_test(test_pg_errors__missing_database),
        cmocka_unit_test(test_pg_errors__unreachable_server),
        cmocka_unit_test(test_pg_errors__no_replication_privilege),
        cmocka_unit_test(test_pg_errors__slot_in_use_names_pid),
        cmocka_unit_test(test_pg_errors__slot_with_other_plugin),
        cmocka_unit_test(test_pg_errors__missing_publication),
        cmocka_unit_test(test_pg_errors__missing_slot_and_table),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
