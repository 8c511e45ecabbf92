/*
 * tests/unit/test_pgconn.c
 *
 * The server-independent parts of pg/conn.c and pg/snapshot_copy.c:
 * connection parameters from a conninfo string, SQLSTATE → error code
 * classification, and the COPY text-format field decoder.
 */
#include "testutil.h"

#include "pg/conn.h"
#include "pg/snapshot_copy.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static void test_pgconn__params_from_conninfo(void **state)
{
    pmn_pg_connparams p;
    assert_pmn_ok(pmn_pg_connparams_from_conninfo(
        &p, "host=127.0.0.1 port=5433 user=u password='p w' dbname=ecommerce sslmode=disable"));
    assert_string_equal(p.host, "127.0.0.1");
    assert_string_equal(p.port, "5433");
    assert_string_equal(p.user, "u");
    assert_string_equal(p.password, "p w");
    assert_string_equal(p.dbname, "ecommerce");
    pmn_pg_connparams q;
    pmn_pg_connparams_copy(&q, &p);
    pmn_pg_connparams_dispose(&p);
    assert_string_equal(q.dbname, "ecommerce");
    pmn_pg_connparams_dispose(&q);
    assert_pmn_ok(pmn_pg_connparams_from_conninfo(&p, "postgresql://a@h:7/db"));
    assert_string_equal(p.user, "a");
    assert_string_equal(p.port, "7");
    pmn_pg_connparams_dispose(&p);
    assert_int_equal(pmn_pg_connparams_from_conninfo(&p, "host='unterminated"), PMN_EINVALID);
}

static void test_pgconn__sqlstate_classes(void **state)
{
    assert_int_equal(pmn_pg_error_code_for_sqlstate("08006"), PMN_ECONN);
    assert_int_equal(pmn_pg_error_code_for_sqlstate("08P01"), PMN_ECONN);
    assert_int_equal(pmn_pg_error_code_for_sqlstate("57P01"), PMN_ECONN);
    assert_int_equal(pmn_pg_error_code_for_sqlstate("28P01"), PMN_EPG);
    assert_int_equal(pmn_pg_error_code_for_sqlstate("55006"), PMN_EPG);
    assert_int_equal(pmn_pg_error_code_for_sqlstate("42704"), PMN_EPG);
    assert_int_equal(pmn_pg_error_code_for_sqlstate(""), PMN_EPG);
}

static void unescape_eq(const char *in, const char *want, long wantlen)
{
    char out[256];
    long n = pmn_copy_text_unescape(out, in, strlen(in));
    assert_int_equal(n, wantlen);
    if (n > 0)
        assert_memory_equal(out, want, (size_t)n);
}

static void test_pgconn__copy_text_unescape(void **state)
{
    unescape_eq("plain", "plain", 5);
    unescape_eq("", "", 0);
    assert_int_equal(pmn_copy_text_unescape((char[4]){0}, "\\N", 2), -1);
    unescape_eq("\\\\N", "\\N", 2); /* an escaped backslash then N is text, not NULL */
    unescape_eq("a\\tb\\nc\\rd", "a\tb\nc\rd", 7);
    unescape_eq("\\\\x00ff", "\\x00ff", 6); /* bytea hex output inside COPY */
    unescape_eq("\\b\\f\\v", "\b\f\v", 3);
    unescape_eq("\\101\\7", "A\a", 2);
    unescape_eq("\\x41\\x4a2", "AJ2", 3);
    unescape_eq("\\q", "q", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgconn__params_from_conninfo),
        cmocka_unit_test(test_pgconn__sqlstate_classes),
        cmocka_unit_test(test_pgconn__copy_text_unescape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
