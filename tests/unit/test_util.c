/*
 * tests/unit/test_util.c
 *
 * util/: buffers, arenas, errors and file helpers.
 */
#include "testutil.h"

#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

static void test_util__buf_grows_and_terminates(void **state)
{
    pmn_buf b = PMN_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        pmn_buf_printf(&b, "%d,", i);
    assert_int_equal(strncmp(pmn_buf_cstr(&b), "0,1,2,", 6), 0);
    assert_int_equal(b.data[b.len], 0);
    assert_true(b.len > 3000);
    pmn_buf_dispose(&b);
}

static void test_util__arena_alignment_and_reset(void **state)
{
    pmn_arena a = PMN_ARENA_INIT;
    for (int i = 1; i < 5000; i++) {
        void *p = pmn_arena_alloc(&a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    char *s = pmn_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    pmn_arena_reset(&a);
    assert_int_equal(a.used_bytes, 0);
    pmn_arena_free(&a);
}

static void test_util__error_wrap_prefixes(void **state)
{
    pmn_error_set(PMN_ECORRUPT, "bad byte at %d", 7);
    pmn_error_wrap("reading %s: ", "x.avro");
    assert_string_equal(pmn_error_last(), "reading x.avro: bad byte at 7");
    assert_int_equal(pmn_error_code(), PMN_ECORRUPT);
    pmn_error_clear();
    assert_string_equal(pmn_error_last(), "");
}

static void test_util__create_file_refuses_existing(void **state)
{
    char *dir = pmn_test_tmpdir("fs");
    char *path = pmn_path_join(dir, "snapshot-1");
    assert_pmn_ok(pmn_fs_create_file(path, "one", 3));
    assert_int_equal(pmn_fs_create_file(path, "two", 3), PMN_EEXISTS);
    char *data;
    size_t len;
    assert_pmn_ok(pmn_fs_read_file(path, &data, &len));
    assert_string_equal(data, "one");
    free(data);
    char **names;
    size_t n;
    assert_pmn_ok(pmn_fs_list(dir, &names, &n));
    assert_int_equal(n, 1); /* no temporary file left behind */
    pmn_fs_list_free(names, n);
    assert_int_equal(pmn_fs_read_file("/nonexistent/x", &data, &len), PMN_ENOTFOUND);
    pmn_fs_remove_tree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util__buf_grows_and_terminates),
        cmocka_unit_test(test_util__arena_alignment_and_reset),
        cmocka_unit_test(test_util__error_wrap_prefixes),
        cmocka_unit_test(test_util__create_file_refuses_existing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
