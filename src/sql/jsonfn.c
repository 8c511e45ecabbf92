/*
 * src/sql/jsonfn.c
 *
 * JSON_VALUE, JSON_QUERY and JSON_EXISTS; see jsonfn.h. The path language is
 * the part of Jayway JsonPath that Flink's documentation uses (Flink's runtime
 * hands the path to Jayway through Calcite's JsonFunctions).
 */
#include "sql/jsonfn.h"

#include "sql/output.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- path evaluation ---- */

enum { PATH_FOUND, PATH_EMPTY, PATH_ERROR };

typedef struct nodes {
    json_t **v; /* borrowed */
    size_t n, cap;
} nodes;

static void nodes_add(nodes *ns, json_t *j)
{
    PMN_GROW(ns->v, ns->cap, ns->n + 1);
    ns->v[ns->n++] = j;
}

typedef struct step {
    enum { STEP_NAME, STEP_INDEX, STEP_WILD } kind;
    char *name;    /* STEP_NAME (owned) */
    int64_t index; /* STEP_INDEX */
} step;

/* Parse one step at *pp (after '$'); false with a message in err on bad syntax. */
static bool parse_step(const char **pp, const char *start, step *st, char *err, size_t errn)
{
    const char *p = *pp;
    memset(st, 0, sizeof *st);
    if (*p == '.') {
        p++;
        if (*p == '.') {
            snprintf(err, errn, "deep scan (..) is not supported in JSON path '%s'", start);
            return false;
        }
        if (*p == '*') {
            st->kind = STEP_WILD;
            *pp = p + 1;
            return true;
        }
        if (*p != '[') {
            const char *q = p;
            while (*q && *q != '.' && *q != '[' && !isspace((unsigned char)*q))
                q++;
            if (q == p) {
                snprintf(err, errn, "JSON path '%s' must not end with a '.'", start);
                return false;
            }
            st->kind = STEP_NAME;
            st->name = pmn_xstrndup(p, (size_t)(q - p));
            *pp = q;
            return true;
        }
    }
    if (*p != '[') {
        snprintf(err, errn, "could not parse JSON path '%s' at position %d", start,
                 (int)(p - start) + 1);
        return false;
    }
    p++;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '*') {
        st->kind = STEP_WILD;
        p++;
    } else if (*p == '\'' || *p == '"') {
        char q = *p++;
        pmn_buf b = PMN_BUF_INIT;
        while (*p && *p != q) {
            if (*p == '\\' && p[1])
                p++;
            pmn_buf_putc(&b, (uint8_t)*p++);
        }
        if (*p != q) {
            pmn_buf_dispose(&b);
            snprintf(err, errn, "unterminated quote in JSON path '%s'", start);
            return false;
        }
        p++;
        st->kind = STEP_NAME;
        st->name = pmn_xstrdup(pmn_buf_cstr(&b));
        pmn_buf_dispose(&b);
    } else if (*p == '-' || isdigit((unsigned char)*p)) {
        char *end;
        st->kind = STEP_INDEX;
        st->index = strtoll(p, &end, 10);
        if (end == p || (*p == '-' && end == p + 1)) {
            snprintf(err, errn, "could not parse JSON path '%s' at position %d", start,
                     (int)(p - start) + 1);
            return false;
        }
        p = end;
    } else {
        snprintf(err, errn, "could not parse JSON path '%s' at position %d", start,
                 (int)(p - start) + 1);
        return false;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p != ']') {
        free(st->name);
        st->name = NULL;
        snprintf(err, errn, "unsupported or malformed [...] in JSON path '%s'", start);
        return false;
    }
    *pp = p + 1;
    return true;
}

/* Evaluate `spec` on root (NULL: the JSON did not parse). *strict tells the mode. On
 * PATH_FOUND *out is a new reference (JSON null when the member holds null); on PATH_ERROR
 * err holds the message. */
static int path_eval(json_t *root, const char *spec, bool *strict, json_t **out, char *err,
                     size_t errn)
{
    *out = NULL;
    const char *p = spec;
    while (isspace((unsigned char)*p))
        p++;
    *strict = true;
    if (!strncasecmp(p, "lax", 3) && isspace((unsigned char)p[3])) {
        *strict = false;
        p += 3;
    } else if (!strncasecmp(p, "strict", 6) && isspace((unsigned char)p[6])) {
        p += 6;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '$') {
        snprintf(err, errn, "JSON path '%s' must start with '$'", spec);
        return PATH_ERROR;
    }
    p++;
    if (!root) {
        snprintf(err, errn, "the value is not valid JSON");
        return *strict ? PATH_ERROR : PATH_EMPTY;
    }
    nodes cur = {0}, next = {0};
    nodes_add(&cur, root);
    bool definite = true;
    int status = PATH_FOUND;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        step st;
        if (!parse_step(&p, spec, &st, err, errn)) {
            status = PATH_ERROR;
            break;
        }
        next.n = 0;
        bool missing = false;
        for (size_t i = 0; i < cur.n; i++) {
            json_t *j = cur.v[i];
            if (st.kind == STEP_WILD) {
                if (json_is_array(j)) {
                    for (size_t k = 0; k < json_array_size(j); k++)
                        nodes_add(&next, json_array_get(j, k));
                } else if (json_is_object(j)) {
                    const char *key;
                    json_t *val;
                    json_object_foreach(j, key, val) nodes_add(&next, val);
                }
            } else if (st.kind == STEP_NAME) {
                json_t *v = json_is_object(j) ? json_object_get(j, st.name) : NULL;
                if (v)
                    nodes_add(&next, v);
                else
                    missing = true;
            } else {
                int64_t n = json_is_array(j) ? (int64_t)json_array_size(j) : 0;
                int64_t k = st.index < 0 ? n + st.index : st.index;
                if (json_is_array(j) && k >= 0 && k < n)
                    nodes_add(&next, json_array_get(j, (size_t)k));
                else
                    missing = true;
            }
        }
        if (st.kind == STEP_WILD)
            definite = false;
        if (missing && definite) {
            if (st.kind == STEP_NAME)
                snprintf(err, errn, "no results for path: $['%s']", st.name);
            else
                snprintf(err, errn, "no results for path: $[%lld]", (long long)st.index);
            status = *strict ? PATH_ERROR : PATH_EMPTY;
        }
        free(st.name);
        nodes tmp = cur;
        cur = next;
        next = tmp;
        if (status != PATH_FOUND)
            break;
    }
    if (status == PATH_FOUND) {
        if (definite) {
            *out = json_incref(cur.v[0]);
        } else {
            *out = json_array();
            for (size_t i = 0; i < cur.n; i++)
                json_array_append(*out, cur.v[i]);
        }
    }
    free(cur.v);
    free(next.v);
    return status;
}

/* ---- helpers ---- */

/* The JSON text Jackson would write: compact, reals in Java's Double.toString form. */
static void json_text(pmn_buf *b, json_t *j)
{
    char num[64];
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        bool first = true;
        pmn_buf_putc(b, '{');
        json_object_foreach(j, k, v)
        {
            if (!first)
                pmn_buf_putc(b, ',');
            first = false;
            json_t *ks = json_string(k);
            json_text(b, ks);
            json_decref(ks);
            pmn_buf_putc(b, ':');
            json_text(b, v);
        }
        pmn_buf_putc(b, '}');
    } else if (json_is_array(j)) {
        pmn_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                pmn_buf_putc(b, ',');
            json_text(b, json_array_get(j, i));
        }
        pmn_buf_putc(b, ']');
    } else if (json_is_real(j)) {
        pmn_sql_format_double(json_real_value(j), false, num, sizeof num);
        pmn_buf_puts(b, num);
    } else {
        char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        pmn_buf_puts(b, t ? t : "null");
        free(t);
    }
}

/* The JSON argument: NULL for SQL NULL (*null set); a non-string is an error. Parse failure
 * leaves *root NULL. Returns false after setting an SQL error. */
static bool json_arg(sqlite3_context *ctx, const char *fn, sqlite3_value *v, json_t **root,
                     bool *null)
{
    *root = NULL;
    *null = false;
    int t = sqlite3_value_type(v);
    if (t == SQLITE_NULL) {
        *null = true;
        return true;
    }
    if (t != SQLITE_TEXT) {
        char *msg = sqlite3_mprintf("%s needs a STRING holding JSON as its first argument, "
                                    "got %s",
                                    fn,
                                    t == SQLITE_INTEGER ? "an integer"
                                    : t == SQLITE_FLOAT ? "a number"
                                                        : "a binary value");
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_free(msg);
        return false;
    }
    *root = json_loadb((const char *)sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v),
                       JSON_DECODE_ANY, NULL);
    return true;
}

static void result_error(sqlite3_context *ctx, const char *fn, const char *msg)
{
    char *m = sqlite3_mprintf("%s: %s", fn, msg);
    sqlite3_result_error(ctx, m, -1);
    sqlite3_free(m);
}

/* ---- JSON_VALUE ---- */

enum {
    BEH_NULL,
    BEH_ERROR,
    BEH_DEFAULT,
    BEH_EMPTY_ARRAY,
    BEH_EMPTY_OBJECT,
    BEH_TRUE,
    BEH_FALSE,
    BEH_UNKNOWN
};

enum { RET_STRING, RET_INT, RET_DOUBLE, RET_BOOLEAN };

/* RETURNING <type>: the result kind, -1 for a type JSON_VALUE cannot return. */
static int returning_kind(const char *type)
{
    static const struct {
        const char *name;
        int kind;
    } map[] = {{"STRING", RET_STRING},  {"VARCHAR", RET_STRING}, {"CHAR", RET_STRING},
               {"DATE", RET_STRING},    {"TIME", RET_STRING},    {"TIMESTAMP", RET_STRING},
               {"INT", RET_INT},        {"INTEGER", RET_INT},    {"BIGINT", RET_INT},
               {"SMALLINT", RET_INT},   {"TINYINT", RET_INT},    {"DOUBLE", RET_DOUBLE},
               {"FLOAT", RET_DOUBLE},   {"REAL", RET_DOUBLE},    {"DECIMAL", RET_DOUBLE},
               {"NUMERIC", RET_DOUBLE}, {"BOOLEAN", RET_BOOLEAN}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(map[i].name, type))
            return map[i].kind;
    return -1;
}

/* Set the result to scalar j converted to `kind`; false (err filled) if it does not convert. */
static bool result_scalar(sqlite3_context *ctx, json_t *j, int kind, char *err, size_t errn)
{
    char num[64];
    const char *s = json_is_string(j) ? json_string_value(j) : NULL;
    switch (kind) {
    case RET_STRING:
        if (s) {
            sqlite3_result_text(ctx, s, (int)json_string_length(j), SQLITE_TRANSIENT);
        } else if (json_is_integer(j)) {
            sqlite3_result_text(ctx, sqlite3_mprintf("%lld", (long long)json_integer_value(j)), -1,
                                sqlite3_free);
        } else if (json_is_real(j)) {
            pmn_sql_format_double(json_real_value(j), false, num, sizeof num);
            sqlite3_result_text(ctx, num, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_result_text(ctx, json_is_true(j) ? "true" : "false", -1, SQLITE_STATIC);
        }
        return true;
    case RET_INT:
        if (json_is_integer(j)) {
            sqlite3_result_int64(ctx, json_integer_value(j));
            return true;
        }
        if (json_is_real(j) && isfinite(json_real_value(j)) && fabs(json_real_value(j)) < 9.2e18) {
            sqlite3_result_int64(ctx, (int64_t)json_real_value(j));
            return true;
        }
        if (s) {
            char *end;
            long long v = strtoll(s, &end, 10);
            while (isspace((unsigned char)*end))
                end++;
            if (end != s && !*end) {
                sqlite3_result_int64(ctx, v);
                return true;
            }
        }
        break;
    case RET_DOUBLE:
        if (json_is_number(j)) {
            sqlite3_result_double(ctx, json_number_value(j));
            return true;
        }
        if (s) {
            char *end;
            double v = strtod(s, &end);
            while (isspace((unsigned char)*end))
                end++;
            if (end != s && !*end) {
                sqlite3_result_double(ctx, v);
                return true;
            }
        }
        break;
    case RET_BOOLEAN:
        if (json_is_boolean(j)) {
            sqlite3_result_int(ctx, json_is_true(j));
            return true;
        }
        if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "false"))) {
            sqlite3_result_int(ctx, !strcasecmp(s, "true"));
            return true;
        }
        break;
    default:
        break;
    }
    char *txt = json_dumps(j, JSON_ENCODE_ANY);
    snprintf(err, errn, "cannot convert %s to %s", txt ? txt : "?",
             kind == RET_INT      ? "an integer"
             : kind == RET_DOUBLE ? "DOUBLE"
                                  : "BOOLEAN");
    free(txt);
    return false;
}

/* Parse "NULL ON EMPTY", "DEFAULT ON ERROR", "EMPTY ARRAY ON ERROR" ...: the behaviour and
 * whether it is for EMPTY (else ERROR); false if the clause is not of that shape. */
static bool parse_on_clause(const char *c, int *beh, bool *on_empty)
{
    static const struct {
        const char *word;
        int beh;
    } words[] = {{"NULL", BEH_NULL},
                 {"ERROR", BEH_ERROR},
                 {"DEFAULT", BEH_DEFAULT},
                 {"EMPTY ARRAY", BEH_EMPTY_ARRAY},
                 {"EMPTY OBJECT", BEH_EMPTY_OBJECT},
                 {"TRUE", BEH_TRUE},
                 {"FALSE", BEH_FALSE},
                 {"UNKNOWN", BEH_UNKNOWN}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if (strncasecmp(c, words[i].word, n) || strncasecmp(c + n, " ON ", 4))
            continue;
        const char *what = c + n + 4;
        if (strcasecmp(what, "EMPTY") && strcasecmp(what, "ERROR"))
            return false;
        *beh = words[i].beh;
        *on_empty = !strcasecmp(what, "EMPTY");
        return true;
    }
    return false;
}

typedef struct clauses {
    int ret;                   /* RET_* */
    int on_empty, on_error;    /* BEH_* */
    sqlite3_value *dflt_empty; /* DEFAULT x ON EMPTY */
    sqlite3_value *dflt_error; /* DEFAULT x ON ERROR */
    int wrapper;               /* JSON_QUERY: 0 without, 1 unconditional, 2 conditional */
} clauses;

/* Read the clause arguments argv[2..]; false after setting an SQL error. */
static bool parse_clauses(sqlite3_context *ctx, const char *fn, int argc, sqlite3_value **argv,
                          clauses *c)
{
    for (int i = 2; i < argc; i++) {
        const char *a = (const char *)sqlite3_value_text(argv[i]);
        int beh;
        bool on_empty;
        if (!a) {
            result_error(ctx, fn, "unexpected NULL clause");
            return false;
        }
        if (!strncasecmp(a, "RETURNING ", 10)) {
            c->ret = returning_kind(a + 10);
            if (c->ret < 0) {
                char *m = sqlite3_mprintf("RETURNING %s is not supported (STRING, INT, BIGINT, "
                                          "DOUBLE, BOOLEAN, ...)",
                                          a + 10);
                result_error(ctx, fn, m);
                sqlite3_free(m);
                return false;
            }
        } else if (!strncasecmp(a, "WITHOUT", 7)) {
            c->wrapper = 0;
        } else if (!strncasecmp(a, "WITH ", 5)) {
            c->wrapper = strstr(a, "CONDITIONAL") && !strstr(a, "UNCONDITIONAL") ? 2 : 1;
        } else if (parse_on_clause(a, &beh, &on_empty)) {
            if (beh == BEH_DEFAULT) {
                if (i + 1 >= argc) {
                    result_error(ctx, fn, "DEFAULT needs a value");
                    return false;
                }
                if (on_empty)
                    c->dflt_empty = argv[i + 1];
                else
                    c->dflt_error = argv[i + 1];
                i++;
            }
            if (on_empty)
                c->on_empty = beh;
            else
                c->on_error = beh;
        } else {
            char *m = sqlite3_mprintf("unsupported clause '%s'", a);
            result_error(ctx, fn, m);
            sqlite3_free(m);
            return false;
        }
    }
    return true;
}

/* The ON EMPTY / ON ERROR outcome: NULL, the default, or an error carrying msg. */
static void behave(sqlite3_context *ctx, const char *fn, int beh, sqlite3_value *dflt,
                   const char *msg)
{
    switch (beh) {
    case BEH_ERROR:
        result_error(ctx, fn, msg);
        return;
    case BEH_DEFAULT:
        sqlite3_result_value(ctx, dflt);
        return;
    case BEH_EMPTY_ARRAY:
        sqlite3_result_text(ctx, "[]", 2, SQLITE_STATIC);
        return;
    case BEH_EMPTY_OBJECT:
        sqlite3_result_text(ctx, "{}", 2, SQLITE_STATIC);
        return;
    case BEH_TRUE:
    case BEH_FALSE:
        sqlite3_result_int(ctx, beh == BEH_TRUE);
        return;
    default:
        sqlite3_result_null(ctx);
    }
}

/* begin_call: what the JSON functions share first: their clauses parsed into *c, the document
 * parsed (*root) and the path evaluated on it (*st, *v, *strict; err for PATH_ERROR). false
 * when the call's result is settled already (an error, or NULL for a NULL argument). */
static bool begin_call(sqlite3_context *ctx, const char *fn, int argc, sqlite3_value **argv,
                       clauses *c, json_t **root, json_t **v, bool *strict, int *st, char *err,
                       size_t errlen)
{
    bool null;
    if (argc < 2 || !parse_clauses(ctx, fn, argc, argv, c) ||
        !json_arg(ctx, fn, argv[0], root, &null))
        return false;
    if (null || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        json_decref(*root);
        sqlite3_result_null(ctx);
        return false;
    }
    *st = path_eval(*root, (const char *)sqlite3_value_text(argv[1]), strict, v, err, errlen);
    return true;
}

static void fn_json_value(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    static const char fn[] = "JSON_VALUE";
    clauses c = {.ret = RET_STRING, .on_empty = BEH_NULL, .on_error = BEH_NULL};
    json_t *root, *v;
    bool strict;
    int st;
    char err[512] = "";
    if (!begin_call(ctx, fn, argc, argv, &c, &root, &v, &strict, &st, err, sizeof err))
        return;
    if (st == PATH_FOUND) {
        if (json_is_null(v) || (!strict && (json_is_array(v) || json_is_object(v)))) {
            st = PATH_EMPTY;
        } else if (json_is_array(v) || json_is_object(v)) {
            pmn_buf b = PMN_BUF_INIT;
            json_text(&b, v);
            snprintf(err, sizeof err,
                     "strict jsonpath mode requires a scalar value, and the actual value is: "
                     "'%.400s'",
                     pmn_buf_cstr(&b));
            pmn_buf_dispose(&b);
            st = PATH_ERROR;
        } else if (!result_scalar(ctx, v, c.ret, err, sizeof err)) {
            st = PATH_ERROR;
        }
    }
    if (st == PATH_EMPTY)
        behave(ctx, fn, c.on_empty, c.dflt_empty,
               "empty result of JSON_VALUE function is not allowed");
    else if (st == PATH_ERROR)
        behave(ctx, fn, c.on_error, c.dflt_error, err);
    json_decref(v);
    json_decref(root);
}

static void fn_json_query(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    static const char fn[] = "JSON_QUERY";
    clauses c = {.on_empty = BEH_NULL, .on_error = BEH_NULL};
    json_t *root, *v;
    bool strict;
    int st;
    char err[512] = "";
    if (!begin_call(ctx, fn, argc, argv, &c, &root, &v, &strict, &st, err, sizeof err))
        return;
    if (st == PATH_FOUND && json_is_null(v)) {
        st = PATH_EMPTY;
    } else if (st == PATH_FOUND) {
        if (c.wrapper == 1 || (c.wrapper == 2 && !json_is_array(v))) {
            json_t *w = json_array();
            json_array_append_new(w, v);
            v = w;
        }
        bool scalar = !json_is_array(v) && !json_is_object(v);
        if (scalar && !strict) {
            st = PATH_EMPTY;
        } else if (scalar) {
            pmn_buf b = PMN_BUF_INIT;
            json_text(&b, v);
            snprintf(err, sizeof err,
                     "strict jsonpath mode requires an array or object value, and the actual "
                     "value is: '%.400s'",
                     pmn_buf_cstr(&b));
            pmn_buf_dispose(&b);
            st = PATH_ERROR;
        } else {
            pmn_buf b = PMN_BUF_INIT;
            json_text(&b, v);
            sqlite3_result_text(ctx, pmn_buf_cstr(&b), (int)b.len, SQLITE_TRANSIENT);
            pmn_buf_dispose(&b);
        }
    }
    if (st == PATH_EMPTY)
        behave(ctx, fn, c.on_empty, NULL, "empty result of JSON_QUERY function is not allowed");
    else if (st == PATH_ERROR)
        behave(ctx, fn, c.on_error, NULL, err);
    json_decref(v);
    json_decref(root);
}

static void fn_json_exists(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    static const char fn[] = "JSON_EXISTS";
    clauses c = {.on_error = BEH_FALSE};
    json_t *root, *v;
    bool strict;
    int st;
    char err[512] = "";
    if (!begin_call(ctx, fn, argc, argv, &c, &root, &v, &strict, &st, err, sizeof err))
        return;
    if (st == PATH_ERROR)
        behave(ctx, fn, c.on_error, NULL, err);
    else
        sqlite3_result_int(ctx, st == PATH_FOUND && !json_is_null(v));
    json_decref(v);
    json_decref(root);
}

int pmn_sql_json_functions_register(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    int rc =
        sqlite3_create_function(db, "pmn_json_value", -1, flags, NULL, fn_json_value, NULL, NULL);
    rc |= sqlite3_create_function(db, "pmn_json_query", -1, flags, NULL, fn_json_query, NULL, NULL);
    rc |=
        sqlite3_create_function(db, "pmn_json_exists", -1, flags, NULL, fn_json_exists, NULL, NULL);
    return rc;
}
