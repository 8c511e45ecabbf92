/*
 * src/sql/value.c
 *
 * pmn_datum <-> SQLite value conversions; see value.h for the mapping.
 */
#include "sql/value.h"

#include "change/datum.h"
#include "change/textfmt.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t pmn_sql_date_to_days(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Parsed "YYYY-MM-DD[ HH:MM[:SS[.f...]]]" or "HH:MM:SS[.f]" (time_only). */
typedef struct when {
    int y, mo, d, h, mi, s; /* calendar fields */
    int64_t nanos;          /* fraction of the second in nanoseconds */
} when;

static bool parse_time_part(const char *p, when *w, const char **end)
{
    if (sscanf(p, "%2d:%2d", &w->h, &w->mi) != 2)
        return false;
    p += 5;
    if (*p == ':') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
            return false;
        w->s = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            p++;
            int digits = 0;
            while (isdigit((unsigned char)*p)) {
                if (digits < 9) {
                    w->nanos = w->nanos * 10 + (*p - '0');
                    digits++;
                }
                p++;
            }
            while (digits++ < 9)
                w->nanos *= 10;
        }
    }
    *end = p;
    return w->h < 24 && w->mi < 60 && w->s < 60;
}

static bool parse_when(const char *text, bool time_only, when *w)
{
    memset(w, 0, sizeof *w);
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!time_only) {
        int n = 0;
        if (sscanf(p, "%4d-%2d-%2d%n", &w->y, &w->mo, &w->d, &n) != 3 || n != 10)
            return false;
        if (w->mo < 1 || w->mo > 12 || w->d < 1 || w->d > 31)
            return false;
        p += n;
        if (*p == ' ' || *p == 'T') {
            if (!parse_time_part(p + 1, w, &p))
                return false;
        }
    } else if (!parse_time_part(p, w, &p)) {
        return false;
    }
    if (*p == 'Z')
        p++;
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

int pmn_sql_local_to_millis(const char *text, int64_t *millis)
{
    when w;
    if (!parse_when(text, false, &w))
        return pmn_error_set(
            PMN_EINVALID, "cannot parse '%s' as a timestamp (expected yyyy-MM-dd HH:mm:ss)", text);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = w.y - 1900;
    tm.tm_mon = w.mo - 1;
    tm.tm_mday = w.d;
    tm.tm_hour = w.h;
    tm.tm_min = w.mi;
    tm.tm_sec = w.s;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    *millis = (int64_t)t * 1000 + w.nanos / 1000000;
    return 0;
}

/* ---- exact DECIMAL digits behind doubles ---- */

typedef struct exact_entry {
    pmn_i128 unscaled; /* normalized: no trailing zero fraction digits */
    uint64_t bits;     /* the double's bits */
    int16_t scale;     /* of unscaled */
    int16_t shown;     /* the scale it was noted with (its column's): how it prints untyped */
    bool ambiguous;    /* two different decimals share this double */
    bool duplicate;    /* an earlier entry has these bits (noted before the index existed) */
} exact_entry;

/* Entries are appended in order; the hash index holds (entry number + 1) << 32 | a 32-bit
 * fingerprint of the bits. The index is built at the first lookup: a scan that only
 * aggregates appends (cheap, sequential) and never pays for hashing; from then on notes go
 * through the index, so repeated values take no more room. */
struct pmn_sql_exact {
    exact_entry *items;
    size_t n, cap;
    uint64_t *index; /* open addressing, power-of-two capacity; 0 = free */
    size_t icap;
};

static _Thread_local pmn_sql_exact *exact_current;

pmn_sql_exact *pmn_sql_exact_new(void)
{
    return pmn_xcalloc(1, sizeof(pmn_sql_exact));
}

void pmn_sql_exact_reset(pmn_sql_exact *x)
{
    if (!x)
        return;
    free(x->items);
    free(x->index);
    x->items = NULL;
    x->index = NULL;
    x->n = x->cap = x->icap = 0;
}

void pmn_sql_exact_free(pmn_sql_exact *x)
{
    if (!x)
        return;
    if (exact_current == x)
        exact_current = NULL;
    pmn_sql_exact_reset(x);
    free(x);
}

pmn_sql_exact *pmn_sql_exact_use(pmn_sql_exact *x)
{
    pmn_sql_exact *prev = exact_current;
    exact_current = x;
    return prev;
}

static uint64_t double_bits(double f)
{
    uint64_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static uint64_t bits_hash(uint64_t bits)
{
    return (bits ^ (bits >> 29)) * 0x9E3779B97F4A7C15ull;
}

static void index_build(pmn_sql_exact *x);

/* The index slot holding bits, or the free slot where it would go. */
static size_t slot_of(const pmn_sql_exact *x, uint64_t bits)
{
    uint64_t h = bits_hash(bits);
    uint32_t fp = (uint32_t)h;
    size_t i = (size_t)(h >> 40) & (x->icap - 1);
    for (;; i = (i + 1) & (x->icap - 1)) {
        uint64_t e = x->index[i];
        if (!e || ((uint32_t)e == fp && x->items[(e >> 32) - 1].bits == bits))
            return i;
    }
}

static void index_put(pmn_sql_exact *x, size_t item)
{
    uint64_t bits = x->items[item].bits;
    x->index[slot_of(x, bits)] = ((uint64_t)(item + 1) << 32) | (uint32_t)bits_hash(bits);
}

/* (Re)build the index for every entry, at twice their number (a power of two). */
static void index_build(pmn_sql_exact *x)
{
    free(x->index);
    x->icap = 1024;
    while (x->icap < 2 * x->n)
        x->icap *= 2;
    x->index = pmn_xcalloc(x->icap, sizeof *x->index);
    for (size_t i = 0; i < x->n; i++) {
        exact_entry *it = &x->items[i];
        if (it->duplicate)
            continue;
        size_t slot = slot_of(x, it->bits);
        if (x->index[slot]) {
            exact_entry *first = &x->items[(x->index[slot] >> 32) - 1];
            if (first->unscaled != it->unscaled || first->scale != it->scale)
                first->ambiguous = true;
            it->duplicate = true;
        } else {
            index_put(x, i);
        }
    }
}

static const exact_entry *exact_get(pmn_sql_exact *x, uint64_t bits)
{
    if (!x->n)
        return NULL;
    if (!x->icap)
        index_build(x);
    uint64_t e = x->index[slot_of(x, bits)];
    return e ? &x->items[(e >> 32) - 1] : NULL;
}

void pmn_sql_exact_note(double f, pmn_i128 unscaled, int scale)
{
    pmn_sql_exact *x = exact_current;
    if (!x || f == 0 || !isfinite(f) || x->n >= PMN_SQL_EXACT_MAX || scale < 0 || scale > 38)
        return;
    /* 15 significant digits or fewer: the double prints them back (sql/output.c); checked
     * with comparisons first, as 128-bit division is slow on the scan's path */
    const pmn_i128 e15 = 1000000000000000;
    if (unscaled < e15 && unscaled > -e15)
        return;
    int shown = scale;
    while (scale > 0 && unscaled % 10 == 0) {
        unscaled /= 10;
        scale--;
    }
    if (unscaled < e15 && unscaled > -e15)
        return;
    uint64_t bits = double_bits(f);
    if (x->icap) {
        uint64_t e = x->index[slot_of(x, bits)];
        if (e) {
            exact_entry *old = &x->items[(e >> 32) - 1];
            if (old->unscaled != unscaled || old->scale != scale)
                old->ambiguous = true;
            return;
        }
    }
    PMN_GROW(x->items, x->cap, x->n + 1);
    exact_entry *it = &x->items[x->n++];
    memset(it, 0, sizeof *it);
    it->unscaled = unscaled;
    it->bits = bits;
    it->scale = (int16_t)scale;
    it->shown = (int16_t)shown;
    if (!x->icap)
        return; /* no lookup yet: the index is built by the first one */
    if (x->n * 2 > x->icap)
        index_build(x);
    else
        index_put(x, x->n - 1);
}

bool pmn_sql_exact_find(double f, pmn_i128 *unscaled, int *scale)
{
    pmn_sql_exact *x = exact_current;
    if (!x || f == 0 || !isfinite(f))
        return false;
    /* -x of a noted x (a negative literal is minus applied to a positive one) */
    for (int sign = 1; sign >= -1; sign -= 2) {
        const exact_entry *e = exact_get(x, double_bits(sign * f));
        if (!e || e->ambiguous)
            continue;
        pmn_i128 v = e->unscaled;
        for (int k = e->scale; k < e->shown; k++)
            v *= 10; /* shown <= 38 digits: the column held it */
        *unscaled = sign * v;
        *scale = e->shown;
        return true;
    }
    return false;
}

bool pmn_sql_exact_lookup(double f, int scale, pmn_i128 *unscaled)
{
    pmn_i128 v;
    int have;
    if (scale < 0 || scale > 38 || !pmn_sql_exact_find(f, &v, &have))
        return false;
    for (; have > scale && v % 10 == 0; have--)
        v /= 10;
    if (have > scale)
        return false;
    for (; have < scale; have++) {
        if (v > (pmn_i128)1e37 || v < -(pmn_i128)1e37)
            return false;
        v *= 10;
    }
    *unscaled = v;
    return true;
}

double pmn_sql_exact_literal(const char *text)
{
    double f = strtod(text, NULL);
    pmn_i128 v = 0;
    int scale = 0, digits = 0;
    bool frac = false;
    bool neg = *text == '-';
    for (const char *p = text + neg; *p; p++) {
        if (*p == '.') {
            frac = true;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            return f;
        if (v != 0 || *p != '0')
            digits++;
        if (digits > 38)
            return f;
        v = v * 10 + (*p - '0');
        scale += frac;
    }
    pmn_sql_exact_note(f, neg ? -v : v, scale);
    return f;
}

/* ---- declared types ---- */

char *pmn_sql_decltype(const pmn_type *t)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        return pmn_xstrdup("INTEGER BOOLEAN");
    case PMN_TYPE_TINYINT:
        return pmn_xstrdup("INTEGER TINYINT");
    case PMN_TYPE_SMALLINT:
        return pmn_xstrdup("INTEGER SMALLINT");
    case PMN_TYPE_INT:
        return pmn_xstrdup("INTEGER INT");
    case PMN_TYPE_BIGINT:
        return pmn_xstrdup("INTEGER BIGINT");
    case PMN_TYPE_FLOAT:
        return pmn_xstrdup("REAL FLOAT");
    case PMN_TYPE_DOUBLE:
        return pmn_xstrdup("REAL DOUBLE");
    case PMN_TYPE_DECIMAL:
        return pmn_xasprintf("REAL DECIMAL(%d, %d)", t->precision, t->scale);
    case PMN_TYPE_CHAR:
        return pmn_xasprintf("TEXT CHAR(%d)", t->length);
    case PMN_TYPE_VARCHAR:
        return t->length == PMN_MAX_LENGTH ? pmn_xstrdup("TEXT STRING")
                                           : pmn_xasprintf("TEXT VARCHAR(%d)", t->length);
    case PMN_TYPE_BINARY:
        return pmn_xasprintf("BLOB BINARY(%d)", t->length);
    case PMN_TYPE_VARBINARY:
        return t->length == PMN_MAX_LENGTH ? pmn_xstrdup("BLOB BYTES")
                                           : pmn_xasprintf("BLOB VARBINARY(%d)", t->length);
    case PMN_TYPE_DATE:
        return pmn_xstrdup("TEXT DATE");
    case PMN_TYPE_TIME:
        return pmn_xasprintf("TEXT TIME(%d)", t->precision);
    case PMN_TYPE_TIMESTAMP:
        return pmn_xasprintf("TEXT TIMESTAMP(%d)", t->precision);
    case PMN_TYPE_TIMESTAMP_LTZ:
        return pmn_xasprintf("TEXT TIMESTAMP_LTZ(%d)", t->precision);
    case PMN_TYPE_ARRAY:
        return pmn_xstrdup("TEXT ARRAY");
    case PMN_TYPE_MULTISET:
        return pmn_xstrdup("TEXT MULTISET");
    case PMN_TYPE_MAP:
        return pmn_xstrdup("TEXT MAP");
    case PMN_TYPE_ROW:
        return pmn_xstrdup("TEXT ROW");
    }
    return pmn_xstrdup("TEXT");
}

/* ---- datum -> SQL ---- */

/* The fraction of a second, at most `precision` digits, trailing zeros dropped (none at all
 * for a whole second): one canonical text per instant, so = and < compare like the values
 * (sql/output.c pads to the column's precision when printing). */
static void put_fraction(pmn_buf *b, int64_t nanos, int precision)
{
    if (precision <= 0)
        return;
    char digits[24];
    snprintf(digits, sizeof digits, "%09lld", (long long)nanos);
    int n = precision > 9 ? 9 : precision;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    if (n == 0)
        return;
    pmn_buf_putc(b, '.');
    pmn_buf_put(b, digits, (size_t)n);
}

static void timestamp_text(pmn_buf *b, const pmn_type *t, const pmn_datum *d)
{
    int64_t ms = d->v.ts.millis;
    int64_t secs = floor_div(ms, 1000);
    int64_t nanos = (ms - secs * 1000) * 1000000 + d->v.ts.nanos;
    int y, mo, dd, h, mi, s;
    if (t->root == PMN_TYPE_TIMESTAMP_LTZ) {
        time_t tt = (time_t)secs;
        struct tm tm;
        localtime_r(&tt, &tm);
        y = tm.tm_year + 1900;
        mo = tm.tm_mon + 1;
        dd = tm.tm_mday;
        h = tm.tm_hour;
        mi = tm.tm_min;
        s = tm.tm_sec;
    } else {
        int64_t days = floor_div(secs, 86400);
        int64_t sod = secs - days * 86400;
        int64_t yy;
        pmn_civil_from_days(days, &yy, &mo, &dd);
        y = (int)yy;
        h = (int)(sod / 3600);
        mi = (int)(sod / 60 % 60);
        s = (int)(sod % 60);
    }
    pmn_buf_printf(b, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, dd, h, mi, s);
    put_fraction(b, nanos, t->precision);
}

static double decimal_to_double(pmn_i128 v, int scale)
{
    /* both exact in a double: one IEEE division rounds correctly, as strtod would */
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const pmn_i128 two53 = (pmn_i128)1 << 53;
    if (v < two53 && v > -two53 && scale >= 0 && scale <= 22)
        return (double)(int64_t)v / p10[scale];
    /* strtod of "<digits>e-<scale>": the unscaled digits in 64-bit chunks (128-bit division
     * by 10 per digit would dominate a scan of wide DECIMALs) */
    char buf[96];
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    const uint64_t e18 = 1000000000000000000ull;
    uint64_t chunk[3];
    int n = 0;
    do {
        chunk[n++] = (uint64_t)(u % e18);
        u /= e18;
    } while (u > 0 && n < 3);
    char *p = buf + 48; /* digits are written backwards from here, the exponent after */
    char *end = p;
    for (int i = 0; i < n; i++) {
        uint64_t c = chunk[i];
        bool last = i == n - 1;
        for (int k = 0; last ? (k == 0 || c > 0) : k < 18; k++) {
            *--p = (char)('0' + (int)(c % 10));
            c /= 10;
        }
    }
    if (neg)
        *--p = '-';
    *end++ = 'e';
    *end++ = '-';
    int sc = scale < 0 ? 0 : scale > 99 ? 99 : scale;
    if (sc >= 10)
        *end++ = (char)('0' + sc / 10);
    *end++ = (char)('0' + sc % 10);
    *end = '\0';
    return strtod(p, NULL);
}

void pmn_sql_result_datum(sqlite3_context *ctx, const pmn_type *t, const pmn_datum *d)
{
    if (d->is_null) {
        sqlite3_result_null(ctx);
        return;
    }
    pmn_buf b = PMN_BUF_INIT;
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        sqlite3_result_int(ctx, d->v.b ? 1 : 0);
        return;
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
        sqlite3_result_int64(ctx, d->v.i);
        return;
    case PMN_TYPE_FLOAT:
    case PMN_TYPE_DOUBLE: {
        /* SQLite stores a NaN double as NULL: NaN is the text Flink prints */
        double f = t->root == PMN_TYPE_FLOAT ? (double)d->v.f4 : d->v.f8;
        if (isnan(f))
            sqlite3_result_text(ctx, "NaN", 3, SQLITE_STATIC);
        else
            sqlite3_result_double(ctx, f);
        return;
    }
    case PMN_TYPE_DECIMAL: {
        double f = decimal_to_double(d->v.dec, t->scale);
        if (t->precision > 15)
            pmn_sql_exact_note(f, d->v.dec, t->scale);
        sqlite3_result_double(ctx, f);
        return;
    }
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR: {
        /* A NUL-terminated copy (length -1) lets SQLite mark the value terminated, so LIKE,
         * comparisons and printing do not reallocate it again to add the NUL. */
        uint32_t n = d->v.bin.len;
        if (n < 256 && !memchr(d->v.bin.ptr, 0, n)) {
            char small[256];
            memcpy(small, d->v.bin.ptr, n);
            small[n] = '\0';
            sqlite3_result_text(ctx, small, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_result_text(ctx, n ? (const char *)d->v.bin.ptr : "", (int)n, SQLITE_TRANSIENT);
        }
        return;
    }
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        sqlite3_result_blob(ctx, d->v.bin.len ? d->v.bin.ptr : (const uint8_t *)"",
                            (int)d->v.bin.len, SQLITE_TRANSIENT);
        return;
    case PMN_TYPE_DATE:
        pmn_fmt_date(&b, d->v.i);
        break;
    case PMN_TYPE_TIME: {
        int64_t ms = d->v.i;
        pmn_buf_printf(&b, "%02d:%02d:%02d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                       (int)(ms / 1000 % 60));
        put_fraction(&b, (ms % 1000) * 1000000, t->precision);
        break;
    }
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        timestamp_text(&b, t, d);
        break;
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_MAP:
    case PMN_TYPE_ROW:
        pmn_datum_to_json(t, d, &b);
        break;
    }
    sqlite3_result_text(ctx, pmn_buf_cstr(&b), (int)b.len, SQLITE_TRANSIENT);
    pmn_buf_dispose(&b);
    if (t->root == PMN_TYPE_ARRAY || t->root == PMN_TYPE_MAP) {
        const pmn_type *leaf = t;
        while (leaf->root == PMN_TYPE_ARRAY || leaf->root == PMN_TYPE_MAP)
            leaf = leaf->root == PMN_TYPE_ARRAY ? leaf->elem : leaf->value;
        unsigned sub = leaf->root == PMN_TYPE_DECIMAL         ? PMN_SQL_SUBTYPE_DECIMAL
                       : leaf->root == PMN_TYPE_TIMESTAMP     ? PMN_SQL_SUBTYPE_TIMESTAMP
                       : leaf->root == PMN_TYPE_TIMESTAMP_LTZ ? PMN_SQL_SUBTYPE_TIMESTAMP_LTZ
                       : leaf->root == PMN_TYPE_TIME          ? PMN_SQL_SUBTYPE_TIME
                                                              : 0;
        if (t->root == PMN_TYPE_MAP && t->key->root != PMN_TYPE_CHAR &&
            t->key->root != PMN_TYPE_VARCHAR)
            sub |= PMN_SQL_SUBTYPE_PAIRS;
        if (sub)
            sqlite3_result_subtype(ctx, sub);
    }
}

/* "....ss.fff000" -> "....ss.fff", ".000" dropped: the canonical fraction (put_fraction). */
static void trim_fraction(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (s[n - 1] == '.')
        s[n - 1] = '\0';
}

bool pmn_sql_nested_element(sqlite3_context *ctx, unsigned sub, const char *s)
{
    char text[64];
    if (strlen(s) >= sizeof text)
        return false;
    snprintf(text, sizeof text, "%s", s);
    switch (sub) {
    case PMN_SQL_SUBTYPE_DECIMAL: {
        char *end;
        strtod(text, &end);
        if (end == text || *end)
            return false;
        sqlite3_result_double(ctx, pmn_sql_exact_literal(text));
        return true;
    }
    case PMN_SQL_SUBTYPE_TIMESTAMP:
        if (strlen(text) > 10 && text[10] == 'T')
            text[10] = ' ';
        trim_fraction(text);
        break;
    case PMN_SQL_SUBTYPE_TIMESTAMP_LTZ: {
        /* UTC with a Z in the JSON; the session time zone's local time in SQL */
        size_t n = strlen(text);
        if (n > 0 && text[n - 1] == 'Z')
            text[n - 1] = '\0';
        when w;
        if (!parse_when(text, false, &w))
            return false;
        time_t secs =
            (time_t)(pmn_sql_date_to_days(w.y, w.mo, w.d) * 86400 + w.h * 3600 + w.mi * 60 + w.s);
        struct tm tm;
        localtime_r(&secs, &tm);
        pmn_buf b = PMN_BUF_INIT;
        pmn_buf_printf(&b, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        put_fraction(&b, w.nanos, 9);
        sqlite3_result_text(ctx, pmn_buf_cstr(&b), (int)b.len, SQLITE_TRANSIENT);
        pmn_buf_dispose(&b);
        return true;
    }
    case PMN_SQL_SUBTYPE_TIME:
        trim_fraction(text);
        break;
    default:
        return false;
    }
    sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
    return true;
}

/* ---- SQL -> datum ---- */

/* One scalar SQL value, from SQLite or from a JSON document (nested types). */
typedef struct scalar {
    int kind;      /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_BLOB */
    int64_t i;     /* SQLITE_INTEGER */
    double f;      /* SQLITE_FLOAT */
    const char *s; /* SQLITE_TEXT (NUL-terminated) or SQLITE_BLOB bytes */
    size_t n;      /* their length */
    char num[40];  /* text form of a number */
} scalar;

static const char *scalar_text(scalar *sc)
{
    if (sc->kind == SQLITE_TEXT || sc->kind == SQLITE_BLOB)
        return sc->s;
    if (sc->kind == SQLITE_INTEGER)
        snprintf(sc->num, sizeof sc->num, "%lld", (long long)sc->i);
    else if (sc->kind == SQLITE_FLOAT)
        snprintf(sc->num, sizeof sc->num, "%.17g", sc->f);
    else
        sc->num[0] = '\0';
    return sc->num;
}

static double scalar_double(scalar *sc)
{
    if (sc->kind == SQLITE_INTEGER)
        return (double)sc->i;
    if (sc->kind == SQLITE_FLOAT)
        return sc->f;
    return strtod(scalar_text(sc), NULL);
}

static int cannot(scalar *v, const pmn_type *t)
{
    const char *txt = scalar_text(v);
    char *tn = pmn_sql_decltype(t);
    const char *space = strchr(tn, ' ');
    int rc = pmn_error_set(PMN_EINVALID, "cannot convert '%s' to %s", txt ? txt : "",
                           space ? space + 1 : tn);
    free(tn);
    return rc;
}

/* Exact decimal text -> unscaled value with `scale` digits (half-up rounding unless exact). */
static bool parse_decimal(const char *s, int precision, int scale, bool exact, pmn_i128 *out)
{
    while (isspace((unsigned char)*s))
        s++;
    bool neg = false;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    pmn_i128 v = 0;
    int intdigits = 0, frac = 0;
    bool any = false, round_up = false;
    for (; isdigit((unsigned char)*s); s++) {
        any = true;
        if (v == 0 && *s == '0')
            continue;
        if (++intdigits > 38)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        for (; isdigit((unsigned char)*s); s++) {
            any = true;
            if (frac < scale) {
                v = v * 10 + (*s - '0');
                frac++;
            } else if (frac == scale) {
                if (exact && *s != '0')
                    return false;
                if (!exact) {
                    round_up = *s >= '5';
                    frac++;
                }
            } else if (exact && *s != '0') {
                return false;
            }
        }
    }
    if (!any)
        return false;
    if (*s == 'e' || *s == 'E')
        return false;
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    if (frac > scale)
        frac = scale;
    for (; frac < scale; frac++)
        v *= 10;
    if (round_up)
        v += 1;
    if (intdigits > precision - scale && !(intdigits == 0))
        return false;
    pmn_i128 limit = 1;
    for (int i = 0; i < precision; i++)
        limit *= 10;
    if (v >= limit)
        return false;
    *out = neg ? -v : v;
    return true;
}

static bool parse_int_text(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

static int json_to_datum(json_t *j, const pmn_type *t, bool exact, pmn_arena *a, pmn_datum *out);

static int scalar_to_datum(scalar *v, const pmn_type *t, bool exact, pmn_arena *a, pmn_datum *out)
{
    memset(out, 0, sizeof *out);
    int vt = v->kind;
    if (vt == SQLITE_NULL) {
        out->is_null = true;
        return 0;
    }
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
            out->v.b = scalar_double(v) != 0;
            return 0;
        } else {
            const char *s = scalar_text(v);
            if (s && (!strcasecmp(s, "true") || !strcmp(s, "1")))
                out->v.b = true;
            else if (s && (!strcasecmp(s, "false") || !strcmp(s, "0")))
                out->v.b = false;
            else
                return cannot(v, t);
            return 0;
        }
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
    case PMN_TYPE_DATE:
    case PMN_TYPE_TIME: {
        int64_t i;
        if (t->root == PMN_TYPE_DATE && vt == SQLITE_TEXT) {
            when w;
            if (!parse_when(scalar_text(v), false, &w) || w.h || w.mi || w.s)
                return cannot(v, t);
            out->v.i = pmn_sql_date_to_days(w.y, w.mo, w.d);
            return 0;
        }
        if (t->root == PMN_TYPE_TIME && vt == SQLITE_TEXT) {
            when w;
            if (!parse_when(scalar_text(v), true, &w))
                return cannot(v, t);
            out->v.i = ((int64_t)w.h * 3600 + w.mi * 60 + w.s) * 1000 + w.nanos / 1000000;
            return 0;
        }
        if (vt == SQLITE_INTEGER) {
            i = v->i;
        } else if (vt == SQLITE_FLOAT) {
            double d = scalar_double(v);
            if (!isfinite(d) || d < -9.2e18 || d > 9.2e18 || (exact && d != floor(d)))
                return cannot(v, t);
            i = (int64_t)d;
        } else if (!parse_int_text(scalar_text(v), &i)) {
            return cannot(v, t);
        }
        int64_t lo =
            t->root == PMN_TYPE_TINYINT    ? -128
            : t->root == PMN_TYPE_SMALLINT ? -32768
            : t->root == PMN_TYPE_INT || t->root == PMN_TYPE_DATE || t->root == PMN_TYPE_TIME
                ? INT32_MIN
                : INT64_MIN;
        int64_t hi =
            t->root == PMN_TYPE_TINYINT    ? 127
            : t->root == PMN_TYPE_SMALLINT ? 32767
            : t->root == PMN_TYPE_INT || t->root == PMN_TYPE_DATE || t->root == PMN_TYPE_TIME
                ? INT32_MAX
                : INT64_MAX;
        if (i < lo || i > hi)
            return cannot(v, t);
        out->v.i = i;
        return 0;
    }
    case PMN_TYPE_FLOAT:
    case PMN_TYPE_DOUBLE: {
        double d;
        if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
            d = scalar_double(v);
        } else {
            const char *s = scalar_text(v);
            char *end;
            d = strtod(s, &end);
            if (end == s || *end)
                return cannot(v, t);
        }
        if (t->root == PMN_TYPE_FLOAT)
            out->v.f4 = (float)d;
        else
            out->v.f8 = d;
        return 0;
    }
    case PMN_TYPE_DECIMAL: {
        char buf[64];
        const char *s;
        pmn_i128 noted;
        pmn_i128 limit = 1;
        for (int i = 0; i < t->precision; i++)
            limit *= 10;
        if (vt == SQLITE_FLOAT && pmn_sql_exact_lookup(v->f, t->scale, &noted) && noted < limit &&
            noted > -limit) {
            out->v.dec = noted; /* a long DECIMAL read or written as a literal */
            return 0;
        }
        if (vt == SQLITE_FLOAT) {
            double d = scalar_double(v);
            if (!isfinite(d))
                return cannot(v, t);
            /* shortest text that reads back as d, so 99.99 stays 99.99 */
            for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof buf, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                    break;
            }
            if (strchr(buf, 'e') || strchr(buf, 'E'))
                snprintf(buf, sizeof buf, "%.*f", t->scale + 1, d);
            s = buf;
        } else {
            s = scalar_text(v);
        }
        if (!parse_decimal(s, t->precision, t->scale, exact, &out->v.dec))
            return cannot(v, t);
        return 0;
    }
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY: {
        const char *p = scalar_text(v);
        size_t n = (v->kind == SQLITE_TEXT || v->kind == SQLITE_BLOB) ? v->n : strlen(p);
        out->v.bin.ptr = n ? pmn_arena_memdup(a, p, n) : (const uint8_t *)"";
        out->v.bin.len = (uint32_t)n;
        return 0;
    }
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ: {
        if (vt != SQLITE_TEXT)
            return cannot(v, t);
        const char *s = scalar_text(v);
        when w;
        if (!parse_when(s, false, &w))
            return cannot(v, t);
        int64_t secs;
        if (t->root == PMN_TYPE_TIMESTAMP_LTZ) {
            int64_t ms;
            if (pmn_sql_local_to_millis(s, &ms))
                return cannot(v, t);
            secs = floor_div(ms, 1000);
        } else {
            secs = pmn_sql_date_to_days(w.y, w.mo, w.d) * 86400 + w.h * 3600 + w.mi * 60 + w.s;
        }
        out->v.ts.millis = secs * 1000 + w.nanos / 1000000;
        out->v.ts.nanos = (int32_t)(w.nanos % 1000000);
        return 0;
    }
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_MAP:
    case PMN_TYPE_ROW: {
        /* nested values arrive as JSON text (ARRAY[...] is rewritten to json_array(...)) */
        if (vt != SQLITE_TEXT)
            return cannot(v, t);
        json_error_t jerr;
        json_t *j = json_loads(v->s, JSON_DECODE_ANY, &jerr);
        if (!j)
            return cannot(v, t);
        int rc = json_to_datum(j, t, exact, a, out);
        json_decref(j);
        return rc;
    }
    }
    return cannot(v, t);
}

/* Convert one JSON value to a datum of type t (nested types recursively). */
static int json_to_datum(json_t *j, const pmn_type *t, bool exact, pmn_arena *a, pmn_datum *out)
{
    memset(out, 0, sizeof *out);
    if (json_is_null(j)) {
        out->is_null = true;
        return 0;
    }
    scalar sc;
    memset(&sc, 0, sizeof sc);
    switch (t->root) {
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_MAP: {
        bool map = t->root != PMN_TYPE_ARRAY;
        const pmn_type *kt = t->root == PMN_TYPE_MAP ? t->key : t->elem;
        const pmn_type *vt = t->root == PMN_TYPE_MAP ? t->value : NULL;
        pmn_type *count_type = NULL;
        if (t->root == PMN_TYPE_MULTISET)
            vt = count_type = pmn_type_new(PMN_TYPE_INT);
        int rc = 0;
        size_t n;
        if (!map) {
            if (!json_is_array(j))
                goto bad;
            n = json_array_size(j);
            out->v.list.items = pmn_arena_alloc(a, sizeof(pmn_datum) * (n ? n : 1));
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = json_to_datum(json_array_get(j, i), kt, exact, a, &out->v.list.items[i]);
            out->v.list.n = (uint32_t)n;
            return rc;
        }
        /* {"k": v, ...} or [[k, v], ...] */
        if (json_is_object(j)) {
            n = json_object_size(j);
            out->v.list.items = pmn_arena_alloc(a, sizeof(pmn_datum) * (2 * n + 1));
            const char *key;
            json_t *val;
            size_t i = 0;
            json_object_foreach(j, key, val)
            {
                json_t *jk = json_string(key);
                rc = json_to_datum(jk, kt, exact, a, &out->v.list.items[2 * i]);
                json_decref(jk);
                if (rc == 0)
                    rc = json_to_datum(val, vt, exact, a, &out->v.list.items[2 * i + 1]);
                if (rc)
                    break;
                i++;
            }
        } else if (json_is_array(j)) {
            n = json_array_size(j);
            out->v.list.items = pmn_arena_alloc(a, sizeof(pmn_datum) * (2 * n + 1));
            for (size_t i = 0; i < n && rc == 0; i++) {
                json_t *pair = json_array_get(j, i);
                if (!json_is_array(pair) || json_array_size(pair) != 2) {
                    rc = pmn_error_set(PMN_EINVALID, "a map entry must be a [key, value] pair");
                    break;
                }
                rc =
                    json_to_datum(json_array_get(pair, 0), kt, exact, a, &out->v.list.items[2 * i]);
                if (rc == 0)
                    rc = json_to_datum(json_array_get(pair, 1), vt, exact, a,
                                       &out->v.list.items[2 * i + 1]);
            }
        } else {
            pmn_type_free(count_type);
            goto bad;
        }
        out->v.list.n = (uint32_t)n;
        pmn_type_free(count_type);
        return rc;
    }
    case PMN_TYPE_ROW: {
        int nf = t->nfields;
        out->v.list.items = pmn_arena_alloc(a, sizeof(pmn_datum) * ((size_t)nf + 1));
        out->v.list.n = (uint32_t)nf;
        int rc = 0;
        for (int i = 0; i < nf && rc == 0; i++) {
            json_t *f = json_is_array(j)    ? json_array_get(j, (size_t)i)
                        : json_is_object(j) ? json_object_get(j, t->fields[i].name)
                                            : NULL;
            if (!json_is_array(j) && !json_is_object(j))
                goto bad;
            if (!f) {
                out->v.list.items[i].is_null = true;
                continue;
            }
            rc = json_to_datum(f, t->fields[i].type, exact, a, &out->v.list.items[i]);
        }
        return rc;
    }
    default:
        break;
    }
    if (json_is_integer(j)) {
        sc.kind = SQLITE_INTEGER;
        sc.i = json_integer_value(j);
    } else if (json_is_real(j)) {
        sc.kind = SQLITE_FLOAT;
        sc.f = json_real_value(j);
    } else if (json_is_boolean(j)) {
        sc.kind = SQLITE_INTEGER;
        sc.i = json_is_true(j);
    } else if (json_is_string(j)) {
        sc.kind = SQLITE_TEXT;
        sc.s = json_string_value(j);
        sc.n = json_string_length(j);
    } else {
        goto bad;
    }
    return scalar_to_datum(&sc, t, exact, a, out);
bad : {
    char *txt = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    char *tn = pmn_sql_decltype(t);
    const char *space = strchr(tn, ' ');
    int rc = pmn_error_set(PMN_EINVALID, "cannot convert %s to %s", txt ? txt : "?",
                           space ? space + 1 : tn);
    free(txt);
    free(tn);
    return rc;
}
}

int pmn_sql_value_to_datum(sqlite3_value *v, const pmn_type *t, bool exact, pmn_arena *a,
                           pmn_datum *out)
{
    scalar sc;
    memset(&sc, 0, sizeof sc);
    sc.kind = sqlite3_value_type(v);
    switch (sc.kind) {
    case SQLITE_INTEGER:
        sc.i = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT:
        sc.f = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT:
        sc.s = (const char *)sqlite3_value_text(v);
        sc.n = (size_t)sqlite3_value_bytes(v);
        break;
    case SQLITE_BLOB:
        if (t->root == PMN_TYPE_BINARY || t->root == PMN_TYPE_VARBINARY) {
            sc.s = sqlite3_value_blob(v);
            sc.n = (size_t)sqlite3_value_bytes(v);
            if (!sc.s)
                sc.s = "";
        } else { /* as text: SQLite terminates it */
            sc.kind = SQLITE_TEXT;
            sc.s = (const char *)sqlite3_value_text(v);
            sc.n = (size_t)sqlite3_value_bytes(v);
        }
        break;
    default:
        break;
    }
    return scalar_to_datum(&sc, t, exact, a, out);
}
