/*
 * tests/unit/testutil.h
 *
 * Shared helpers for the cmocka unit tests: cmocka's includes in the right
 * order, a scratch directory per test, fixture paths, and a table to test on.
 */
#ifndef PMN_TESTUTIL_H
#define PMN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pmn/catalog.h"

/* pmn_test_tmpdir: a fresh empty directory for this test (caller frees). */
char *pmn_test_tmpdir(const char *name);
/* pmn_test_fixture: PMN_FIXTURES_DIR/<rel> on the heap (caller frees). */
char *pmn_test_fixture(const char *rel);
/* pmn_test_create_table: create database `db` (if absent) and table db.name from def, and open
 * it (caller frees with pmn_table_free; def stays the caller's). Fails the test on error. */
pmn_table *pmn_test_create_table(pmn_catalog *cat, const char *db, const char *name,
                                 const pmn_table_def *def);
/* assert that a pmn call returned 0, printing pmn_error_last() otherwise. */
#define assert_pmn_ok(expr)                                                                        \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s returned %d: %s", #expr, rc_, pmn_error_last());                          \
    } while (0)

#endif
