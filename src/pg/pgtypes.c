/*
 * src/pg/pgtypes.c
 *
 * PostgreSQL type classification, PG → Paimon type mapping and text-format
 * value parsing; see pgtypes.h for the decisions. Text formats are those of
 * PostgreSQL's type output functions (boolout, int8out, numeric_out,
 * float8out, byteaout, date_out, time_out, timestamp_out, timestamptz_out,
 * array_out) under the fixed session settings (shared/pgoutput.md §7.2).
 */
#include "pg/pgtypes.h"

#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- classification ---------------------------------------------------- */

typedef struct builtin {
    uint32_t oid;
    uint32_t array_oid;
    pmn_pg_kind kind;
    const char *name;
} builtin;

static const builtin BUILTINS[] = {
    {16, 1000, PMN_PG_BOOL, "bool"},
    {17, 1001, PMN_PG_BYTEA, "bytea"},
    {18, 1002, PMN_PG_CHAR1, "char"},
    {19, 1003, PMN_PG_NAME, "name"},
    {20, 1016, PMN_PG_INT8, "int8"},
    {21, 1005, PMN_PG_INT2, "int2"},
    {23, 1007, PMN_PG_INT4, "int4"},
    {25, 1009, PMN_PG_TEXT, "text"},
    {26, 1028, PMN_PG_OID, "oid"},
    {114, 199, PMN_PG_JSON, "json"},
    {142, 143, PMN_PG_XML, "xml"},
    {650, 651, PMN_PG_CIDR, "cidr"},
    {700, 1021, PMN_PG_FLOAT4, "float4"},
    {701, 1022, PMN_PG_FLOAT8, "float8"},
    {774, 775, PMN_PG_MACADDR8, "macaddr8"},
    {790, 791, PMN_PG_MONEY, "money"},
    {829, 1040, PMN_PG_MACADDR, "macaddr"},
    {869, 1041, PMN_PG_INET, "inet"},
    {1042, 1014, PMN_PG_BPCHAR, "bpchar"},
    {1043, 1015, PMN_PG_VARCHAR, "varchar"},
    {1082, 1182, PMN_PG_DATE, "date"},
    {1083, 1183, PMN_PG_TIME, "time"},
    {1114, 1115, PMN_PG_TIMESTAMP, "timestamp"},
    {1184, 1185, PMN_PG_TIMESTAMPTZ, "timestamptz"},
    {1186, 1187, PMN_PG_INTERVAL, "interval"},
    {1266, 1270, PMN_PG_TIMETZ, "timetz"},
    {1560, 1561, PMN_PG_BIT, "bit"},
    {1562, 1563, PMN_PG_VARBIT, "varbit"},
    {1700, 1231, PMN_PG_NUMERIC, "numeric"},
    {2950, 2951, PMN_PG_UUID, "uuid"},
    {3802, 3807, PMN_PG_JSONB, "jsonb"},
};
#define NBUILTINS (sizeof BUILTINS / sizeof BUILTINS[0])

const char *pmn_pgtypes_kind_name(pmn_pg_kind k)
{
    if (k == PMN_PG_ENUM)
        return "enum";
    if (k == PMN_PG_ARRAY)
        return "array";
    for (size_t i = 0; i < NBUILTINS; i++)
        if (BUILTINS[i].kind == k)
            return BUILTINS[i].name;
    return "other";
}

pmn_pg_kind pmn_pgtypes_kind_by_name(const char *typname)
{
    for (size_t i = 0; i < NBUILTINS; i++)
        if (strcmp(BUILTINS[i].name, typname) == 0)
            return BUILTINS[i].kind;
    return PMN_PG_OTHER;
}

bool pmn_pgtypes_builtin(pmn_pg_type *out, uint32_t oid, int32_t typmod)
{
    memset(out, 0, sizeof *out);
    out->oid = oid;
    out->typmod = typmod;
    out->elem_typmod = -1;
    for (size_t i = 0; i < NBUILTINS; i++) {
        const builtin *b = &BUILTINS[i];
        if (b->oid == oid) {
            out->kind = b->kind;
            snprintf(out->name, sizeof out->name, "%s", b->name);
            return true;
        }
        if (b->array_oid == oid) {
            out->kind = PMN_PG_ARRAY;
            out->typmod = -1;
            out->elem_kind = b->kind;
            out->elem_typmod = typmod; /* atttypmod of an array column is its element's */
            snprintf(out->name, sizeof out->name, "_%s", b->name);
            snprintf(out->elem_name, sizeof out->elem_name, "%s", b->name);
            return true;
        }
    }
    return false;
}

int pmn_type_mapping_parse(pmn_type_mapping *out, const char *list)
{
    memset(out, 0, sizeof *out);
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        char opt[64];
        if (n >= sizeof opt)
            return pmn_error_set(PMN_EINVALID, "--type_mapping: option \"%.*s\" is too long",
                                 (int)(n > 60 ? 60 : n), p);
        memcpy(opt, p, n);
        opt[n] = '\0';
        if (strcmp(opt, "to-string") == 0)
            out->to_string = true;
        else if (strcmp(opt, "to-nullable") == 0)
            out->to_nullable = true;
        else if (strcmp(opt, "char-to-string") == 0)
            out->char_to_string = true;
        else if (strcmp(opt, "allow-non-string-to-string") == 0)
            out->allow_non_string_to_string = true;
        else if (strcmp(opt, "decimal-no-change") == 0)
            out->decimal_no_change = true;
        else if (strcmp(opt, "tinyint1-not-bool") == 0 || strcmp(opt, "longtext-to-bytes") == 0 ||
                 strcmp(opt, "bigint-unsigned-to-bigint") == 0)
            ; /* MySQL-only modes: accepted as the reference parser does, no effect here */
        else
            return pmn_error_set(PMN_EINVALID,
                                 "--type_mapping: unknown option \"%s\" (known: to-string, "
                                 "to-nullable, char-to-string, allow-non-string-to-string, "
                                 "decimal-no-change, tinyint1-not-bool, longtext-to-bytes, "
                                 "bigint-unsigned-to-bigint)",
                                 opt);
        p += strcspn(p, ",");
    }
    return 0;
}

/* ---- mapping ----------------------------------------------------------- */

static void numeric_typmod(int32_t typmod, int32_t *p, int32_t *s)
{
    int32_t t = typmod - 4;
    *p = (t >> 16) & 0xffff;
    *s = ((t & 0x7ff) ^ 1024) - 1024; /* 11-bit signed scale since PG 15 */
}

static int32_t time_precision(int32_t typmod)
{
    return typmod < 0 ? 6 : typmod;
}

/* scalar mapping; NULL if the kind has no mapping */
static pmn_type *map_scalar(pmn_pg_kind kind, int32_t typmod, const pmn_type_mapping *tm,
                            bool in_array)
{
    int32_t p, s;
    switch (kind) {
    case PMN_PG_BOOL:
        return pmn_type_new(PMN_TYPE_BOOLEAN);
    case PMN_PG_BIT:
    case PMN_PG_VARBIT:
        if (in_array)
            return NULL;
        if (typmod >= 0 && typmod <= 1)
            return pmn_type_new(PMN_TYPE_BOOLEAN);
        if (typmod < 0)
            return pmn_type_new(PMN_TYPE_VARBINARY); /* varbit without length: BYTES */
        {
            pmn_type *t = pmn_type_new(PMN_TYPE_BINARY);
            t->length = (typmod + 7) / 8;
            return t;
        }
    case PMN_PG_INT2:
        return pmn_type_new(PMN_TYPE_SMALLINT);
    case PMN_PG_INT4:
        return pmn_type_new(PMN_TYPE_INT);
    case PMN_PG_INT8:
        return pmn_type_new(PMN_TYPE_BIGINT);
    case PMN_PG_FLOAT4:
        return pmn_type_new(PMN_TYPE_FLOAT);
    case PMN_PG_FLOAT8:
        return pmn_type_new(PMN_TYPE_DOUBLE);
    case PMN_PG_NUMERIC:
        if (typmod < 0)
            return pmn_type_decimal(38, 18);
        numeric_typmod(typmod, &p, &s);
        if (p >= 1 && p <= 38 && s >= 0 && s <= p)
            return pmn_type_decimal(p, s);
        return pmn_type_new(PMN_TYPE_VARCHAR);
    case PMN_PG_BPCHAR:
        if (in_array || tm->char_to_string || typmod < 5)
            return pmn_type_new(PMN_TYPE_VARCHAR);
        {
            pmn_type *t = pmn_type_new(PMN_TYPE_CHAR);
            t->length = typmod - 4;
            return t;
        }
    case PMN_PG_VARCHAR:
        if (in_array || tm->char_to_string || typmod < 5)
            return pmn_type_new(PMN_TYPE_VARCHAR);
        return pmn_type_varchar(typmod - 4);
    case PMN_PG_TEXT:
        return pmn_type_new(PMN_TYPE_VARCHAR);
    case PMN_PG_JSON:
    case PMN_PG_JSONB:
    case PMN_PG_ENUM:
    case PMN_PG_UUID:
        return in_array ? NULL : pmn_type_new(PMN_TYPE_VARCHAR);
    case PMN_PG_BYTEA:
        return pmn_type_new(PMN_TYPE_VARBINARY);
    case PMN_PG_DATE:
        return pmn_type_new(PMN_TYPE_DATE);
    case PMN_PG_TIME: {
        pmn_type *t = pmn_type_new(PMN_TYPE_TIME);
        t->precision = time_precision(typmod);
        return t;
    }
    case PMN_PG_TIMESTAMP:
        return pmn_type_timestamp(PMN_TYPE_TIMESTAMP, time_precision(typmod));
    case PMN_PG_TIMESTAMPTZ:
        return pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, time_precision(typmod));
    default:
        return NULL;
    }
}

int pmn_pgtypes_map(pmn_type **out, const pmn_pg_type *pt, const pmn_type_mapping *tm,
                    bool not_null, bool is_pk, const char *table, const char *column)
{
    static const pmn_type_mapping none = {0};
    if (!tm)
        tm = &none;
    pmn_type *t = NULL;
    if (tm->to_string) {
        t = pmn_type_new(PMN_TYPE_VARCHAR);
    } else if (pt->kind == PMN_PG_ARRAY) {
        pmn_type *e = map_scalar(pt->elem_kind, pt->elem_typmod, tm, true);
        if (e)
            t = pmn_type_array(e);
    } else {
        t = map_scalar(pt->kind, pt->typmod, tm, false);
    }
    if (!t)
        return pmn_error_set(PMN_EINVALID,
                             "table %s column \"%s\": PostgreSQL type %s has no Paimon type "
                             "mapping; sync it as text with --type_mapping to-string",
                             table ? table : "?", column ? column : "?", pt->name);
    t->nullable = is_pk ? false : (tm->to_nullable ? true : !not_null);
    *out = t;
    return 0;
}

/* ---- parsing helpers --------------------------------------------------- */

static int bad_value(int code, const pmn_pg_type *pt, const char *text, size_t len, const char *why)
{
    return pmn_error_set(code, "%s value \"%.*s%s\": %s", pt->name, (int)(len > 60 ? 60 : len),
                         text, len > 60 ? "..." : "", why);
}

/* copy a short value into a NUL-terminated buffer; false if too long */
static bool small_copy(char *dst, size_t cap, const char *text, size_t len)
{
    if (len >= cap)
        return false;
    memcpy(dst, text, len);
    dst[len] = '\0';
    return true;
}

static int parse_int(int64_t *out, const pmn_pg_type *pt, const char *text, size_t len, int64_t lo,
                     int64_t hi)
{
    /* the common case, an optional '-' and up to 18 digits, cannot overflow int64: parsed
     * here; anything else (signs, blanks, 19 digits) goes through strtoll */
    size_t i = len && text[0] == '-';
    if (len > i && len - i <= 18) {
        int64_t v = 0;
        size_t j = i;
        for (; j < len && text[j] >= '0' && text[j] <= '9'; j++)
            v = v * 10 + (text[j] - '0');
        if (j == len) {
            v = i ? -v : v;
            if (v < lo || v > hi)
                return bad_value(PMN_EINVALID, pt, text, len,
                                 "out of range for the mapped integer type");
            *out = v;
            return 0;
        }
    }
    char buf[32];
    if (!small_copy(buf, sizeof buf, text, len) || len == 0)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an integer");
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end != '\0' || end == buf)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an integer");
    if (errno == ERANGE || v < lo || v > hi)
        return bad_value(PMN_EINVALID, pt, text, len, "out of range for the mapped integer type");
    *out = v;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static pmn_i128 pow10_i128(int n)
{
    static const int64_t small[19] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000,
                                      100000000000,
                                      1000000000000,
                                      10000000000000,
                                      100000000000000,
                                      1000000000000000,
                                      10000000000000000,
                                      100000000000000000,
                                      1000000000000000000};
    if (n >= 0 && n <= 18)
        return small[n];
    pmn_i128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

/* numeric text → unscaled value at `scale`, rounding half-up, |value| < 10^precision */
static int parse_decimal(pmn_i128 *out, const pmn_pg_type *pt, const pmn_type *type,
                         const char *text, size_t len)
{
    size_t i = 0;
    bool neg = false;
    if (len == 3 && memcmp(text, "NaN", 3) == 0)
        return bad_value(PMN_EINVALID, pt, text, len,
                         "NaN cannot be stored in a DECIMAL column; map the column to STRING "
                         "with --type_mapping to-string");
    if ((len == 8 && memcmp(text, "Infinity", 8) == 0) ||
        (len == 9 && memcmp(text, "-Infinity", 9) == 0))
        return bad_value(PMN_EINVALID, pt, text, len,
                         "infinity cannot be stored in a DECIMAL column; map the column to "
                         "STRING with --type_mapping to-string");
    if (i < len && (text[i] == '-' || text[i] == '+')) {
        neg = text[i] == '-';
        i++;
    }
    int precision = type->precision, scale = type->scale;
    pmn_i128 limit = pow10_i128(precision);
    pmn_i128 v = 0;
    int ndigits = 0; /* digits accumulated (integer part + fraction up to scale) */
    bool any = false;
    while (i < len && is_digit(text[i])) {
        any = true;
        v = v * 10 + (text[i] - '0');
        if (v != 0)
            ndigits++;
        if (ndigits > precision - scale)
            return bad_value(PMN_EINVALID, pt, text, len,
                             "does not fit the column's DECIMAL precision");
        i++;
    }
    int frac = 0;
    int round_digit = -1;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && is_digit(text[i])) {
            any = true;
            if (frac < scale) {
                v = v * 10 + (text[i] - '0');
                frac++;
            } else if (round_digit < 0) {
                round_digit = text[i] - '0';
            }
            i++;
        }
    }
    if (!any || i != len)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not a decimal number");
    v *= pow10_i128(scale - frac);
    if (round_digit >= 5)
        v += 1;
    if (v >= limit)
        return bad_value(PMN_EINVALID, pt, text, len,
                         "does not fit the column's DECIMAL precision");
    *out = neg ? -v : v;
    return 0;
}

static int parse_float(pmn_datum *out, const pmn_pg_type *pt, bool single, const char *text,
                       size_t len)
{
    char buf[64];
    if (!small_copy(buf, sizeof buf, text, len) || len == 0)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not a floating-point number");
    double d;
    float f = 0;
    if (strcmp(buf, "NaN") == 0) {
        d = NAN;
        f = NAN;
    } else if (strcmp(buf, "Infinity") == 0) {
        d = INFINITY;
        f = INFINITY;
    } else if (strcmp(buf, "-Infinity") == 0) {
        d = -INFINITY;
        f = -INFINITY;
    } else {
        char *end;
        errno = 0;
        if (single) {
            f = strtof(buf, &end);
            d = f;
        } else {
            d = strtod(buf, &end);
        }
        /* ERANGE on underflow still yields the nearest value; PG itself produced the text */
        if (*end != '\0' || end == buf || isinf(d))
            return bad_value(PMN_ECORRUPT, pt, text, len, "not a floating-point number");
    }
    if (single)
        out->v.f4 = f;
    else
        out->v.f8 = d;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_bytea(pmn_datum *out, const pmn_pg_type *pt, const char *text, size_t len,
                       pmn_arena *a)
{
    if (len < 2 || text[0] != '\\' || text[1] != 'x' || (len - 2) % 2 != 0)
        return bad_value(PMN_ECORRUPT, pt, text, len,
                         "not hex bytea output (the session must use bytea_output=hex)");
    size_t n = (len - 2) / 2;
    uint8_t *b = pmn_arena_alloc(a, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        int h = hexval(text[2 + 2 * i]), l = hexval(text[3 + 2 * i]);
        if (h < 0 || l < 0)
            return bad_value(PMN_ECORRUPT, pt, text, len, "bad hex digit in bytea");
        b[i] = (uint8_t)(h << 4 | l);
    }
    out->v.bin.ptr = b;
    out->v.bin.len = (uint32_t)n;
    return 0;
}

static int parse_bits(pmn_datum *out, const pmn_pg_type *pt, const pmn_type *type, const char *text,
                      size_t len, pmn_arena *a)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != '0' && text[i] != '1')
            return bad_value(PMN_ECORRUPT, pt, text, len, "not a bit string");
    if (type->root == PMN_TYPE_BOOLEAN) {
        if (len != 1)
            return bad_value(PMN_EINVALID, pt, text, len, "expected a single bit");
        out->v.b = text[0] == '1';
        return 0;
    }
    size_t n = (len + 7) / 8;
    if (type->root == PMN_TYPE_BINARY && (size_t)type->length > n)
        n = (size_t)type->length;
    uint8_t *b = pmn_arena_alloc(a, n ? n : 1);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '1')
            b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    out->v.bin.ptr = b;
    out->v.bin.len = (uint32_t)n;
    return 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date (astronomical year numbering) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool ends_with_bc(const char *text, size_t *len)
{
    if (*len >= 3 && memcmp(text + *len - 3, " BC", 3) == 0) {
        *len -= 3;
        return true;
    }
    return false;
}

/* ±infinity dates and timestamps saturate to 0001-01-01 .. 9999-12-31 23:59:59.999999, a
 * range every reader accepts (Java's and Python's date types; Flink's starts at year 0):
 * order is kept.
 * An error instead would stop the job on a change it can never get past. */
#define DAYS_MIN (-719162LL) /* 0001-01-01 */
#define DAYS_MAX 2932896LL   /* 9999-12-31 */

static bool is_infinity(const char *text, size_t len)
{
    return (len == 8 && memcmp(text, "infinity", 8) == 0) ||
           (len == 9 && memcmp(text, "-infinity", 9) == 0);
}

static size_t read_uint(const char *t, size_t len, size_t i, int64_t *v, int maxdigits)
{
    size_t start = i;
    *v = 0;
    while (i < len && is_digit(t[i]) && (int)(i - start) < maxdigits)
        *v = *v * 10 + (t[i++] - '0');
    return i - start;
}

/* "YYYY-MM-DD" at t[*i]; advances *i */
static bool scan_date(const char *t, size_t len, size_t *i, int64_t *days, bool bc)
{
    int64_t y, mo, d;
    size_t n = read_uint(t, len, *i, &y, 9);
    if (n < 4)
        return false;
    *i += n;
    if (*i >= len || t[*i] != '-')
        return false;
    (*i)++;
    if (read_uint(t, len, *i, &mo, 2) != 2)
        return false;
    *i += 2;
    if (*i >= len || t[*i] != '-')
        return false;
    (*i)++;
    if (read_uint(t, len, *i, &d, 2) != 2)
        return false;
    *i += 2;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    if (bc)
        y = 1 - y;
    *days = days_from_civil(y, (int)mo, (int)d);
    return true;
}

/* "HH:MM:SS[.ffffff]" → µs of the day */
static bool scan_time(const char *t, size_t len, size_t *i, int64_t *us)
{
    int64_t h, mi, s;
    if (read_uint(t, len, *i, &h, 2) != 2)
        return false;
    *i += 2;
    if (*i >= len || t[*i] != ':')
        return false;
    (*i)++;
    if (read_uint(t, len, *i, &mi, 2) != 2)
        return false;
    *i += 2;
    if (*i >= len || t[*i] != ':')
        return false;
    (*i)++;
    if (read_uint(t, len, *i, &s, 2) != 2)
        return false;
    *i += 2;
    int64_t frac = 0;
    if (*i < len && t[*i] == '.') {
        (*i)++;
        int nd = 0;
        while (*i < len && is_digit(t[*i])) {
            if (nd < 6) {
                frac = frac * 10 + (t[*i] - '0');
                nd++;
            }
            (*i)++;
        }
        if (nd == 0)
            return false;
        while (nd++ < 6)
            frac *= 10;
    }
    if (h > 24 || mi > 59 || s > 60)
        return false;
    *us = ((h * 60 + mi) * 60 + s) * 1000000 + frac;
    return true;
}

/* "+HH[:MM[:SS]]" / "-HH..." → offset seconds east of UTC */
static bool scan_offset(const char *t, size_t len, size_t *i, int64_t *secs)
{
    if (*i >= len || (t[*i] != '+' && t[*i] != '-'))
        return false;
    int sign = t[*i] == '-' ? -1 : 1;
    (*i)++;
    int64_t h, m = 0, s = 0;
    if (read_uint(t, len, *i, &h, 2) != 2)
        return false;
    *i += 2;
    if (*i < len && t[*i] == ':') {
        (*i)++;
        if (read_uint(t, len, *i, &m, 2) != 2)
            return false;
        *i += 2;
        if (*i < len && t[*i] == ':') {
            (*i)++;
            if (read_uint(t, len, *i, &s, 2) != 2)
                return false;
            *i += 2;
        }
    }
    *secs = sign * (h * 3600 + m * 60 + s);
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int parse_date(pmn_datum *out, const pmn_pg_type *pt, const char *text, size_t len)
{
    if (is_infinity(text, len)) {
        out->v.i = text[0] == '-' ? DAYS_MIN : DAYS_MAX;
        return 0;
    }
    size_t l = len, i = 0;
    bool bc = ends_with_bc(text, &l);
    int64_t days;
    if (!scan_date(text, l, &i, &days, bc) || i != l)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an ISO date (DateStyle must be ISO)");
    if (days < INT32_MIN || days > INT32_MAX)
        return bad_value(PMN_EINVALID, pt, text, len, "date out of range");
    out->v.i = days;
    return 0;
}

static int parse_time(pmn_datum *out, const pmn_pg_type *pt, const char *text, size_t len)
{
    size_t i = 0;
    int64_t us;
    if (!scan_time(text, len, &i, &us) || i != len || us > 86400000000LL)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not a time of day");
    /* 24:00:00 (PostgreSQL's end of day) is not a time of day for Java's LocalTime */
    out->v.i = us == 86400000000LL ? 86399999 : us / 1000;
    return 0;
}

static int parse_timestamp(pmn_datum *out, const pmn_pg_type *pt, bool with_tz, const char *text,
                           size_t len)
{
    if (is_infinity(text, len)) {
        bool neg = text[0] == '-';
        out->v.ts.millis = neg ? DAYS_MIN * 86400000 : DAYS_MAX * 86400000 + 86399999;
        out->v.ts.nanos = neg ? 0 : 999000;
        return 0;
    }
    size_t l = len, i = 0;
    bool bc = ends_with_bc(text, &l);
    int64_t days, us, off = 0;
    if (!scan_date(text, l, &i, &days, bc) || i >= l || text[i] != ' ')
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an ISO timestamp");
    i++;
    if (!scan_time(text, l, &i, &us))
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an ISO timestamp");
    if (with_tz && !scan_offset(text, l, &i, &off))
        return bad_value(PMN_ECORRUPT, pt, text, len, "timestamptz without a UTC offset");
    if (i != l)
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an ISO timestamp");
    /* |days| < 2^31 so the product fits in int64 µs (±292k years) */
    pmn_i128 total = (pmn_i128)days * 86400000000LL + us - (pmn_i128)off * 1000000;
    if (total > INT64_MAX || total < INT64_MIN)
        return bad_value(PMN_EINVALID, pt, text, len, "timestamp out of range");
    int64_t t = (int64_t)total;
    int64_t ms = floor_div(t, 1000);
    out->v.ts.millis = ms;
    out->v.ts.nanos = (int32_t)((t - ms * 1000) * 1000);
    return 0;
}

/* ---- arrays ------------------------------------------------------------ */

typedef struct elem {
    const char *s;
    size_t len;
    bool null;
} elem;

static int parse_array(pmn_datum *out, const pmn_pg_type *pt, const pmn_type *type,
                       const char *text, size_t len, pmn_arena *a)
{
    size_t i = 0;
    /* optional explicit bounds "[l:u]...=" */
    if (i < len && text[i] == '[') {
        const char *eq = memchr(text, '=', len);
        if (!eq)
            return bad_value(PMN_ECORRUPT, pt, text, len, "malformed array bounds");
        i = (size_t)(eq - text) + 1;
    }
    if (i >= len || text[i] != '{' || text[len - 1] != '}')
        return bad_value(PMN_ECORRUPT, pt, text, len, "not an array literal");
    i++;
    size_t end = len - 1;
    elem *items = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    char *scratch = pmn_arena_alloc(a, len + 1); /* unescaped element bytes */
    size_t sp = 0;
    while (i < end) {
        while (i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i >= end)
            break;
        if (text[i] == '{') {
            rc = bad_value(PMN_EINVALID, pt, text, len,
                           "multi-dimensional array values cannot be stored in a one-dimensional "
                           "ARRAY column; map the column to STRING with --type_mapping to-string");
            goto done;
        }
        PMN_GROW(items, cap, n + 1);
        elem *e = &items[n++];
        e->s = scratch + sp;
        e->null = false;
        if (text[i] == '"') {
            i++;
            while (i < end && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < end)
                    i++;
                scratch[sp++] = text[i++];
            }
            if (i >= end) {
                rc = bad_value(PMN_ECORRUPT, pt, text, len, "unterminated quoted array element");
                goto done;
            }
            i++; /* closing quote */
            e->len = (size_t)(scratch + sp - e->s);
        } else {
            size_t st = sp;
            while (i < end && text[i] != ',') {
                if (text[i] == '\\' && i + 1 < end)
                    i++;
                scratch[sp++] = text[i++];
            }
            while (sp > st && (scratch[sp - 1] == ' ' || scratch[sp - 1] == '\t'))
                sp--;
            e->len = sp - st;
            if (e->len == 4 && strncasecmp(e->s, "NULL", 4) == 0)
                e->null = true;
            if (e->len == 0) {
                rc = bad_value(PMN_ECORRUPT, pt, text, len, "empty unquoted array element");
                goto done;
            }
        }
        while (i < end && (text[i] == ' ' || text[i] == '\t'))
            i++;
        if (i < end) {
            if (text[i] != ',') {
                rc = bad_value(PMN_ECORRUPT, pt, text, len, "malformed array literal");
                goto done;
            }
            i++;
        }
    }
    {
        pmn_pg_type et;
        memset(&et, 0, sizeof et);
        et.kind = pt->elem_kind;
        et.typmod = pt->elem_typmod;
        et.oid = 0;
        snprintf(et.name, sizeof et.name, "%s", pt->elem_name);
        pmn_datum *vals = pmn_arena_alloc(a, sizeof *vals * (n ? n : 1));
        for (size_t k = 0; k < n; k++) {
            if (items[k].null) {
                vals[k].is_null = true;
                continue;
            }
            rc = pmn_pgtypes_parse(&vals[k], &et, type->elem, items[k].s, items[k].len, a);
            if (rc < 0) {
                pmn_error_wrap("array element %zu: ", k + 1);
                goto done;
            }
        }
        out->v.list.items = vals;
        out->v.list.n = (uint32_t)n;
    }
done:
    free(items);
    return rc;
}

/* ---- entry point ------------------------------------------------------- */

int pmn_pgtypes_parse(pmn_datum *out, const pmn_pg_type *pt, const pmn_type *type, const char *text,
                      size_t len, pmn_arena *arena)
{
    memset(out, 0, sizeof *out);
    if (len > UINT32_MAX)
        return bad_value(PMN_EINVALID, pt, text, 0, "value larger than 4 GiB");
    int64_t i64;
    int rc;
    switch (type->root) {
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        /* every type's text form is its STRING value (to-string, json, uuid, enum ...) */
        out->v.bin.ptr = pmn_arena_memdup(arena, text, len);
        out->v.bin.len = (uint32_t)len;
        return 0;
    case PMN_TYPE_BOOLEAN:
        if (pt->kind == PMN_PG_BIT || pt->kind == PMN_PG_VARBIT)
            return parse_bits(out, pt, type, text, len, arena);
        if (len == 1 && (text[0] == 't' || text[0] == 'f')) {
            out->v.b = text[0] == 't';
            return 0;
        }
        return bad_value(PMN_ECORRUPT, pt, text, len, "not a boolean (t/f)");
    case PMN_TYPE_TINYINT:
        rc = parse_int(&i64, pt, text, len, INT8_MIN, INT8_MAX);
        break;
    case PMN_TYPE_SMALLINT:
        rc = parse_int(&i64, pt, text, len, INT16_MIN, INT16_MAX);
        break;
    case PMN_TYPE_INT:
        rc = parse_int(&i64, pt, text, len, INT32_MIN, INT32_MAX);
        break;
    case PMN_TYPE_BIGINT:
        rc = parse_int(&i64, pt, text, len, INT64_MIN, INT64_MAX);
        break;
    case PMN_TYPE_FLOAT:
        return parse_float(out, pt, true, text, len);
    case PMN_TYPE_DOUBLE:
        return parse_float(out, pt, false, text, len);
    case PMN_TYPE_DECIMAL:
        return parse_decimal(&out->v.dec, pt, type, text, len);
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
        if (pt->kind == PMN_PG_BIT || pt->kind == PMN_PG_VARBIT)
            return parse_bits(out, pt, type, text, len, arena);
        return parse_bytea(out, pt, text, len, arena);
    case PMN_TYPE_DATE:
        return parse_date(out, pt, text, len);
    case PMN_TYPE_TIME:
        return parse_time(out, pt, text, len);
    case PMN_TYPE_TIMESTAMP:
    case PMN_TYPE_TIMESTAMP_LTZ:
        return parse_timestamp(out, pt, pt->kind == PMN_PG_TIMESTAMPTZ, text, len);
    case PMN_TYPE_ARRAY:
        return parse_array(out, pt, type, text, len, arena);
    default:
        return bad_value(PMN_EINVALID, pt, text, len, "no conversion to the mapped Paimon type");
    }
    if (rc < 0)
        return rc;
    out->v.i = i64;
    return 0;
}
