/*
 * tests/unit/test_sql_options.c
 *
 * sql/tableopt.c: table option values Java Paimon could parse are accepted, others refused
 * with the key and what was expected.
 */
#include "testutil.h"

#include "pmn/common.h"
#include "sql/tableopt.h"

#include <string.h>

static void test_sql_options__accepts_paimon_values(void **state)
{
    const char *ok[][2] = {{"compaction.min.file-num", "3"},
                           {"compaction.max.file-num", "20"},
                           {"snapshot.num-retained.min", "5"},
                           {"snapshot.time-retained", "1 h"},
                           {"snapshot.time-retained", "30min"},
                           {"snapshot.time-retained", "60000"},
                           {"write-buffer-size", "256 mb"},
                           {"target-file-size", "128MB"},
                           {"merge-engine", "partial-update"},
                           {"changelog-producer", "lookup"},
                           {"write-only", "TRUE"},
                           {"some.unknown.key", "anything"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_pmn_ok(pmn_sql_check_table_option(ok[i][0], ok[i][1]));
}

static void test_sql_options__refuses_unparsable_values(void **state)
{
    assert_int_equal(pmn_sql_check_table_option("snapshot.num-retained.min", "abc"), PMN_EINVALID);
    assert_string_equal(pmn_error_last(), "Could not parse value 'abc' for key "
                                          "'snapshot.num-retained.min' (expected an integer)");
    assert_int_equal(pmn_sql_check_table_option("merge-engine", "dedup"), PMN_EINVALID);
    assert_non_null(strstr(
        pmn_error_last(), "(expected one of deduplicate, partial-update, aggregation, first-row)"));
    assert_int_equal(pmn_sql_check_table_option("merge-engine", "duplicate"), PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("snapshot.time-retained", "1 fortnight"),
                     PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("write-buffer-size", "big"), PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("write-only", "yes"), PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("bucket", ""), PMN_EINVALID);
}

/* the startup options: scan.mode one of Java's StartupMode values, the numbers integers */
static void test_sql_options__scan_startup(void **state)
{
    (void)state;
    const char *modes[] = {"default",        "latest-full",
                           "full",           "latest",
                           "compacted-full", "from-timestamp",
                           "from-snapshot",  "from-snapshot-full",
                           "incremental",    "from-file-creation-time"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        assert_pmn_ok(pmn_sql_check_table_option("scan.mode", modes[i]));
    assert_pmn_ok(pmn_sql_check_table_option("scan.file-creation-time-millis", "1700000000000"));
    assert_pmn_ok(pmn_sql_check_table_option("scan.snapshot-id", "3"));
    assert_pmn_ok(pmn_sql_check_table_option("scan.timestamp-millis", "1700000000000"));
    assert_int_equal(pmn_sql_check_table_option("scan.mode", "from-file-time"), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "'scan.mode'"));
    assert_non_null(strstr(pmn_error_last(), "from-file-creation-time, from-snapshot"));
    assert_int_equal(pmn_sql_check_table_option("scan.file-creation-time-millis", "yesterday"),
                     PMN_EINVALID);
    assert_string_equal(pmn_error_last(), "Could not parse value 'yesterday' for key "
                                          "'scan.file-creation-time-millis' (expected an "
                                          "integer)");
    assert_int_equal(pmn_sql_check_table_option("scan.snapshot-id", "1.5"), PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("scan.mode", "|default"), PMN_EINVALID);
    assert_int_equal(pmn_sql_check_table_option("scan.mode", "full|"), PMN_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_options__accepts_paimon_values),
        cmocka_unit_test(test_sql_options__refuses_unparsable_values),
        cmocka_unit_test(test_sql_options__scan_startup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
