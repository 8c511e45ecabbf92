/*
 * tests/unit/test_sql_output.c
 *
 * sql/output.c: Flink's tableau layout, CSV, JSON Lines and value rendering.
 */
#include "testutil.h"

#include "sql/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pmn_sql_cell cint(int64_t v)
{
    pmn_sql_cell c = {.kind = PMN_CELL_INT, .i = v};
    return c;
}

static pmn_sql_cell cdbl(double v)
{
    pmn_sql_cell c = {.kind = PMN_CELL_REAL, .f = v};
    return c;
}

static pmn_sql_cell ctext(const char *s)
{
    pmn_sql_cell c = {.kind = PMN_CELL_TEXT, .s = s, .n = strlen(s)};
    return c;
}

static pmn_sql_cell cnull(void)
{
    pmn_sql_cell c = {.kind = PMN_CELL_NULL};
    return c;
}

/* Print a fixed 3-column result in `fmt` with nrows of the sample rows; returns the text. */
static char *render(pmn_sql_format fmt, int nrows, int max_width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pmn_sql_printer *p = pmn_sql_printer_new(fmt, f, max_width);
    const char *names[] = {"product_id", "price", "is_active"};
    const char *types[] = {"VARCHAR(50)", "DECIMAL(10, 2)", "BOOLEAN"};
    pmn_sql_printer_begin(p, 3, names, types);
    pmn_sql_cell rows[3][3] = {{ctext("prod_001"), cdbl(99.9), cint(1)},
                               {ctext("a \"long\", name"), cdbl(1299.99), cint(0)},
                               {ctext("p3"), cnull(), cnull()}};
    for (int r = 0; r < nrows; r++)
        pmn_sql_printer_row(p, rows[r]);
    pmn_sql_printer_end(p);
    pmn_sql_printer_free(p);
    fclose(f);
    return buf;
}

static void test_sql_output__tableau(void **state)
{
    char *s = render(PMN_SQL_TABLEAU, 3, 30);
    assert_string_equal(s, "+----------------+---------+-----------+\n"
                           "|     product_id |   price | is_active |\n"
                           "+----------------+---------+-----------+\n"
                           "|       prod_001 |   99.90 |      TRUE |\n"
                           "| a \"long\", name | 1299.99 |     FALSE |\n"
                           "|             p3 |  <NULL> |    <NULL> |\n"
                           "+----------------+---------+-----------+\n"
                           "3 rows in set\n");
    free(s);
    s = render(PMN_SQL_TABLEAU, 1, 30);
    assert_non_null(strstr(s, "\n1 row in set\n"));
    free(s);
    s = render(PMN_SQL_TABLEAU, 0, 30);
    assert_string_equal(s, "Empty set\n");
    free(s);
    s = render(PMN_SQL_TABLEAU, 2, 8);
    assert_non_null(strstr(s, "| a \"lo... |"));
    assert_non_null(strstr(s, "| produ... |"));
    free(s);
}

static void test_sql_output__csv_and_json(void **state)
{
    char *s = render(PMN_SQL_CSV, 3, 30);
    assert_string_equal(s, "product_id,price,is_active\n"
                           "prod_001,99.90,true\n"
                           "\"a \"\"long\"\", name\",1299.99,false\n"
                           "p3,,\n");
    free(s);
    s = render(PMN_SQL_JSON, 3, 30);
    assert_string_equal(s, "{\"product_id\":\"prod_001\",\"price\":\"99.90\",\"is_active\":true}\n"
                           "{\"product_id\":\"a \\\"long\\\", name\",\"price\":\"1299.99\","
                           "\"is_active\":false}\n"
                           "{\"product_id\":\"p3\",\"price\":null,\"is_active\":null}\n");
    free(s);
}

static void test_sql_output__java_doubles(void **state)
{
    char buf[64];
    struct {
        double v;
        const char *want;
    } cases[] = {{5.0, "5.0"},
                 {99.99, "99.99"},
                 {0.1, "0.1"},
                 {1e7, "1.0E7"},
                 {12345678.9, "1.23456789E7"},
                 {0.001, "0.001"},
                 {0.0001, "1.0E-4"},
                 {-2.5, "-2.5"},
                 {0.0, "0.0"},
                 {100.0, "100.0"},
                 {1.0 / 3, "0.3333333333333333"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pmn_sql_format_double(cases[i].v, false, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    pmn_sql_format_double((double)0.1f, true, buf, sizeof buf);
    assert_string_equal(buf, "0.1");

    pmn_sql_cell c = cdbl(0.5);
    char *t = pmn_sql_cell_text(NULL, &c);
    assert_string_equal(t, "0.5");
    free(t);
    c = cint(3);
    t = pmn_sql_cell_text("DOUBLE", &c);
    assert_string_equal(t, "3.0");
    free(t);
    pmn_sql_cell b = {.kind = PMN_CELL_BLOB, .s = "\x01\xff", .n = 2};
    t = pmn_sql_cell_text("BYTES", &b);
    assert_string_equal(t, "x'01ff'");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_output__tableau),
        cmocka_unit_test(test_sql_output__csv_and_json),
        cmocka_unit_test(test_sql_output__java_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
