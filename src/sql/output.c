/*
 * src/sql/output.c
 *
 * Tableau, CSV and JSON Lines result printing; see output.h.
 */
#include "sql/output.h"

#include "change/textfmt.h"
#include "sql/value.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pmn_sql_printer {
    pmn_sql_format format; /* output format */
    FILE *out;             /* destination (borrowed) */
    int max_width;         /* tableau: widest column in characters */
    size_t ncols;          /* columns of the current result */
    char **names;          /* column names (owned) */
    char **types;          /* Paimon type per column or NULL (owned) */
    char **cells;          /* tableau: nrows * ncols texts (owned) */
    size_t nrows;          /* rows seen in the current result */
    size_t cap;            /* capacity of cells */
};

/* ---- value text ---- */

void pmn_sql_format_double(double v, bool as_float, char *buf, size_t size)
{
    pmn_buf b = PMN_BUF_INIT;
    if (as_float)
        pmn_fmt_java_float(&b, (float)v);
    else
        pmn_fmt_java_double(&b, v);
    snprintf(buf, size, "%s", pmn_buf_cstr(&b));
    pmn_buf_dispose(&b);
}

static bool type_is(const char *type, const char *root)
{
    size_t n = strlen(root);
    return type && strncasecmp(type, root, n) == 0 &&
           (type[n] == '\0' || type[n] == '(' || type[n] == ' ' || type[n] == '<');
}

static int decimal_scale(const char *type)
{
    const char *comma = strchr(type, ',');
    return comma ? atoi(comma + 1) : 0;
}

/* A REAL without a declared type is an expression; over DECIMAL columns (SUM(price)) it
 * carries binary noise that Flink's exact DECIMAL would not show (4296.689999999996), so it
 * is rounded to 12 significant digits before printing; -0.0 (ROUND(-0.001, 1)) is 0.0. */
static double expression_real(double f)
{
    if (f == 0 || !isfinite(f))
        return f == 0 ? 0 : f;
    char buf[40];
    snprintf(buf, sizeof buf, "%.12g", f);
    return strtod(buf, NULL);
}

/* A DECIMAL column travels through SQLite as a double, which holds 15 significant decimal
 * digits exactly (DBL_DIG): the digits after those are binary noise (123.456 in a
 * DECIMAL(38,18) would print as 123.456000000000003070), so they print as zeros. A value
 * whose 15 digits do not fit in `scale` decimals prints rounded as before. Caller frees. */
static char *decimal_text(double f, int scale)
{
    char e[48], m[16];
    snprintf(e, sizeof e, "%.14e", fabs(f)); /* d.dddddddddddddde[+-]XX */
    if (!isfinite(f) || scale < 0 || scale > 38 || e[1] != '.' || e[16] != 'e')
        return pmn_xasprintf("%.*f", scale, f);
    m[0] = e[0];
    memcpy(m + 1, e + 2, 14);
    m[15] = '\0';
    int exp = atoi(e + 17); /* value = m[0].m[1..] * 10^exp */
    int last = 14;          /* the last non-zero digit */
    while (last > 0 && m[last] == '0')
        last--;
    if (f == 0 || last - exp > scale)
        return pmn_xasprintf("%.*f", scale, f == 0 ? 0.0 : f);
    pmn_buf b = PMN_BUF_INIT;
    if (f < 0)
        pmn_buf_putc(&b, '-');
    if (exp < 0)
        pmn_buf_putc(&b, '0');
    for (int i = 0; i <= exp; i++)
        pmn_buf_putc(&b, i < 15 ? m[i] : '0');
    if (scale > 0)
        pmn_buf_putc(&b, '.');
    for (int k = 1; k <= scale; k++) { /* the digit worth 10^-k is m[exp + k] */
        int i = exp + k;
        pmn_buf_putc(&b, i >= 0 && i < 15 ? m[i] : '0');
    }
    size_t len;
    return (char *)pmn_buf_detach(&b, &len);
}

static char *real_text(const char *type, double f)
{
    char buf[64];
    if (type_is(type, "DECIMAL")) {
        /* more than 15 digits: the exact value the vtab noted for this double (value.h) */
        pmn_i128 exact;
        if (pmn_sql_exact_lookup(f, decimal_scale(type), &exact)) {
            pmn_buf b = PMN_BUF_INIT;
            pmn_fmt_decimal(&b, exact, decimal_scale(type));
            size_t n;
            return (char *)pmn_buf_detach(&b, &n);
        }
        return decimal_text(f, decimal_scale(type));
    }
    pmn_i128 exact;
    int scale;
    if (!type && pmn_sql_exact_find(f, &exact, &scale)) {
        /* an expression that passed a long DECIMAL through unchanged (MAX(d), a UNION arm) */
        pmn_buf b = PMN_BUF_INIT;
        pmn_fmt_decimal(&b, exact, scale);
        size_t n;
        return (char *)pmn_buf_detach(&b, &n);
    }
    if (!type)
        f = expression_real(f);
    pmn_sql_format_double(f, type_is(type, "FLOAT"), buf, sizeof buf);
    return pmn_xstrdup(buf);
}

/* Precision p of "TIMESTAMP(p)", "TIMESTAMP_LTZ(p)" or "TIME(p)", else -1. */
static int time_precision(const char *type)
{
    if (!type_is(type, "TIMESTAMP") && !type_is(type, "TIMESTAMP_LTZ") && !type_is(type, "TIME"))
        return -1;
    const char *paren = strchr(type, '(');
    return paren ? atoi(paren + 1) : (type_is(type, "TIME") ? 0 : 6);
}

/* Date/time text padded to its column's precision: "2024-03-01 09:00:00" in a TIMESTAMP(3)
 * column prints as Flink does, "2024-03-01 09:00:00.000". Caller frees. */
static char *time_text(const char *s, size_t n, int precision)
{
    const char *dot = memchr(s, '.', n);
    size_t have = dot ? n - (size_t)(dot - s) - 1 : 0;
    if (precision <= 0 || have >= (size_t)precision)
        return pmn_xstrndup(s, n);
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_put(&b, s, n);
    if (!dot)
        pmn_buf_putc(&b, '.');
    for (size_t i = have; i < (size_t)precision; i++)
        pmn_buf_putc(&b, '0');
    size_t len;
    return (char *)pmn_buf_detach(&b, &len);
}

/* Flink's text of a nested value (CAST(x AS STRING)): ARRAY [a, b], MAP {k=v, ...},
 * ROW (a, b); strings unquoted, NULL as NULL. j is the JSON the vtab produced. */
static void flink_nested(pmn_buf *b, json_t *j, bool row)
{
    char num[64];
    if (json_is_array(j)) {
        pmn_buf_putc(b, row ? '(' : '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                pmn_buf_puts(b, ", ");
            flink_nested(b, json_array_get(j, i), false);
        }
        pmn_buf_putc(b, row ? ')' : ']');
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        bool first = true;
        pmn_buf_putc(b, row ? '(' : '{');
        json_object_foreach(j, k, v)
        {
            if (!first)
                pmn_buf_puts(b, ", ");
            first = false;
            if (!row)
                pmn_buf_printf(b, "%s=", k);
            flink_nested(b, v, false);
        }
        pmn_buf_putc(b, row ? ')' : '}');
    } else if (json_is_string(j)) {
        pmn_buf_put(b, json_string_value(j), json_string_length(j));
    } else if (json_is_integer(j)) {
        pmn_buf_printf(b, "%lld", (long long)json_integer_value(j));
    } else if (json_is_real(j)) {
        pmn_sql_format_double(json_real_value(j), false, num, sizeof num);
        pmn_buf_puts(b, num);
    } else if (json_is_boolean(j)) {
        pmn_buf_puts(b, json_is_true(j) ? "TRUE" : "FALSE");
    } else {
        pmn_buf_puts(b, "NULL");
    }
}

static char *nested_text(const char *type, const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY, NULL);
    if (!j)
        return pmn_xstrndup(s, n);
    pmn_buf b = PMN_BUF_INIT;
    if (type_is(type, "MAP") && json_is_array(j)) {
        /* a MAP with non-string keys is a list of [key, value] pairs: {k=v, ...} */
        pmn_buf_putc(&b, '{');
        for (size_t i = 0; i < json_array_size(j); i++) {
            json_t *pair = json_array_get(j, i);
            if (i)
                pmn_buf_puts(&b, ", ");
            flink_nested(&b, json_array_get(pair, 0), false);
            pmn_buf_putc(&b, '=');
            flink_nested(&b, json_array_get(pair, 1), false);
        }
        pmn_buf_putc(&b, '}');
    } else {
        flink_nested(&b, j, type_is(type, "ROW"));
    }
    json_decref(j);
    size_t len;
    char *out = (char *)pmn_buf_detach(&b, &len);
    return out ? out : pmn_xstrdup("");
}

char *pmn_sql_cell_text(const char *type, const pmn_sql_cell *c)
{
    switch (c->kind) {
    case PMN_CELL_NULL:
        return pmn_xstrdup("<NULL>");
    case PMN_CELL_INT:
        if (type_is(type, "BOOLEAN"))
            return pmn_xstrdup(c->i ? "TRUE" : "FALSE");
        if (type_is(type, "DECIMAL") || type_is(type, "DOUBLE") || type_is(type, "FLOAT"))
            return real_text(type, (double)c->i);
        return pmn_xasprintf("%lld", (long long)c->i);
    case PMN_CELL_REAL:
        return real_text(type, c->f);
    case PMN_CELL_TEXT:
        if (time_precision(type) >= 0)
            return time_text(c->s, c->n, time_precision(type));
        if (type_is(type, "ARRAY") || type_is(type, "MAP") || type_is(type, "ROW") ||
            type_is(type, "MULTISET"))
            return nested_text(type, c->s, c->n);
        return pmn_xstrndup(c->s, c->n);
    case PMN_CELL_BLOB: {
        pmn_buf b = PMN_BUF_INIT;
        pmn_buf_puts(&b, "x'");
        for (size_t i = 0; i < c->n; i++)
            pmn_buf_printf(&b, "%02x", (unsigned char)c->s[i]);
        pmn_buf_putc(&b, '\'');
        size_t n;
        return (char *)pmn_buf_detach(&b, &n);
    }
    }
    return pmn_xstrdup("");
}

/* ---- JSON and CSV ---- */

static void json_quote(pmn_buf *b, const char *s, size_t n)
{
    pmn_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"':
            pmn_buf_puts(b, "\\\"");
            break;
        case '\\':
            pmn_buf_puts(b, "\\\\");
            break;
        case '\n':
            pmn_buf_puts(b, "\\n");
            break;
        case '\r':
            pmn_buf_puts(b, "\\r");
            break;
        case '\t':
            pmn_buf_puts(b, "\\t");
            break;
        default:
            if (ch < 0x20)
                pmn_buf_printf(b, "\\u%04x", ch);
            else
                pmn_buf_putc(b, ch);
        }
    }
    pmn_buf_putc(b, '"');
}

/* Date/time canonical text (sql/value.h) in `pgpaimon table scan`'s JSON form: TIMESTAMP
 * YYYY-MM-DDTHH:MM:SS with the fraction in groups of 3 digits, TIMESTAMP_LTZ the same in UTC
 * with a Z, TIME HH:MM:SS[.mmm]. */
static void json_time_value(pmn_buf *b, const char *type, const char *s, size_t n)
{
    char text[64];
    if (n >= sizeof text) {
        json_quote(b, s, n);
        return;
    }
    memcpy(text, s, n);
    text[n] = '\0';
    char *dot = strchr(text, '.');
    char frac[16] = "";
    if (dot) {
        size_t fl = strlen(dot + 1);
        size_t group = fl <= 3 ? 3 : fl <= 6 ? 6 : 9;
        if (fl > 9)
            fl = 9;
        snprintf(frac, sizeof frac, ".%.*s%.*s", (int)fl, dot + 1, (int)(group - fl), "000000000");
        *dot = '\0';
    }
    pmn_buf_putc(b, '"');
    if (type_is(type, "TIME")) {
        pmn_buf_puts(b, text);
        if (frac[0])
            pmn_buf_printf(b, "%.4s", frac);
    } else if (type_is(type, "TIMESTAMP_LTZ")) {
        int64_t ms;
        if (pmn_sql_local_to_millis(text, &ms) == 0) {
            pmn_buf tmp = PMN_BUF_INIT;
            pmn_fmt_java_timestamp(&tmp, ms, 0); /* whole seconds: the fraction follows */
            const char *t = pmn_buf_cstr(&tmp);
            pmn_buf_puts(b, t);
            if (strlen(t) == 16) /* Java drops :00 seconds; table scan keeps them */
                pmn_buf_puts(b, ":00");
            pmn_buf_dispose(&tmp);
        } else {
            pmn_buf_puts(b, text);
        }
        pmn_buf_printf(b, "%sZ", frac);
    } else {
        if (strlen(text) > 10 && text[10] == ' ')
            text[10] = 'T';
        pmn_buf_printf(b, "%s%s", text, frac);
    }
    pmn_buf_putc(b, '"');
}

static void json_value(pmn_buf *b, const char *type, const pmn_sql_cell *c)
{
    switch (c->kind) {
    case PMN_CELL_NULL:
        pmn_buf_puts(b, "null");
        return;
    case PMN_CELL_INT:
        if (type_is(type, "BOOLEAN"))
            pmn_buf_puts(b, c->i ? "true" : "false");
        else if (type_is(type, "DECIMAL")) {
            char *t = real_text(type, (double)c->i);
            json_quote(b, t, strlen(t));
            free(t);
        } else
            pmn_buf_printf(b, "%lld", (long long)c->i);
        return;
    case PMN_CELL_REAL:
        if (type_is(type, "DECIMAL")) {
            char *t = real_text(type, c->f);
            json_quote(b, t, strlen(t));
            free(t);
        } else if (isnan(c->f)) {
            pmn_buf_puts(b, "\"NaN\"");
        } else if (isinf(c->f)) {
            pmn_buf_puts(b, c->f > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else if (!type && pmn_sql_exact_find(c->f, &(pmn_i128){0}, &(int){0})) {
            char *t = real_text(type, c->f); /* exact digits: a valid JSON number */
            pmn_buf_puts(b, t);
            free(t);
        } else {
            pmn_fmt_json_number(b, type ? c->f : expression_real(c->f), type_is(type, "FLOAT"));
        }
        return;
    case PMN_CELL_TEXT:
        if (type_is(type, "ARRAY") || type_is(type, "MAP") || type_is(type, "ROW") ||
            type_is(type, "MULTISET")) {
            pmn_buf_put(b, c->s, c->n);
        } else if (time_precision(type) >= 0) {
            json_time_value(b, type, c->s, c->n);
        } else {
            json_quote(b, c->s, c->n);
        }
        return;
    case PMN_CELL_BLOB:
        pmn_buf_putc(b, '"');
        pmn_fmt_base64(b, (const uint8_t *)c->s, c->n);
        pmn_buf_putc(b, '"');
        return;
    }
}

static void csv_field(FILE *out, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = true;
    if (!quote) {
        fwrite(s, 1, n, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

/* ---- tableau ---- */

/* Display width in characters: UTF-8 code points (continuation bytes do not count). */
static int display_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* Prefix of s holding at most `width` characters. */
static size_t prefix_bytes(const char *s, int width)
{
    size_t i = 0;
    int w = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (w == width)
                break;
            w++;
        }
        i++;
    }
    return i;
}

static void border(FILE *out, const int *widths, size_t n)
{
    fputc('+', out);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < widths[i] + 2; k++)
            fputc('-', out);
        fputc('+', out);
    }
    fputc('\n', out);
}

static void tableau_row(FILE *out, const int *widths, char *const *cols, size_t n)
{
    fputc('|', out);
    for (size_t i = 0; i < n; i++) {
        fputc(' ', out);
        int w = display_width(cols[i]);
        if (w <= widths[i]) {
            for (int k = w; k < widths[i]; k++)
                fputc(' ', out);
            fputs(cols[i], out);
        } else {
            int keep = widths[i] - 3;
            if (keep < 0)
                keep = 0;
            size_t nb = prefix_bytes(cols[i], keep);
            fwrite(cols[i], 1, nb, out);
            fputs("...", out);
        }
        fputs(" |", out);
    }
    fputc('\n', out);
}

/* ---- printer ---- */

pmn_sql_printer *pmn_sql_printer_new(pmn_sql_format format, FILE *out, int max_width)
{
    pmn_sql_printer *p = pmn_xcalloc(1, sizeof *p);
    p->format = format;
    p->out = out;
    p->max_width = max_width > 3 ? max_width : 30;
    return p;
}

static void reset(pmn_sql_printer *p)
{
    for (size_t i = 0; p->cells && i < p->nrows * p->ncols; i++)
        free(p->cells[i]);
    free(p->cells);
    for (size_t i = 0; i < p->ncols; i++) {
        free(p->names[i]);
        free(p->types[i]);
    }
    free(p->names);
    free(p->types);
    p->cells = NULL;
    p->names = p->types = NULL;
    p->ncols = p->nrows = p->cap = 0;
}

void pmn_sql_printer_begin(pmn_sql_printer *p, size_t ncols, const char *const *names,
                           const char *const *types)
{
    reset(p);
    p->ncols = ncols;
    p->names = pmn_xcalloc(ncols ? ncols : 1, sizeof(char *));
    p->types = pmn_xcalloc(ncols ? ncols : 1, sizeof(char *));
    for (size_t i = 0; i < ncols; i++) {
        p->names[i] = pmn_xstrdup(names[i]);
        p->types[i] = types && types[i] ? pmn_xstrdup(types[i]) : NULL;
    }
    if (p->format == PMN_SQL_CSV) {
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                fputc(',', p->out);
            csv_field(p->out, names[i], strlen(names[i]));
        }
        fputc('\n', p->out);
    }
}

void pmn_sql_printer_row(pmn_sql_printer *p, const pmn_sql_cell *cells)
{
    if (p->format == PMN_SQL_TABLEAU) {
        PMN_GROW(p->cells, p->cap, (p->nrows + 1) * p->ncols);
        for (size_t i = 0; i < p->ncols; i++)
            p->cells[p->nrows * p->ncols + i] = pmn_sql_cell_text(p->types[i], &cells[i]);
    } else if (p->format == PMN_SQL_CSV) {
        for (size_t i = 0; i < p->ncols; i++) {
            if (i)
                fputc(',', p->out);
            if (cells[i].kind == PMN_CELL_NULL)
                continue;
            if (cells[i].kind == PMN_CELL_INT && type_is(p->types[i], "BOOLEAN")) {
                fputs(cells[i].i ? "true" : "false", p->out);
                continue;
            }
            char *t = pmn_sql_cell_text(p->types[i], &cells[i]);
            csv_field(p->out, t, strlen(t));
            free(t);
        }
        fputc('\n', p->out);
    } else {
        pmn_buf b = PMN_BUF_INIT;
        pmn_buf_putc(&b, '{');
        for (size_t i = 0; i < p->ncols; i++) {
            if (i)
                pmn_buf_putc(&b, ',');
            json_quote(&b, p->names[i], strlen(p->names[i]));
            pmn_buf_putc(&b, ':');
            json_value(&b, p->types[i], &cells[i]);
        }
        pmn_buf_puts(&b, "}\n");
        fputs(pmn_buf_cstr(&b), p->out);
        pmn_buf_dispose(&b);
    }
    p->nrows++;
}

uint64_t pmn_sql_printer_end(pmn_sql_printer *p)
{
    uint64_t n = p->nrows;
    if (p->format == PMN_SQL_TABLEAU) {
        if (n == 0) {
            fputs("Empty set\n", p->out);
        } else {
            int *w = pmn_xcalloc(p->ncols ? p->ncols : 1, sizeof(int));
            for (size_t c = 0; c < p->ncols; c++) {
                w[c] = display_width(p->names[c]);
                for (size_t r = 0; r < p->nrows; r++) {
                    int cw = display_width(p->cells[r * p->ncols + c]);
                    if (cw > w[c])
                        w[c] = cw;
                }
                if (w[c] > p->max_width)
                    w[c] = p->max_width;
            }
            border(p->out, w, p->ncols);
            tableau_row(p->out, w, p->names, p->ncols);
            border(p->out, w, p->ncols);
            for (size_t r = 0; r < p->nrows; r++)
                tableau_row(p->out, w, p->cells + r * p->ncols, p->ncols);
            border(p->out, w, p->ncols);
            fprintf(p->out, "%llu %s in set\n", (unsigned long long)n, n > 1 ? "rows" : "row");
            free(w);
        }
    }
    fflush(p->out);
    reset(p);
    return n;
}

void pmn_sql_printer_free(pmn_sql_printer *p)
{
    if (!p)
        return;
    reset(p);
    free(p);
}
