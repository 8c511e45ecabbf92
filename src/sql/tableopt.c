/*
 * src/sql/tableopt.c
 *
 * Table option value checks; see tableopt.h. Kinds follow Java's CoreOptions:
 * integers, booleans, enumerations, durations (TimeUtils: "1 h", "30min",
 * "10 s", a bare number = milliseconds) and memory sizes (MemorySize: "256 mb",
 * "128MB", a bare number = bytes).
 */
#include "sql/tableopt.h"

#include "pmn/common.h"
#include "util/error.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { K_INT, K_BOOL, K_ENUM, K_DURATION, K_MEMORY };

typedef struct known_option {
    const char *key;     /* Paimon option name */
    int kind;            /* K_* */
    const char *choices; /* K_ENUM: "|a|b|c|" */
} known_option;

static const known_option options[] = {
    {"bucket", K_INT, NULL},
    {"snapshot.num-retained.min", K_INT, NULL},
    {"snapshot.num-retained.max", K_INT, NULL},
    {"snapshot.expire.limit", K_INT, NULL},
    {"snapshot.time-retained", K_DURATION, NULL},
    {"changelog.num-retained.min", K_INT, NULL},
    {"changelog.num-retained.max", K_INT, NULL},
    {"changelog.time-retained", K_DURATION, NULL},
    {"consumer.expiration-time", K_DURATION, NULL},
    {"compaction.min.file-num", K_INT, NULL},
    {"compaction.max.file-num", K_INT, NULL},
    {"compaction.max-size-amplification-percent", K_INT, NULL},
    {"compaction.size-ratio", K_INT, NULL},
    {"full-compaction.delta-commits", K_INT, NULL},
    {"num-sorted-run.compaction-trigger", K_INT, NULL},
    {"num-sorted-run.stop-trigger", K_INT, NULL},
    {"num-levels", K_INT, NULL},
    {"manifest.merge-min-count", K_INT, NULL},
    {"commit.max-retries", K_INT, NULL},
    {"file.compression.zstd-level", K_INT, NULL},
    {"dynamic-bucket.target-row-num", K_INT, NULL},
    {"write-only", K_BOOL, NULL},
    {"ignore-delete", K_BOOL, NULL},
    {"deletion-vectors.enabled", K_BOOL, NULL},
    {"partition.legacy-name", K_BOOL, NULL},
    {"metadata.stats-dense-store", K_BOOL, NULL},
    {"write-buffer-spillable", K_BOOL, NULL},
    {"merge-engine", K_ENUM, "|deduplicate|partial-update|aggregation|first-row|"},
    {"changelog-producer", K_ENUM, "|none|input|lookup|full-compaction|"},
    {"file.format", K_ENUM, "|orc|parquet|avro|csv|json|"},
    {"manifest.format", K_ENUM, "|orc|parquet|avro|"},
    {"write-buffer-size", K_MEMORY, NULL},
    {"target-file-size", K_MEMORY, NULL},
    {"manifest.target-file-size", K_MEMORY, NULL},
    /* where reads start (CoreOptions.StartupMode; the numbers are Java Longs) */
    {"scan.mode", K_ENUM,
     "|default|latest-full|full|latest|compacted-full|from-timestamp|from-file-creation-time|"
     "from-snapshot|from-snapshot-full|incremental|"},
    {"scan.snapshot-id", K_INT, NULL},
    {"scan.timestamp-millis", K_INT, NULL},
    {"scan.file-creation-time-millis", K_INT, NULL},
};

static bool is_int(const char *v)
{
    const char *p = v;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    char *end;
    strtoll(v, &end, 10);
    return *end == '\0';
}

/* digits, optional blanks, then one of the units ("|ms|s|...|"), case-insensitive */
static bool number_with_unit(const char *v, const char *units)
{
    const char *p = v;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    if (n == 0)
        return true;
    for (const char *u = units + 1; *u; u = strchr(u, '|') + 1) {
        size_t ul = (size_t)(strchr(u, '|') - u);
        if (ul == n && strncasecmp(u, p, n) == 0)
            return true;
    }
    return false;
}

int pmn_sql_check_table_option(const char *key, const char *value)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        const known_option *o = &options[i];
        if (strcmp(o->key, key) != 0)
            continue;
        const char *expected = NULL;
        switch (o->kind) {
        case K_INT:
            if (!is_int(value))
                expected = "an integer";
            break;
        case K_BOOL:
            if (strcasecmp(value, "true") != 0 && strcasecmp(value, "false") != 0)
                expected = "true or false";
            break;
        case K_ENUM: {
            /* a whole choice ("full" also occurs inside "|latest-full|"; a value holding the
             * separator could match before the list's start) */
            size_t n = strlen(value);
            const char *hit = n && !strchr(value, '|') ? strstr(o->choices, value) : NULL;
            while (hit && (hit[-1] != '|' || hit[n] != '|'))
                hit = strstr(hit + 1, value);
            if (!hit)
                expected = o->choices;
            break;
        }
        case K_DURATION:
            if (!number_with_unit(value, "|ms|milli|millis|millisecond|milliseconds|s|sec|secs|"
                                         "second|seconds|m|min|mins|minute|minutes|h|hour|"
                                         "hours|d|day|days|"))
                expected = "a duration such as 1 h, 30 min or 10 s";
            break;
        case K_MEMORY:
            if (!number_with_unit(value, "|b|bytes|k|kb|kibibytes|m|mb|mebibytes|g|gb|gibibytes|"
                                         "t|tb|tebibytes|"))
                expected = "a memory size such as 256 mb or 128MB";
            break;
        }
        char choices[256];
        if (expected && o->kind == K_ENUM) {
            /* "|a|b|c|" -> "one of a, b, c" */
            size_t len = 0;
            len += (size_t)snprintf(choices, sizeof choices, "one of ");
            for (const char *p = o->choices + 1; *p && len + 3 < sizeof choices; p++) {
                if (*p == '|') {
                    if (p[1])
                        len += (size_t)snprintf(choices + len, sizeof choices - len, ", ");
                } else {
                    choices[len++] = *p;
                    choices[len] = '\0';
                }
            }
            expected = choices;
        }
        if (expected)
            return pmn_error_set(PMN_EINVALID,
                                 "Could not parse value '%s' for key '%s' (expected %s)", value,
                                 key, expected);
        return 0;
    }
    return 0;
}
