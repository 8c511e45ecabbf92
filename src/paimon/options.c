/*
 * src/paimon/options.c
 *
 * Ordered string map with typed getters; see options.h. The value syntax
 * follows Java Paimon: org.apache.paimon.options.MemorySize.parseBytes and
 * org.apache.paimon.utils.TimeUtils.parseDuration (a run of decimal digits,
 * optional whitespace, then a case-insensitive unit label), and
 * OptionsUtils.convertToBoolean ("true"/"false", any case).
 */
#include "paimon/options.h"

#include "util/alloc.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pmn_options_init(pmn_options *o)
{
    o->keys = NULL;
    o->values = NULL;
    o->n = 0;
    o->cap = 0;
}

void pmn_options_dispose(pmn_options *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->keys[i]);
        free(o->values[i]);
    }
    free(o->keys);
    free(o->values);
    pmn_options_init(o);
}

void pmn_options_copy(pmn_options *dst, const pmn_options *src)
{
    pmn_options_init(dst);
    for (size_t i = 0; i < src->n; i++)
        pmn_options_set(dst, src->keys[i], src->values[i]);
}

static ptrdiff_t find_key(const pmn_options *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return (ptrdiff_t)i;
    return -1;
}

const char *pmn_options_get(const pmn_options *o, const char *key)
{
    ptrdiff_t i = find_key(o, key);
    return i < 0 ? NULL : o->values[i];
}

void pmn_options_set(pmn_options *o, const char *key, const char *value)
{
    ptrdiff_t i = find_key(o, key);
    if (i >= 0) {
        char *v = pmn_xstrdup(value);
        free(o->values[i]);
        o->values[i] = v;
        return;
    }
    if (o->n == o->cap) {
        size_t cap = o->cap;
        PMN_GROW(o->keys, cap, o->n + 1);
        o->values = pmn_xrealloc(o->values, cap * sizeof *o->values);
        o->cap = cap;
    }
    o->keys[o->n] = pmn_xstrdup(key);
    o->values[o->n] = pmn_xstrdup(value);
    o->n++;
}

bool pmn_options_remove(pmn_options *o, const char *key)
{
    ptrdiff_t i = find_key(o, key);
    if (i < 0)
        return false;
    free(o->keys[i]);
    free(o->values[i]);
    size_t rest = o->n - (size_t)i - 1;
    memmove(&o->keys[i], &o->keys[i + 1], rest * sizeof *o->keys);
    memmove(&o->values[i], &o->values[i + 1], rest * sizeof *o->values);
    o->n--;
    return true;
}

/* trim: bounds of s without leading/trailing whitespace (Java String.trim, ASCII). */
static void trim(const char *s, const char **begin, const char **end)
{
    const char *b = s, *e = s + strlen(s);
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    *begin = b;
    *end = e;
}

/* parse_number_and_unit: "<digits><ws><unit>" -> value and lower-cased unit (max 31 chars). */
static int parse_number_and_unit(const char *s, const char *what, int64_t *value, char *unit,
                                 size_t unit_cap)
{
    const char *b, *e;
    trim(s, &b, &e);
    if (b == e)
        return pmn_error_set(PMN_EINVALID, "invalid %s '%s': empty value", what, s);
    const char *p = b;
    int64_t v = 0;
    while (p < e && *p >= '0' && *p <= '9') {
        int d = *p - '0';
        if (v > (INT64_MAX - d) / 10)
            return pmn_error_set(PMN_EINVALID, "invalid %s '%s': numeric overflow", what, s);
        v = v * 10 + d;
        p++;
    }
    if (p == b)
        return pmn_error_set(PMN_EINVALID, "invalid %s '%s': does not start with a number", what,
                             s);
    while (p < e && isspace((unsigned char)*p))
        p++;
    size_t n = (size_t)(e - p);
    if (n >= unit_cap)
        return pmn_error_set(PMN_EINVALID, "invalid %s '%s': unknown unit", what, s);
    for (size_t i = 0; i < n; i++)
        unit[i] = (char)tolower((unsigned char)p[i]);
    unit[n] = '\0';
    *value = v;
    return 0;
}

static bool unit_in(const char *unit, const char *const *labels)
{
    for (; *labels; labels++)
        if (strcmp(unit, *labels) == 0)
            return true;
    return false;
}

int pmn_parse_memory_size(const char *s, int64_t *bytes)
{
    static const char *const b[] = {"b", "bytes", NULL};
    static const char *const k[] = {"k", "kb", "kibibytes", NULL};
    static const char *const m[] = {"m", "mb", "mebibytes", NULL};
    static const char *const g[] = {"g", "gb", "gibibytes", NULL};
    static const char *const t[] = {"t", "tb", "tebibytes", NULL};
    int64_t v;
    char unit[32];
    int rc = parse_number_and_unit(s, "memory size", &v, unit, sizeof unit);
    if (rc)
        return rc;
    int64_t mul;
    if (unit[0] == '\0' || unit_in(unit, b))
        mul = 1;
    else if (unit_in(unit, k))
        mul = INT64_C(1) << 10;
    else if (unit_in(unit, m))
        mul = INT64_C(1) << 20;
    else if (unit_in(unit, g))
        mul = INT64_C(1) << 30;
    else if (unit_in(unit, t))
        mul = INT64_C(1) << 40;
    else
        return pmn_error_set(PMN_EINVALID,
                             "invalid memory size '%s': unknown unit '%s' (use b, kb, mb, gb, tb)",
                             s, unit);
    if (v > INT64_MAX / mul)
        return pmn_error_set(PMN_EINVALID, "invalid memory size '%s': numeric overflow", s);
    *bytes = v * mul;
    return 0;
}

int pmn_parse_duration_ms(const char *s, int64_t *ms)
{
    static const char *const d[] = {"d", "day", "days", NULL};
    static const char *const h[] = {"h", "hour", "hours", NULL};
    static const char *const mi[] = {"min", "m", "minute", "minutes", NULL};
    static const char *const sec[] = {"s", "sec", "secs", "second", "seconds", NULL};
    static const char *const msl[] = {"ms", "milli", "millis", "millisecond", "milliseconds", NULL};
    static const char *const us[] = {"\xc2\xb5s",   "micro",        "micros",
                                     "microsecond", "microseconds", NULL};
    static const char *const ns[] = {"ns", "nano", "nanos", "nanosecond", "nanoseconds", NULL};
    int64_t v;
    char unit[32];
    int rc = parse_number_and_unit(s, "duration", &v, unit, sizeof unit);
    if (rc)
        return rc;
    int64_t mul = 0, div = 1;
    if (unit[0] == '\0' || unit_in(unit, msl))
        mul = 1;
    else if (unit_in(unit, d))
        mul = 86400000;
    else if (unit_in(unit, h))
        mul = 3600000;
    else if (unit_in(unit, mi))
        mul = 60000;
    else if (unit_in(unit, sec))
        mul = 1000;
    else if (unit_in(unit, us))
        div = 1000;
    else if (unit_in(unit, ns))
        div = 1000000;
    else
        return pmn_error_set(PMN_EINVALID,
                             "invalid duration '%s': unknown unit '%s' (use d, h, min, s, ms)", s,
                             unit);
    if (div > 1) {
        *ms = v / div; /* Duration.toMillis truncates sub-millisecond parts */
        return 0;
    }
    if (v > INT64_MAX / mul)
        return pmn_error_set(PMN_EINVALID, "invalid duration '%s': numeric overflow", s);
    *ms = v * mul;
    return 0;
}

int pmn_options_get_int64(const pmn_options *o, const char *key, int64_t def, int64_t *out)
{
    const char *v = pmn_options_get(o, key);
    if (!v) {
        *out = def;
        return 0;
    }
    const char *b, *e;
    trim(v, &b, &e);
    char *tmp = pmn_xstrndup(b, (size_t)(e - b));
    char *end;
    errno = 0;
    long long x = strtoll(tmp, &end, 10);
    bool ok = tmp[0] != '\0' && *end == '\0' && errno == 0 && !isspace((unsigned char)tmp[0]);
    free(tmp);
    if (!ok)
        return pmn_error_set(PMN_EINVALID, "option '%s': '%s' is not a valid integer", key, v);
    *out = (int64_t)x;
    return 0;
}

int pmn_options_get_bool(const pmn_options *o, const char *key, bool def, bool *out)
{
    const char *v = pmn_options_get(o, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return pmn_error_set(PMN_EINVALID, "option '%s': '%s' is not a boolean (true or false)",
                             key, v);
    return 0;
}

int pmn_options_get_memory(const pmn_options *o, const char *key, int64_t def_bytes, int64_t *bytes)
{
    const char *v = pmn_options_get(o, key);
    if (!v) {
        *bytes = def_bytes;
        return 0;
    }
    int rc = pmn_parse_memory_size(v, bytes);
    if (rc)
        return pmn_error_wrap("option '%s': ", key);
    return 0;
}

int pmn_options_get_duration(const pmn_options *o, const char *key, int64_t def_ms, int64_t *ms)
{
    const char *v = pmn_options_get(o, key);
    if (!v) {
        *ms = def_ms;
        return 0;
    }
    int rc = pmn_parse_duration_ms(v, ms);
    if (rc)
        return pmn_error_wrap("option '%s': ", key);
    return 0;
}
