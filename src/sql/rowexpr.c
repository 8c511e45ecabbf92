/*
 * src/sql/rowexpr.c
 *
 * Row expressions on SQLite; see rowexpr.h. Each expression is one prepared
 * statement `SELECT (expr) FROM (SELECT ?1 AS "c1", ?2 AS "c2", ...)` on a
 * private in-memory database; evaluating binds the row and steps once.
 * Temporal values are bound as ISO-8601 text, which SQLite's date functions
 * and our year()/date_format() read.
 */
#include "sql/rowexpr.h"

#include "paimon/data_type_json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct pmn_rowexpr {
    sqlite3 *db;
    sqlite3_stmt *stmt;
    const pmn_type *row;
    pmn_type *type;
    char *name;
};

/* ---- binding ---- */

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static void format_ts(int64_t millis, int32_t nanos, char *out, size_t len)
{
    int64_t days = floor_div(millis, 86400000);
    int64_t ms = millis - days * 86400000;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, m, d, (int)(ms / 3600000),
             (int)(ms / 60000 % 60), (int)(ms / 1000 % 60), (int)(ms % 1000) * 1000 + nanos / 1000);
}

static double decimal_to_double(pmn_i128 v, int scale)
{
    double x = (double)v;
    while (scale-- > 0)
        x /= 10.0;
    return x;
}

static void bind_datum(sqlite3_stmt *st, int i, const pmn_type *t, const pmn_datum *d)
{
    if (d->is_null) {
        sqlite3_bind_null(st, i);
        return;
    }
    char buf[64];
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        sqlite3_bind_int(st, i, d->v.b);
        break;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
        sqlite3_bind_int64(st, i, d->v.i);
        break;
    case PMN_TYPE_FLOAT:
        sqlite3_bind_double(st, i, d->v.f4);
        break;
    case PMN_TYPE_DOUBLE:
        sqlite3_bind_double(st, i, d->v.f8);
        break;
    case PMN_TYPE_DECIMAL:
        sqlite3_bind_double(st, i, decimal_to_double(d->v.dec, t->scale));
        break;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        sqlite3_bind_text(st, i, (const char *)d->v.bin.ptr, (int)d->v.bin.len, SQLITE_STATIC);
        break;
    case PMN_TYPE_DATE: {
        int y, m, dd;
        civil_from_days(d->v.i, &y, &m, &dd);
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    }
    case PMN_TYPE_TIME:
        snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", (int)(d->v.i / 3600000),
                 (int)(d->v.i / 60000 % 60), (int)(d->v.i / 1000 % 60), (int)(d->v.i % 1000));
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        format_ts(d->v.ts.millis, d->v.ts.nanos, buf, sizeof buf);
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        sqlite3_bind_blob(st, i, d->v.bin.ptr, (int)d->v.bin.len, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_null(st, i); /* nested types are not visible to expressions */
        break;
    }
}

/* ---- Paimon's computed-column functions ---- */

/* parse_ts: "YYYY-MM-DD[ HH:MM:SS[.f]]" or an epoch number (seconds, or the given precision). */
static int parse_ts(sqlite3_value *v, int precision, struct tm *tm, int *micros)
{
    memset(tm, 0, sizeof *tm);
    *micros = 0;
    if (sqlite3_value_type(v) == SQLITE_INTEGER || sqlite3_value_type(v) == SQLITE_FLOAT ||
        precision >= 0) {
        int64_t x = sqlite3_value_int64(v);
        int64_t div = precision == 3 ? 1000 : precision == 6 ? 1000000 : precision == 9 ? 1000000000
                                                                                     : 1;
        time_t secs = (time_t)floor_div(x, div);
        gmtime_r(&secs, tm);
        return 0;
    }
    const char *s = (const char *)sqlite3_value_text(v);
    if (!s)
        return -1;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) < 3)
        return -1;
    const char *p = s + n;
    if (*p == ' ' || *p == 'T') {
        if (sscanf(p + 1, "%d:%d:%d", &h, &mi, &sec) >= 2) {
            const char *dot = strchr(p, '.');
            if (dot) {
                int digits = 0;
                for (const char *q = dot + 1; isdigit((unsigned char)*q) && digits < 6; q++, digits++)
                    *micros = *micros * 10 + (*q - '0');
                while (digits++ < 6)
                    *micros *= 10;
            }
        }
    }
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    tm->tm_hour = h;
    tm->tm_min = mi;
    tm->tm_sec = sec;
    return 0;
}

static void fn_temporal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    int precision = argc > 1 ? sqlite3_value_int(argv[1]) : -1;
    struct tm tm;
    int micros;
    if (parse_ts(argv[0], precision, &tm, &micros) != 0) {
        sqlite3_result_null(ctx);
        return;
    }
    int which = (int)(intptr_t)sqlite3_user_data(ctx);
    int vals[] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    sqlite3_result_int(ctx, vals[which]);
}

/* fn_date_format: Java DateTimeFormatter letters (yyyy MM dd HH mm ss SSS) to text. */
static void fn_date_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    int precision = argc > 2 ? sqlite3_value_int(argv[2]) : -1;
    struct tm tm;
    int micros;
    const char *fmt = (const char *)sqlite3_value_text(argv[1]);
    if (!fmt || parse_ts(argv[0], precision, &tm, &micros) != 0) {
        sqlite3_result_null(ctx);
        return;
    }
    pmn_buf b = PMN_BUF_INIT;
    for (const char *p = fmt; *p;) {
        size_t run = 1;
        while (p[run] == p[0])
            run++;
        switch (p[0]) {
        case 'y':
            pmn_buf_printf(&b, run == 2 ? "%02d" : "%04d",
                           run == 2 ? (tm.tm_year + 1900) % 100 : tm.tm_year + 1900);
            break;
        case 'M':
            pmn_buf_printf(&b, run >= 2 ? "%02d" : "%d", tm.tm_mon + 1);
            break;
        case 'd':
            pmn_buf_printf(&b, run >= 2 ? "%02d" : "%d", tm.tm_mday);
            break;
        case 'H':
            pmn_buf_printf(&b, run >= 2 ? "%02d" : "%d", tm.tm_hour);
            break;
        case 'm':
            pmn_buf_printf(&b, run >= 2 ? "%02d" : "%d", tm.tm_min);
            break;
        case 's':
            pmn_buf_printf(&b, run >= 2 ? "%02d" : "%d", tm.tm_sec);
            break;
        case 'S':
            pmn_buf_printf(&b, "%0*d", (int)(run > 6 ? 6 : run),
                           micros / (run >= 6 ? 1 : run == 5 ? 10 : run == 4 ? 100 : run == 3 ? 1000 : run == 2 ? 10000 : 100000));
            break;
        case '\'': {
            const char *end = strchr(p + 1, '\'');
            size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
            pmn_buf_put(&b, p + 1, len);
            run = len + (end ? 2 : 1);
            break;
        }
        default:
            pmn_buf_put(&b, p, run);
            break;
        }
        p += run;
    }
    sqlite3_result_text(ctx, pmn_buf_cstr(&b), (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
}

static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[64];
    format_ts((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, 0, buf, sizeof buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* fn_substring: Java String.substring(begin[, end]) on code points (0-based, end exclusive). */
static void fn_substring(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    int begin = sqlite3_value_int(argv[1]);
    int end = argc > 2 ? sqlite3_value_int(argv[2]) : -1;
    int cp = 0;
    const unsigned char *start = NULL, *stop = NULL, *p = s;
    for (;; cp++) {
        if (cp == begin)
            start = p;
        if (end >= 0 && cp == end)
            stop = p;
        if (!*p)
            break;
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
    }
    if (!start || (end >= 0 && (!stop || stop < start))) {
        sqlite3_result_error(ctx, "substring: index out of range", -1);
        return;
    }
    if (!stop)
        stop = p;
    sqlite3_result_text(ctx, (const char *)start, (int)(stop - start), SQLITE_TRANSIENT);
}

/* fn_truncate: Paimon's truncate: string prefix; integer v - (((v % w) + w) % w); decimal
 * v - (v % w). */
static void fn_truncate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int w = sqlite3_value_int(argv[1]);
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
        sqlite3_result_null(ctx);
        return;
    case SQLITE_INTEGER: {
        int64_t v = sqlite3_value_int64(argv[0]);
        sqlite3_result_int64(ctx, w > 0 ? v - (((v % w) + w) % w) : v);
        return;
    }
    case SQLITE_FLOAT: {
        double v = sqlite3_value_double(argv[0]);
        sqlite3_result_double(ctx, w > 0 ? v - __builtin_fmod(v, w) : v);
        return;
    }
    default: {
        const unsigned char *s = sqlite3_value_text(argv[0]);
        const unsigned char *p = s;
        for (int i = 0; i < w && *p; i++) {
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
        }
        sqlite3_result_text(ctx, (const char *)s, (int)(p - s), SQLITE_TRANSIENT);
        return;
    }
    }
}

/* fn_cast: cast(value, 'TYPE'): the value as a constant; the type is decided at compile time. */
static void fn_cast(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sqlite3_result_value(ctx, argv[0]);
}

static void register_functions(sqlite3 *db)
{
    static const char *temporal[] = {"year", "month", "day", "hour", "minute", "second"};
    for (int i = 0; i < 6; i++) {
        sqlite3_create_function(db, temporal[i], 1, SQLITE_UTF8, (void *)(intptr_t)i, fn_temporal,
                                NULL, NULL);
        sqlite3_create_function(db, temporal[i], 2, SQLITE_UTF8, (void *)(intptr_t)i, fn_temporal,
                                NULL, NULL);
    }
    sqlite3_create_function(db, "date_format", 2, SQLITE_UTF8, NULL, fn_date_format, NULL, NULL);
    sqlite3_create_function(db, "date_format", 3, SQLITE_UTF8, NULL, fn_date_format, NULL, NULL);
    sqlite3_create_function(db, "now", 0, SQLITE_UTF8, NULL, fn_now, NULL, NULL);
    sqlite3_create_function(db, "substring", 2, SQLITE_UTF8, NULL, fn_substring, NULL, NULL);
    sqlite3_create_function(db, "substring", 3, SQLITE_UTF8, NULL, fn_substring, NULL, NULL);
    sqlite3_create_function(db, "truncate", 2, SQLITE_UTF8, NULL, fn_truncate, NULL, NULL);
    sqlite3_create_function(db, "cast", 2, SQLITE_UTF8, NULL, fn_cast, NULL, NULL);
}

/* ---- result type ---- */

/* leading_call: the function name the expression starts with, lowercased, or "". */
static void leading_call(const char *expr, char *out, size_t len)
{
    while (isspace((unsigned char)*expr))
        expr++;
    size_t n = 0;
    while (n + 1 < len && (isalnum((unsigned char)expr[n]) || expr[n] == '_')) {
        out[n] = (char)tolower((unsigned char)expr[n]);
        n++;
    }
    out[n] = '\0';
    const char *p = expr + n;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '(')
        out[0] = '\0';
}

static pmn_type *result_type(const char *expr, const pmn_type *row)
{
    char fn[32];
    leading_call(expr, fn, sizeof fn);
    if (!strcmp(fn, "year") || !strcmp(fn, "month") || !strcmp(fn, "day") ||
        !strcmp(fn, "hour") || !strcmp(fn, "minute") || !strcmp(fn, "second"))
        return pmn_type_new(PMN_TYPE_INT);
    if (!strcmp(fn, "now"))
        return pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 3);
    if (!strcmp(fn, "truncate")) {
        const char *open = strchr(expr, '(');
        char col[128];
        if (open && sscanf(open + 1, " %127[A-Za-z0-9_]", col) == 1) {
            int idx = pmn_type_find_field(row, col);
            if (idx >= 0)
                return pmn_type_copy(row->fields[idx].type);
        }
    }
    if (!strcmp(fn, "cast")) {
        const char *comma = strrchr(expr, ',');
        char tname[128];
        if (comma && sscanf(comma + 1, " '%127[^']'", tname) == 1) {
            pmn_type *t;
            if (pmn_type_parse_sql(tname, &t) == 0)
                return t;
            pmn_error_clear();
        }
    }
    return pmn_type_new(PMN_TYPE_VARCHAR);
}

/* ---- compile / eval ---- */

/* quote_bare_word: expr with every unquoted whole-word `word` turned into the string literal
 * 'word'; NULL if it does not occur (heap). */
static char *quote_bare_word(const char *expr, const char *word)
{
    size_t wl = strlen(word);
    if (!wl)
        return NULL;
    pmn_buf b = PMN_BUF_INIT;
    bool changed = false;
    char quote = 0;
    for (const char *p = expr; *p;) {
        if (quote) {
            pmn_buf_putc(&b, (uint8_t)*p);
            if (*p == quote)
                quote = 0;
            p++;
            continue;
        }
        if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
            pmn_buf_putc(&b, (uint8_t)*p++);
            continue;
        }
        bool start = p == expr || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        if (start && strncasecmp(p, word, wl) == 0 &&
            !(isalnum((unsigned char)p[wl]) || p[wl] == '_')) {
            pmn_buf_putc(&b, '\'');
            pmn_buf_put(&b, p, wl);
            pmn_buf_putc(&b, '\'');
            p += wl;
            changed = true;
            continue;
        }
        pmn_buf_putc(&b, (uint8_t)*p++);
    }
    if (!changed) {
        pmn_buf_dispose(&b);
        return NULL;
    }
    return (char *)pmn_buf_detach(&b, NULL);
}

int pmn_rowexpr_compile(const char *name, const char *expr, const pmn_type *row,
                        pmn_rowexpr **out)
{
    pmn_rowexpr *e = pmn_xcalloc(1, sizeof *e);
    e->row = row;
    e->name = pmn_xstrdup(name);
    if (sqlite3_open_v2(":memory:", &e->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        pmn_rowexpr_free(e);
        return pmn_error_set(PMN_ERROR, "computed column %s: cannot open SQLite", name);
    }
    register_functions(e->db);
    pmn_buf sql = PMN_BUF_INIT;
    size_t expr_start = 0;
    char *text = pmn_xstrdup(expr);
    int rc;
    /* The guide writes 'x=CASE ... THEN ''budget'' ...' inside single quotes, so the shell
     * hands over THEN budget: a bare word that names no column is taken as that text. */
    for (int attempt = 0;; attempt++) {
        pmn_buf_reset(&sql);
        pmn_buf_puts(&sql, "SELECT (");
        expr_start = sql.len;
        pmn_buf_puts(&sql, text);
        pmn_buf_puts(&sql, ") FROM (SELECT ");
        for (int32_t i = 0; i < row->nfields; i++) {
            pmn_buf_printf(&sql, "%s?%d AS \"", i ? ", " : "", i + 1);
            for (const char *p = row->fields[i].name; *p; p++) {
                if (*p == '"')
                    pmn_buf_putc(&sql, '"');
                pmn_buf_putc(&sql, (uint8_t)*p);
            }
            pmn_buf_putc(&sql, '"');
        }
        if (row->nfields == 0)
            pmn_buf_puts(&sql, "1");
        pmn_buf_puts(&sql, ")");
        rc = sqlite3_prepare_v2(e->db, pmn_buf_cstr(&sql), (int)sql.len, &e->stmt, NULL);
        const char *msg = sqlite3_errmsg(e->db);
        if (rc == SQLITE_OK || attempt >= 32 || strncmp(msg, "no such column: ", 16) != 0)
            break;
        char *quoted = quote_bare_word(text, msg + 16);
        if (!quoted)
            break;
        free(text);
        text = quoted;
    }
    expr = text;
    if (rc != SQLITE_OK) {
        int off = sqlite3_error_offset(e->db);
        if (off >= (int)expr_start && off < (int)(expr_start + strlen(expr)))
            pmn_error_set(PMN_EINVALID,
                          "--computed_column %s: cannot parse \"%s\" at position %d: %s", name,
                          expr, off - (int)expr_start + 1, sqlite3_errmsg(e->db));
        else
            pmn_error_set(PMN_EINVALID, "--computed_column %s: cannot parse \"%s\": %s", name,
                          expr, sqlite3_errmsg(e->db));
        pmn_buf_dispose(&sql);
        pmn_rowexpr_free(e);
        free(text);
        return PMN_EINVALID;
    }
    pmn_buf_dispose(&sql);
    e->type = result_type(expr, row);
    free(text);
    *out = e;
    return 0;
}

const pmn_type *pmn_rowexpr_type(const pmn_rowexpr *e)
{
    return e->type;
}

int pmn_rowexpr_eval(pmn_rowexpr *e, const pmn_datum *row, pmn_arena *a, pmn_datum *out)
{
    sqlite3_reset(e->stmt);
    for (int32_t i = 0; i < e->row->nfields; i++)
        bind_datum(e->stmt, i + 1, e->row->fields[i].type, &row[i]);
    int rc = sqlite3_step(e->stmt);
    if (rc != SQLITE_ROW)
        return pmn_error_set(PMN_EINVALID, "computed column %s: %s", e->name,
                             sqlite3_errmsg(e->db));
    sqlite3_value *v = sqlite3_column_value(e->stmt, 0);
    *out = pmn_datum_null();
    if (sqlite3_value_type(v) == SQLITE_NULL)
        return 0;
    out->is_null = false;
    switch (e->type->root) {
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
        out->v.i = sqlite3_value_int64(v);
        break;
    case PMN_TYPE_BOOLEAN:
        out->v.b = sqlite3_value_int(v) != 0;
        break;
    case PMN_TYPE_FLOAT:
        out->v.f4 = (float)sqlite3_value_double(v);
        break;
    case PMN_TYPE_DOUBLE:
        out->v.f8 = sqlite3_value_double(v);
        break;
    case PMN_TYPE_DECIMAL: {
        double x = sqlite3_value_double(v);
        for (int s = 0; s < e->type->scale; s++)
            x *= 10.0;
        out->v.dec = (pmn_i128)(x < 0 ? x - 0.5 : x + 0.5);
        break;
    }
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ: {
        struct tm tm;
        int micros;
        if (parse_ts(v, -1, &tm, &micros) != 0)
            return pmn_error_set(PMN_EINVALID, "computed column %s: \"%s\" is not a timestamp",
                                 e->name, sqlite3_value_text(v));
        out->v.ts.millis = (int64_t)timegm(&tm) * 1000 + micros / 1000;
        out->v.ts.nanos = (micros % 1000) * 1000;
        break;
    }
    default: {
        const unsigned char *s = sqlite3_value_text(v);
        int n = sqlite3_value_bytes(v);
        out->v.bin.ptr = pmn_arena_memdup(a, s, (size_t)n);
        out->v.bin.len = (uint32_t)n;
        break;
    }
    }
    return 0;
}

void pmn_rowexpr_free(pmn_rowexpr *e)
{
    if (!e)
        return;
    sqlite3_finalize(e->stmt);
    sqlite3_close(e->db);
    pmn_type_free(e->type);
    free(e->name);
    free(e);
}
