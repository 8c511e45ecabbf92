/*
 * tests/unit/testutil.c
 *
 * Shared helpers for unit tests; see testutil.h.
 */
#include "testutil.h"

#include "pmn/common.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdlib.h>
#include <unistd.h>

char *pmn_test_tmpdir(const char *name)
{
    const char *base = getenv("PMN_TEST_TMP");
    char *dir = pmn_xasprintf("%s/%s-%ld", base ? base : "/tmp/pmn-test", name, (long)getpid());
    pmn_fs_remove_tree(dir);
    if (pmn_fs_mkdir_p(dir) != 0)
        fail_msg("cannot create %s: %s", dir, pmn_error_last());
    return dir;
}

char *pmn_test_fixture(const char *rel)
{
    return pmn_xasprintf("%s/%s", PMN_FIXTURES_DIR, rel);
}

pmn_table *pmn_test_create_table(pmn_catalog *cat, const char *db, const char *name,
                                 const pmn_table_def *def)
{
    pmn_catalog_create_database(cat, db, true);
    assert_pmn_ok(pmn_catalog_create_table(cat, db, name, def, false));
    pmn_table *t;
    assert_pmn_ok(pmn_table_open(cat, db, name, &t));
    return t;
}
