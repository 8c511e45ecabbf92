/*
 * src/paimon/json_writer.c
 *
 * Jackson DefaultPrettyPrinter-compatible JSON output; see json_writer.h.
 */
#include "paimon/json_writer.h"

#include "util/alloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void pmn_jw_init(pmn_jw *w, pmn_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

void pmn_jw_dispose(pmn_jw *w)
{
    free(w->is_object);
    free(w->count);
    w->is_object = NULL;
    w->count = NULL;
    w->depth = w->cap = 0;
}

static void indent(pmn_jw *w)
{
    pmn_buf_putc(w->out, '\n');
    for (int i = 0; i < w->nesting; i++)
        pmn_buf_put(w->out, "  ", 2);
}

/* before_value: separators for a value inside an array (object values follow their key). */
static void before_value(pmn_jw *w)
{
    if (w->depth == 0 || w->is_object[w->depth - 1])
        return;
    size_t *c = &w->count[w->depth - 1];
    pmn_buf_puts(w->out, *c ? ", " : " ");
    (*c)++;
}

static void push(pmn_jw *w, bool is_object)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap;
        PMN_GROW(w->is_object, cap, w->depth + 1);
        w->count = pmn_xrealloc(w->count, cap * sizeof *w->count);
        w->cap = cap;
    }
    w->is_object[w->depth] = is_object;
    w->count[w->depth] = 0;
    w->depth++;
}

void pmn_jw_begin_object(pmn_jw *w)
{
    before_value(w);
    pmn_buf_putc(w->out, '{');
    push(w, true);
    w->nesting++;
}

void pmn_jw_end_object(pmn_jw *w)
{
    size_t n = w->count[--w->depth];
    w->nesting--;
    if (n)
        indent(w);
    else
        pmn_buf_putc(w->out, ' ');
    pmn_buf_putc(w->out, '}');
}

void pmn_jw_begin_array(pmn_jw *w)
{
    before_value(w);
    pmn_buf_putc(w->out, '[');
    push(w, false);
}

void pmn_jw_end_array(pmn_jw *w)
{
    w->depth--;
    pmn_buf_puts(w->out, " ]");
}

static void put_quoted(pmn_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    pmn_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            pmn_buf_put(out, "\\\"", 2);
            break;
        case '\\':
            pmn_buf_put(out, "\\\\", 2);
            break;
        case '\b':
            pmn_buf_put(out, "\\b", 2);
            break;
        case '\t':
            pmn_buf_put(out, "\\t", 2);
            break;
        case '\n':
            pmn_buf_put(out, "\\n", 2);
            break;
        case '\f':
            pmn_buf_put(out, "\\f", 2);
            break;
        case '\r':
            pmn_buf_put(out, "\\r", 2);
            break;
        default:
            if (*p < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
                pmn_buf_put(out, esc, 6);
            } else {
                pmn_buf_putc(out, *p);
            }
        }
    }
    pmn_buf_putc(out, '"');
}

void pmn_jw_key(pmn_jw *w, const char *key)
{
    size_t *c = &w->count[w->depth - 1];
    if (*c)
        pmn_buf_putc(w->out, ',');
    (*c)++;
    indent(w);
    put_quoted(w->out, key);
    pmn_buf_puts(w->out, " : ");
}

void pmn_jw_string(pmn_jw *w, const char *s)
{
    before_value(w);
    put_quoted(w->out, s);
}

void pmn_jw_int(pmn_jw *w, int64_t v)
{
    before_value(w);
    pmn_buf_printf(w->out, "%" PRId64, v);
}

void pmn_jw_bool(pmn_jw *w, bool v)
{
    before_value(w);
    pmn_buf_puts(w->out, v ? "true" : "false");
}

void pmn_jw_null(pmn_jw *w)
{
    before_value(w);
    pmn_buf_puts(w->out, "null");
}

void pmn_jw_raw(pmn_jw *w, const char *json_text)
{
    before_value(w);
    pmn_buf_puts(w->out, json_text);
}

void pmn_jw_json(pmn_jw *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        pmn_jw_begin_object(w);
        json_object_foreach((json_t *)v, k, x)
        {
            pmn_jw_key(w, k);
            pmn_jw_json(w, x);
        }
        pmn_jw_end_object(w);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        pmn_jw_begin_array(w);
        json_array_foreach(v, i, x) pmn_jw_json(w, x);
        pmn_jw_end_array(w);
        break;
    }
    case JSON_STRING:
        pmn_jw_string(w, json_string_value(v));
        break;
    case JSON_INTEGER:
        pmn_jw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL: {
        /* jansson's own shortest round-trip form of a double */
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        pmn_jw_raw(w, text ? text : "0");
        free(text);
        break;
    }
    case JSON_TRUE:
        pmn_jw_bool(w, true);
        break;
    case JSON_FALSE:
        pmn_jw_bool(w, false);
        break;
    case JSON_NULL:
        pmn_jw_null(w);
        break;
    }
}

char *pmn_json_pretty(const json_t *v)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_jw w;
    pmn_jw_init(&w, &b);
    pmn_jw_json(&w, v);
    pmn_jw_dispose(&w);
    return (char *)pmn_buf_detach(&b, NULL);
}
