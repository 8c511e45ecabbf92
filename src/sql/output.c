/*
 * src/sql/output.c
 *
 * Tableau, CSV and JSON Lines result printing; see output.h.
 */
#include "sql/output.h"

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

/* Shortest decimal digits that read back as v: digits[] without dot, and the exponent of the
 * first digit (v = 0.d1d2d3... * 10^(exp+1)). */
static int shortest_digits(double v, bool as_float, int max_prec, char *digits, int *exp10)
{
    char tmp[64];
    /* max_prec < 17 marks an expression value: digits that only carry binary noise (relative
     * error below 1e-11, as sums of DECIMALs accumulate) are not shown */
    double tolerance = max_prec < 17 ? fabs(v) * 1e-11 : 0;
    for (int prec = 1; prec <= max_prec; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        double back = strtod(tmp, NULL);
        if (as_float ? (float)back == (float)v : fabs(back - v) <= tolerance)
            break;
    }
    /* tmp = "d.ddde[+-]xx" */
    int n = 0;
    const char *p = tmp;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = atoi(p + 1);
    return n;
}

/* format_double: Java's Double.toString form with at most max_prec significant digits. */
static void format_double(double v, bool as_float, int max_prec, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (v == 0) {
        snprintf(buf, size, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    pmn_buf b = PMN_BUF_INIT;
    if (v < 0) {
        pmn_buf_putc(&b, '-');
        v = -v;
    }
    char digits[32];
    int e;
    int n = shortest_digits(v, as_float, max_prec, digits, &e);
    if (v >= 1e-3 && v < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                pmn_buf_putc(&b, (uint8_t)(i < n ? digits[i] : '0'));
            pmn_buf_putc(&b, '.');
            if (n > e + 1)
                pmn_buf_put(&b, digits + e + 1, (size_t)(n - e - 1));
            else
                pmn_buf_putc(&b, '0');
        } else {
            pmn_buf_puts(&b, "0.");
            for (int i = 0; i < -e - 1; i++)
                pmn_buf_putc(&b, '0');
            pmn_buf_put(&b, digits, (size_t)n);
        }
    } else {
        pmn_buf_putc(&b, (uint8_t)digits[0]);
        pmn_buf_putc(&b, '.');
        if (n > 1)
            pmn_buf_put(&b, digits + 1, (size_t)(n - 1));
        else
            pmn_buf_putc(&b, '0');
        pmn_buf_printf(&b, "E%d", e);
    }
    snprintf(buf, size, "%s", pmn_buf_cstr(&b));
    pmn_buf_dispose(&b);
}

void pmn_sql_format_double(double v, bool as_float, char *buf, size_t size)
{
    format_double(v, as_float, 17, buf, size);
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

static char *real_text(const char *type, double f)
{
    char buf[64];
    if (type_is(type, "DECIMAL")) {
        snprintf(buf, sizeof buf, "%.*f", decimal_scale(type), f);
        return pmn_xstrdup(buf);
    }
    /* A REAL without a declared type is an expression; over DECIMAL columns (SUM(price)) it
     * carries binary noise that Flink's exact DECIMAL would not show, so it prints with the
     * fewest digits within 1e-11 of the value (at most 15). */
    if (!type && f == 0)
        f = 0; /* an expression's -0.0 (ROUND(-0.001, 1)) is a DECIMAL 0.0 in Flink */
    format_double(f, type_is(type, "FLOAT"), type ? 17 : 15, buf, sizeof buf);
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
    flink_nested(&b, j, type_is(type, "ROW"));
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

static void base64(pmn_buf *b, const unsigned char *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        pmn_buf_putc(b, (uint8_t)tbl[(v >> 18) & 63]);
        pmn_buf_putc(b, (uint8_t)tbl[(v >> 12) & 63]);
        pmn_buf_putc(b, i + 1 < n ? (uint8_t)tbl[(v >> 6) & 63] : '=');
        pmn_buf_putc(b, i + 2 < n ? (uint8_t)tbl[v & 63] : '=');
    }
}

static void json_value(pmn_buf *b, const char *type, const pmn_sql_cell *c)
{
    char buf[64];
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
        } else if (!isfinite(c->f)) {
            pmn_buf_puts(b, "null");
        } else {
            snprintf(buf, sizeof buf, "%.17g", c->f);
            for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof buf, "%.*g", prec, c->f);
                if (strtod(buf, NULL) == c->f)
                    break;
            }
            pmn_buf_puts(b, buf);
        }
        return;
    case PMN_CELL_TEXT:
        if (type_is(type, "ARRAY") || type_is(type, "MAP") || type_is(type, "ROW") ||
            type_is(type, "MULTISET")) {
            pmn_buf_put(b, c->s, c->n);
        } else if (time_precision(type) >= 0) {
            char *t = time_text(c->s, c->n, time_precision(type));
            if (!type_is(type, "TIME") && strlen(t) > 10 && t[10] == ' ')
                t[10] = 'T';
            json_quote(b, t, strlen(t));
            free(t);
        } else {
            json_quote(b, c->s, c->n);
        }
        return;
    case PMN_CELL_BLOB:
        pmn_buf_putc(b, '"');
        base64(b, (const unsigned char *)c->s, c->n);
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
                pmn_buf_puts(&b, ", ");
            json_quote(&b, p->names[i], strlen(p->names[i]));
            pmn_buf_puts(&b, ": ");
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
