/*
 * tests/integration/test_pg_server_limits.c
 *
 * Source errors that need a specially configured server, each skipped unless
 * its server is given:
 *   PMN_TEST_CONNINFO_REPLICA  a server with wal_level = replica
 *   PMN_TEST_CONNINFO_LIMITED  wal_level = logical, max_replication_slots = 2,
 *                              max_slot_wal_keep_size = 1MB
 * Checks: wal_level not logical (55000 → the wal_level fix), all slots in
 * use (53400 → max_replication_slots fix), invalidated slot (wal_status
 * lost → "drop the slot and sync again").
 */
#include "pg_it.h"

static bool params_from_env(pmn_pg_connparams *p, const char *var)
{
    const char *ci = getenv(var);
    if (!ci || !*ci)
        return false;
    assert_pmn_ok(pmn_pg_connparams_from_conninfo(p, ci));
    return true;
}

static void expect_msg(const char *needle)
{
    if (getenv("PMN_IT_VERBOSE"))
        print_message("message: %s\n", pmn_error_last());
    if (!strstr(pmn_error_last(), needle))
        fail_msg("error \"%s\" lacks \"%s\"", pmn_error_last(), needle);
}

static void test_pg_server_limits__wal_level_replica(void **state)
{
    pmn_pg_connparams p;
    if (!params_from_env(&p, "PMN_TEST_CONNINFO_REPLICA"))
        skip();
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &p, "pmn_it_wal"));
    pmn_repl_slot_created sc;
    assert_int_equal(pmn_repl_create_slot(r, true, &sc), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "55000");
    expect_msg("wal_level = replica");
    expect_msg("set wal_level = logical in postgresql.conf and restart PostgreSQL");
    pmn_repl_free(r);
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_server_limits__slots_exhausted(void **state)
{
    pmn_pg_connparams p;
    if (!params_from_env(&p, "PMN_TEST_CONNINFO_LIMITED"))
        skip();
    free(it_query1(&p, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"));
    free(it_query1(&p, "SELECT pg_create_logical_replication_slot('pmn_fill1', 'pgoutput')"));
    free(it_query1(&p, "SELECT pg_create_logical_replication_slot('pmn_fill2', 'pgoutput')"));
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &p, "pmn_it_third"));
    bool created;
    pmn_repl_slot_created sc;
    assert_int_equal(pmn_repl_ensure_slot(r, true, &created, &sc), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "53400");
    expect_msg("all replication slots are in use");
    expect_msg("raise max_replication_slots");
    pmn_repl_free(r);
    free(it_query1(&p, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"));
    pmn_pg_connparams_dispose(&p);
}

static void test_pg_server_limits__slot_invalidated(void **state)
{
    pmn_pg_connparams p;
    if (!params_from_env(&p, "PMN_TEST_CONNINFO_LIMITED"))
        skip();
    free(it_query1(&p, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"));
    pmn_repl *r;
    assert_pmn_ok(pmn_repl_open(&r, &p, "pmn_it_lost"));
    pmn_repl_slot_created sc;
    assert_pmn_ok(pmn_repl_create_slot(r, false, &sc));
    pmn_repl_free(r);
    it_exec(&p, "DROP TABLE IF EXISTS junk; CREATE TABLE junk (id int, pad text)");
    char *status = NULL;
    for (int round = 0; round < 10; round++) {
        it_exec(&p, "INSERT INTO junk SELECT i, repeat('x', 200) FROM generate_series(1, 50000) i");
        free(it_query1(&p, "SELECT pg_switch_wal()"));
        it_exec(&p, "CHECKPOINT");
        free(status);
        status = it_query1(&p, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = "
                               "'pmn_it_lost'");
        if (status && strcmp(status, "lost") == 0)
            break;
    }
    assert_non_null(status);
    assert_string_equal(status, "lost");
    free(status);
    assert_pmn_ok(pmn_repl_open(&r, &p, "pmn_it_lost"));
    bool created;
    assert_int_equal(pmn_repl_ensure_slot(r, false, &created, &sc), PMN_EPG);
    expect_msg("was invalidated");
    expect_msg("drop the slot and sync again from a new initial snapshot");
    /* START on it: the server's 55000, classified from the slot's state */
    assert_int_equal(pmn_repl_start(r, 0, "any"), PMN_EPG);
    assert_string_equal(pmn_error_sqlstate(), "55000");
    expect_msg("was invalidated");
    pmn_repl_free(r);
    it_exec(&p, "DROP TABLE junk");
    free(it_query1(&p, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"));
    pmn_pg_connparams_dispose(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_server_limits__wal_level_replica),
        cmocka_unit_test(test_pg_server_limits__slots_exhausted),
        cmocka_unit_test(test_pg_server_limits__slot_invalidated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
