/*
 * src/sql/functions.c
 *
 * Flink built-in functions missing from SQLite; see functions.h.
 */
#include "sql/functions.h"

#include "sql/jsonfn.h"
#include "sql/value.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static void fn_concat(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    pmn_buf b = PMN_BUF_INIT;
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            pmn_buf_dispose(&b);
            sqlite3_result_null(ctx);
            return;
        }
        pmn_buf_put(&b, sqlite3_value_text(argv[i]), (size_t)sqlite3_value_bytes(argv[i]));
    }
    sqlite3_result_text(ctx, b.data ? (const char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

static void fn_concat_ws(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *sep = (const char *)sqlite3_value_text(argv[0]);
    pmn_buf b = PMN_BUF_INIT;
    bool first = true;
    for (int i = 1; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        if (!first)
            pmn_buf_puts(&b, sep);
        first = false;
        pmn_buf_put(&b, sqlite3_value_text(argv[i]), (size_t)sqlite3_value_bytes(argv[i]));
    }
    sqlite3_result_text(ctx, b.data ? (const char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t secs = tv.tv_sec;
    struct tm tm;
    localtime_r(&secs, &tm);
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* Fields of "YYYY-MM-DD[ HH:MM:SS[.fff]]": y, M, d, H, m, s, millis. */
static bool parse_fields(sqlite3_value *v, int f[7])
{
    const char *s = (const char *)sqlite3_value_text(v);
    if (!s)
        return false;
    memset(f, 0, 7 * sizeof(int));
    int n =
        sscanf(s, "%d-%d-%d%*[ T]%d:%d:%d.%3d", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]);
    return n >= 3;
}

static void fn_part(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int f[7];
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !parse_fields(argv[0], f)) {
        sqlite3_result_null(ctx);
        return;
    }
    int which = (int)(intptr_t)sqlite3_user_data(ctx);
    if (which == 7)
        sqlite3_result_int(ctx, (f[1] - 1) / 3 + 1);
    else
        sqlite3_result_int(ctx, f[which]);
}

static void fn_date_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int f[7];
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL ||
        !parse_fields(argv[0], f)) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *p = (const char *)sqlite3_value_text(argv[1]);
    pmn_buf b = PMN_BUF_INIT;
    while (*p) {
        char c = *p;
        int run = 1;
        while (p[run] == c)
            run++;
        int val = -1;
        switch (c) {
        case 'y':
            val = run == 2 ? f[0] % 100 : f[0];
            break;
        case 'M':
            val = f[1];
            break;
        case 'd':
            val = f[2];
            break;
        case 'H':
            val = f[3];
            break;
        case 'm':
            val = f[4];
            break;
        case 's':
            val = f[5];
            break;
        case 'S':
            val = f[6];
            break;
        default:
            break;
        }
        if (val >= 0) {
            pmn_buf_printf(&b, "%0*d", run, val);
        } else if (c == '\'') {
            /* 'quoted text' is literal; '' is a quote */
            if (p[1] == '\'') {
                pmn_buf_putc(&b, '\'');
                run = 2;
            } else {
                const char *q = p + 1;
                while (*q && !(*q == '\'' && q[1] != '\'')) {
                    pmn_buf_putc(&b, (uint8_t)*q);
                    q += (*q == '\'' ? 2 : 1);
                }
                run = (int)(q - p) + (*q ? 1 : 0);
            }
        } else {
            pmn_buf_put(&b, p, (size_t)run);
        }
        p += run;
    }
    sqlite3_result_text(ctx, b.data ? (const char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

static void fn_split_index(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *sep = (const char *)sqlite3_value_text(argv[1]);
    int idx = sqlite3_value_int(argv[2]);
    if (!s || !sep || !*sep || idx < 0) {
        sqlite3_result_null(ctx);
        return;
    }
    size_t seplen = strlen(sep);
    for (int i = 0; i < idx; i++) {
        const char *q = strstr(s, sep);
        if (!q) {
            sqlite3_result_null(ctx);
            return;
        }
        s = q + seplen;
    }
    const char *end = strstr(s, sep);
    sqlite3_result_text(ctx, s, end ? (int)(end - s) : -1, SQLITE_TRANSIENT);
}

static void fn_initcap(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    pmn_buf b = PMN_BUF_INIT;
    bool start = true;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        pmn_buf_putc(&b, (uint8_t)(start ? toupper(c) : tolower(c)));
        start = !isalnum(c);
    }
    sqlite3_result_text(ctx, b.data ? (const char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

static void fn_locate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *needle = (const char *)sqlite3_value_text(argv[0]);
    const char *s = (const char *)sqlite3_value_text(argv[1]);
    if (!needle || !s) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *q = strstr(s, needle);
    sqlite3_result_int(ctx, q ? (int)(q - s) + 1 : 0);
}

static void fn_reverse(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    size_t n = strlen(s);
    pmn_buf b = PMN_BUF_INIT;
    /* reverse by UTF-8 characters */
    size_t end = n;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
            start--;
        pmn_buf_put(&b, s + start, end - start);
        end = start;
    }
    sqlite3_result_text(ctx, b.data ? (const char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

/* MOD(a, b): integer remainder for integers (Flink's MOD of INT is INT), fmod otherwise. */
static void fn_mod(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int ta = sqlite3_value_numeric_type(argv[0]), tb = sqlite3_value_numeric_type(argv[1]);
    if (ta == SQLITE_NULL || tb == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
        sqlite3_int64 a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
        if (b == 0 || (b == -1 && a == INT64_MIN))
            sqlite3_result_null(ctx);
        else
            sqlite3_result_int64(ctx, a % b);
        return;
    }
    double b = sqlite3_value_double(argv[1]);
    if (b == 0)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_double(ctx, fmod(sqlite3_value_double(argv[0]), b));
}

/* pmn_to_double(x): CAST(x AS DOUBLE / FLOAT) as Flink does it (Double.parseDouble of the
 * trimmed text): 'NaN', 'Infinity', '+Infinity' and '-Infinity' are accepted, and text that is
 * not a number is an error rather than SQLite's 0.0. NaN is returned as the text 'NaN' (SQLite
 * turns a NaN double into NULL; sql/value.c does the same for NaN column values). */
static void fn_to_double(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
        sqlite3_result_null(ctx);
        return;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        sqlite3_result_double(ctx, sqlite3_value_double(argv[0]));
        return;
    default:
        break;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char buf[64];
    bool ok = n > 0 && n < sizeof buf;
    double d = 0;
    if (ok) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        const char *w = buf + (buf[0] == '+' || buf[0] == '-');
        if (!strcmp(w, "NaN")) {
            sqlite3_result_text(ctx, "NaN", 3, SQLITE_STATIC);
            return;
        }
        if (!strcmp(w, "Infinity")) {
            d = buf[0] == '-' ? -INFINITY : INFINITY;
        } else {
            /* digits, one dot, an exponent: no hex, no "inf"/"nan" spellings Java rejects */
            for (const char *p = w; *p && ok; p++)
                ok = isdigit((unsigned char)*p) || strchr(".eE+-", *p);
            char *end;
            d = ok ? strtod(buf, &end) : 0;
            ok = ok && end != buf && *end == '\0';
        }
    }
    if (!ok) {
        char *msg = sqlite3_mprintf("cannot cast '%s' to DOUBLE: not a number", s);
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_free(msg);
        return;
    }
    sqlite3_result_double(ctx, d);
}

/* pmn_decimal('digits'): a decimal literal of more than 15 significant digits (sql/rewrite.c),
 * as a double whose exact digits the statement's registry keeps (sql/value.h). */
static void fn_decimal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_double(ctx, pmn_sql_exact_literal(s));
}

/* A JSON value found by element access or a JSON function as an SQLite value: strings as
 * TEXT, integers as INTEGER, reals as REAL, booleans 1/0, null NULL, arrays and objects as
 * compact JSON text. */
static void result_json(sqlite3_context *ctx, json_t *j)
{
    if (!j || json_is_null(j)) {
        sqlite3_result_null(ctx);
    } else if (json_is_string(j)) {
        sqlite3_result_text(ctx, json_string_value(j), (int)json_string_length(j),
                            SQLITE_TRANSIENT);
    } else if (json_is_integer(j)) {
        sqlite3_result_int64(ctx, json_integer_value(j));
    } else if (json_is_real(j)) {
        sqlite3_result_double(ctx, json_real_value(j));
    } else if (json_is_boolean(j)) {
        sqlite3_result_int(ctx, json_is_true(j));
    } else {
        char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        sqlite3_result_text(ctx, txt ? txt : "", -1, SQLITE_TRANSIENT);
        free(txt);
    }
}

/* pmn_item(container, key): Flink's element access `arr[i]` / `map[k]` (sql/rewrite.c turns
 * the brackets into this call). Nested values are JSON text (sql/value.h): an array is indexed
 * from 1 and an index outside it gives NULL (as Flink); a map with string keys is a JSON
 * object looked up by key, a map with other keys a list of [key, value] pairs looked up by
 * the key's value (the column value's subtype says so, sql/value.h; a string key also
 * searches pairs); a missing key gives NULL. */
static void fn_item(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int ct = sqlite3_value_type(argv[0]), kt = sqlite3_value_type(argv[1]);
    if (ct == SQLITE_NULL || kt == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    json_t *j = NULL;
    if (ct == SQLITE_TEXT)
        j = json_loadb((const char *)sqlite3_value_text(argv[0]),
                       (size_t)sqlite3_value_bytes(argv[0]), JSON_DECODE_ANY, NULL);
    if (!j || (!json_is_array(j) && !json_is_object(j))) {
        json_decref(j);
        sqlite3_result_error(ctx, "element access [...] needs an ARRAY or MAP value", -1);
        return;
    }
    unsigned sub = sqlite3_value_subtype(argv[0]);
    bool pairs = (sub & PMN_SQL_SUBTYPE_PAIRS) != 0;
    sub &= ~(unsigned)PMN_SQL_SUBTYPE_PAIRS; /* what the elements are, for nested access */
    json_t *found = NULL;
    if (json_is_object(j)) {
        found = json_object_get(j, (const char *)sqlite3_value_text(argv[1]));
    } else if (!pairs && (kt == SQLITE_INTEGER ||
                          (kt == SQLITE_FLOAT && sqlite3_value_double(argv[1]) ==
                                                     floor(sqlite3_value_double(argv[1]))))) {
        int64_t i = sqlite3_value_int64(argv[1]);
        if (i >= 1 && (uint64_t)i <= json_array_size(j))
            found = json_array_get(j, (size_t)(i - 1));
    } else {
        /* a map with non-string keys: [[key, value], ...] */
        const char *key = (const char *)sqlite3_value_text(argv[1]);
        for (size_t i = 0; key && i < json_array_size(j) && !found; i++) {
            json_t *pair = json_array_get(j, i);
            json_t *k = json_array_get(pair, 0);
            if (!json_is_array(pair) || json_array_size(pair) != 2 || !k)
                break;
            char *kt_text = json_is_string(k) ? NULL : json_dumps(k, JSON_ENCODE_ANY);
            const char *ks = json_is_string(k) ? json_string_value(k) : kt_text;
            if (ks && !strcmp(ks, key))
                found = json_array_get(pair, 1);
            free(kt_text);
        }
        if (!found && kt != SQLITE_TEXT && !pairs) {
            json_decref(j);
            sqlite3_result_error(ctx, "an ARRAY index must be an integer", -1);
            return;
        }
    }
    if (json_is_array(found) || json_is_object(found)) {
        result_json(ctx, found);
        if (sub)
            sqlite3_result_subtype(ctx, sub); /* for the next [...] */
    } else if (!json_is_string(found) || !sub ||
               !pmn_sql_nested_element(ctx, sub, json_string_value(found))) {
        result_json(ctx, found);
    }
    json_decref(j);
}

int pmn_sql_functions_register(sqlite3 *db)
{
    static const struct {
        const char *name;
        int which;
    } parts[] = {{"year", 0},   {"month", 1},  {"dayofmonth", 2}, {"hour", 3},
                 {"minute", 4}, {"second", 5}, {"quarter", 7}};
    int rc = SQLITE_OK;
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    rc |= sqlite3_create_function(db, "concat", -1, flags, NULL, fn_concat, NULL, NULL);
    rc |= sqlite3_create_function(db, "concat_ws", -1, flags, NULL, fn_concat_ws, NULL, NULL);
    rc |= sqlite3_create_function(db, "now", 0, SQLITE_UTF8, NULL, fn_now, NULL, NULL);
    rc |= sqlite3_create_function(db, "localtimestamp", 0, SQLITE_UTF8, NULL, fn_now, NULL, NULL);
    rc |= sqlite3_create_function(db, "date_format", 2, flags, NULL, fn_date_format, NULL, NULL);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        rc |= sqlite3_create_function(db, parts[i].name, 1, flags, (void *)(intptr_t)parts[i].which,
                                      fn_part, NULL, NULL);
    rc |= sqlite3_create_function(db, "split_index", 3, flags, NULL, fn_split_index, NULL, NULL);
    rc |= sqlite3_create_function(db, "initcap", 1, flags, NULL, fn_initcap, NULL, NULL);
    rc |= sqlite3_create_function(db, "locate", 2, flags, NULL, fn_locate, NULL, NULL);
    rc |= sqlite3_create_function(db, "reverse", 1, flags, NULL, fn_reverse, NULL, NULL);
    rc |= sqlite3_create_function(db, "mod", 2, flags, NULL, fn_mod, NULL, NULL);
    rc |= sqlite3_create_function(db, "pmn_to_double", 1, flags, NULL, fn_to_double, NULL, NULL);
    rc |= sqlite3_create_function(db, "pmn_decimal", 1, flags, NULL, fn_decimal, NULL, NULL);
    rc |= sqlite3_create_function(db, "pmn_item", 2, flags, NULL, fn_item, NULL, NULL);
    rc |= pmn_sql_json_functions_register(db);
    if (rc != SQLITE_OK)
        return pmn_error_set(PMN_ERROR, "registering SQL functions: %s", sqlite3_errmsg(db));
    return 0;
}
