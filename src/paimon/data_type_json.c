/*
 * src/paimon/data_type_json.c
 *
 * Paimon's type strings and type JSON (paimon-format.md §2.1), following
 * org.apache.paimon.types.DataTypeJsonParser (tokenizer + keyword parser for
 * atomic type strings, objects for ARRAY/MULTISET/MAP/ROW), DataType
 * .asSQLString and DataType/DataField.serializeJson (0.9 and 1.x agree).
 *
 * The same tokenizer and parser serve pmn_type_parse_sql; there the nested
 * forms ARRAY<T>, MULTISET<T>, MAP<K, V> and ROW<name T ['comment'], ...>
 * are also accepted, which Java's JSON parser rejects inside strings.
 */
#include "paimon/data_type_json.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Types nest at most this deep in a string; deeper input is rejected, not recursed into. */
#define MAX_TYPE_DEPTH 256

/* ---------------------------------------------------------------------------------------- */
/* Tokenizer (DataTypeJsonParser.tokenize)                                                  */

typedef enum tok_kind {
    T_BEGIN_SUBTYPE, /* < */
    T_END_SUBTYPE,   /* > */
    T_BEGIN_PARAM,   /* ( */
    T_END_PARAM,     /* ) */
    T_SEP,           /* , */
    T_DOT,           /* . */
    T_STRING,        /* 'text' */
    T_INT,           /* digits */
    T_KEYWORD,       /* upper-cased */
    T_IDENT,         /* name or `quoted name` */
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t pos;
    char *text; /* owned: unescaped string, digits, upper-cased keyword, identifier */
    char *raw;  /* owned: keyword as written (usable as a field name) */
} tok;

static const char *const KEYWORDS[] = {
    "CHAR",    "VARCHAR",  "STRING",   "BOOLEAN",   "BINARY",        "VARBINARY", "BYTES",
    "DECIMAL", "NUMERIC",  "DEC",      "TINYINT",   "SMALLINT",      "INT",       "INTEGER",
    "BIGINT",  "FLOAT",    "DOUBLE",   "PRECISION", "DATE",          "TIME",      "WITH",
    "WITHOUT", "LOCAL",    "ZONE",     "TIMESTAMP", "TIMESTAMP_LTZ", "INTERVAL",  "YEAR",
    "MONTH",   "DAY",      "HOUR",     "MINUTE",    "SECOND",        "TO",        "ARRAY",
    "VECTOR",  "MULTISET", "MAP",      "ROW",       "NULL",          "RAW",       "LEGACY",
    "VARIANT", "BLOB",     "GEOMETRY", "GEOGRAPHY", "NOT",           NULL,
};

static bool is_keyword(const char *upper)
{
    for (const char *const *k = KEYWORDS; *k; k++)
        if (strcmp(*k, upper) == 0)
            return true;
    return false;
}

static bool is_delimiter(char c)
{
    return isspace((unsigned char)c) || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
           c == '.';
}

typedef struct toks {
    tok *v;
    size_t n, cap;
} toks;

static void toks_push(toks *t, tok_kind kind, size_t pos, char *text, char *raw)
{
    PMN_GROW(t->v, t->cap, t->n + 1);
    t->v[t->n++] = (tok){kind, pos, text, raw};
}

static void toks_free(toks *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].text);
        free(t->v[i].raw);
    }
    free(t->v);
}

/* consume_escaped: text between delimiters d, a doubled d standing for one. */
static size_t consume_escaped(pmn_buf *b, const char *s, size_t len, size_t cur, char d)
{
    for (cur++; cur < len; cur++) {
        if (s[cur] == d && cur + 1 < len && s[cur + 1] == d) {
            cur++;
            pmn_buf_putc(b, (uint8_t)d);
        } else if (s[cur] == d) {
            break;
        } else {
            pmn_buf_putc(b, (uint8_t)s[cur]);
        }
    }
    return cur;
}

static void tokenize(const char *s, toks *out)
{
    size_t len = strlen(s);
    static const char singles[] = "<>(),.";
    static const tok_kind single_kinds[] = {T_BEGIN_SUBTYPE, T_END_SUBTYPE, T_BEGIN_PARAM,
                                            T_END_PARAM,     T_SEP,         T_DOT};
    for (size_t cur = 0; cur < len; cur++) {
        char c = s[cur];
        const char *single = c ? strchr(singles, c) : NULL;
        if (single) {
            toks_push(out, single_kinds[single - singles], cur, pmn_xstrndup(&s[cur], 1), NULL);
        } else if (c == '\'' || c == '`') {
            pmn_buf b = PMN_BUF_INIT;
            size_t start = cur;
            cur = consume_escaped(&b, s, len, cur, c);
            toks_push(out, c == '\'' ? T_STRING : T_IDENT, start, pmn_xstrdup(pmn_buf_cstr(&b)),
                      NULL);
            pmn_buf_dispose(&b);
        } else if (isspace((unsigned char)c)) {
            continue;
        } else if (c >= '0' && c <= '9') {
            size_t start = cur;
            while (cur < len && s[cur] >= '0' && s[cur] <= '9')
                cur++;
            toks_push(out, T_INT, start, pmn_xstrndup(&s[start], cur - start), NULL);
            cur--;
        } else {
            size_t start = cur;
            while (cur < len && !is_delimiter(s[cur]))
                cur++;
            char *word = pmn_xstrndup(&s[start], cur - start);
            char *upper = pmn_xstrdup(word);
            for (char *p = upper; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            if (is_keyword(upper)) {
                toks_push(out, T_KEYWORD, start, upper, word);
            } else {
                free(upper);
                toks_push(out, T_IDENT, start, word, NULL);
            }
            cur--;
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Parser (DataTypeJsonParser.TokenParser, plus nested forms in SQL mode)                   */

typedef struct parser {
    const char *input;
    toks t;
    size_t cur;  /* index of the next token */
    bool nested; /* accept ARRAY<..>, MULTISET<..>, MAP<..>, ROW<..> */
    int code;    /* error code to report */
    int depth;
    int32_t next_id; /* ids of ROW fields in SQL mode, depth-first from 0 */
} parser;

static int perr(parser *p, const char *cause)
{
    size_t pos = p->cur > 0 && p->cur <= p->t.n ? p->t.v[p->cur - 1].pos : 0;
    return pmn_error_set(p->code, "cannot parse type '%s' at position %zu: %s", p->input, pos,
                         cause);
}

static bool has_next_kind(const parser *p, tok_kind k)
{
    return p->cur < p->t.n && p->t.v[p->cur].kind == k;
}

static bool has_next_kw(const parser *p, size_t ahead, const char *kw)
{
    size_t i = p->cur + ahead;
    return i < p->t.n && p->t.v[i].kind == T_KEYWORD && strcmp(p->t.v[i].text, kw) == 0;
}

static int expect_kind(parser *p, tok_kind k, const char *what)
{
    if (p->cur >= p->t.n) {
        p->cur = p->t.n;
        char msg[96];
        snprintf(msg, sizeof msg, "unexpected end, %s expected", what);
        return perr(p, msg);
    }
    if (p->t.v[p->cur].kind != k) {
        p->cur++;
        char msg[160];
        snprintf(msg, sizeof msg, "%s expected but was '%.100s'", what, p->t.v[p->cur - 1].text);
        return perr(p, msg);
    }
    p->cur++;
    return 0;
}

static int expect_kw(parser *p, const char *kw)
{
    if (!has_next_kw(p, 0, kw)) {
        char msg[64];
        snprintf(msg, sizeof msg, "keyword '%s' expected", kw);
        if (p->cur < p->t.n)
            p->cur++;
        return perr(p, msg);
    }
    p->cur++;
    return 0;
}

/* token_int: the current (just consumed) T_INT as a Java int. */
static int token_int(parser *p, int32_t *out)
{
    const char *s = p->t.v[p->cur - 1].text;
    long long v = 0;
    for (; *s; s++) {
        v = v * 10 + (*s - '0');
        if (v > INT32_MAX)
            return perr(p, "invalid integer value");
    }
    *out = (int32_t)v;
    return 0;
}

/* parse_length: optional "(n)"; -1 when absent. */
static int parse_paren_int(parser *p, int32_t *out)
{
    *out = -1;
    if (!has_next_kind(p, T_BEGIN_PARAM))
        return 0;
    p->cur++;
    int rc = expect_kind(p, T_INT, "integer");
    if (!rc)
        rc = token_int(p, out);
    if (!rc)
        rc = expect_kind(p, T_END_PARAM, "')'");
    return rc;
}

static int parse_type_with_nullability(parser *p, pmn_type **out);

static bool parse_nullability(parser *p)
{
    if (has_next_kw(p, 0, "NOT") && has_next_kw(p, 1, "NULL")) {
        p->cur += 2;
        return false;
    }
    if (has_next_kw(p, 0, "NULL"))
        p->cur++;
    return true;
}

static int check_length(parser *p, pmn_type *t, int32_t len, const char *name)
{
    if (len < 0)
        return 0;
    if (len < 1) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s length must be between 1 and 2147483647", name);
        return perr(p, msg);
    }
    t->length = len;
    return 0;
}

static int parse_precision(parser *p, pmn_type *t, const char *name)
{
    int32_t prec;
    int rc = parse_paren_int(p, &prec);
    if (rc)
        return rc;
    if (prec >= 0) {
        if (prec > 9) {
            char msg[96];
            snprintf(msg, sizeof msg, "%s precision must be between 0 and 9", name);
            return perr(p, msg);
        }
        t->precision = prec;
    }
    return 0;
}

static int parse_decimal(parser *p, pmn_type *t)
{
    if (!has_next_kind(p, T_BEGIN_PARAM))
        return 0;
    p->cur++;
    int32_t prec, scale = 0;
    int rc = expect_kind(p, T_INT, "integer");
    if (!rc)
        rc = token_int(p, &prec);
    if (!rc && has_next_kind(p, T_SEP)) {
        p->cur++;
        rc = expect_kind(p, T_INT, "integer");
        if (!rc)
            rc = token_int(p, &scale);
    }
    if (!rc)
        rc = expect_kind(p, T_END_PARAM, "')'");
    if (rc)
        return rc;
    if (prec < 1 || prec > 38)
        return perr(p, "decimal precision must be between 1 and 38");
    if (scale > prec)
        return perr(p, "decimal scale must be between 0 and the precision");
    t->precision = prec;
    t->scale = scale;
    return 0;
}

/* parse_field_name: identifier, or a keyword used as a name (as written). */
static int parse_field_name(parser *p, const char **name)
{
    if (p->cur < p->t.n) {
        const tok *k = &p->t.v[p->cur];
        if (k->kind == T_IDENT || k->kind == T_KEYWORD) {
            *name = k->kind == T_KEYWORD ? k->raw : k->text;
            p->cur++;
            return 0;
        }
    }
    return expect_kind(p, T_IDENT, "field name");
}

static int parse_row_fields(parser *p, pmn_type *row)
{
    tok_kind close = T_END_SUBTYPE;
    if (has_next_kind(p, T_BEGIN_PARAM))
        close = T_END_PARAM;
    int rc = expect_kind(p, close == T_END_SUBTYPE ? T_BEGIN_SUBTYPE : T_BEGIN_PARAM, "'<'");
    if (rc)
        return rc;
    if (has_next_kind(p, close)) {
        p->cur++;
        return 0;
    }
    for (;;) {
        const char *name = NULL;
        rc = parse_field_name(p, &name);
        if (rc)
            return rc;
        int32_t id = p->next_id++;
        pmn_type *ft;
        rc = parse_type_with_nullability(p, &ft);
        if (rc)
            return rc;
        pmn_field *f = pmn_type_row_add(row, id, name, ft);
        /* description: 'text' (Flink) or COMMENT 'text' (Paimon 1.x asSQLString) */
        if (p->cur + 1 < p->t.n && p->t.v[p->cur].kind == T_IDENT &&
            strcasecmp(p->t.v[p->cur].text, "COMMENT") == 0 && p->t.v[p->cur + 1].kind == T_STRING)
            p->cur++;
        if (has_next_kind(p, T_STRING)) {
            f->description = pmn_xstrdup(p->t.v[p->cur].text);
            p->cur++;
        }
        if (has_next_kind(p, T_SEP)) {
            p->cur++;
            continue;
        }
        return expect_kind(p, close, close == T_END_SUBTYPE ? "'>'" : "')'");
    }
}

static int parse_type_by_keyword(parser *p, pmn_type **out)
{
    *out = NULL;
    int rc = expect_kind(p, T_KEYWORD, "type name");
    if (rc)
        return rc;
    const char *kw = p->t.v[p->cur - 1].text;
    pmn_type *t = NULL;
    int32_t n;
    if (!strcmp(kw, "CHAR") || !strcmp(kw, "BINARY") || !strcmp(kw, "VARCHAR") ||
        !strcmp(kw, "VARBINARY")) {
        bool is_char = !strcmp(kw, "CHAR"), is_varchar = !strcmp(kw, "VARCHAR");
        t = pmn_type_new(is_char                 ? PMN_TYPE_CHAR
                         : is_varchar            ? PMN_TYPE_VARCHAR
                         : !strcmp(kw, "BINARY") ? PMN_TYPE_BINARY
                                                 : PMN_TYPE_VARBINARY);
        if (t->root == PMN_TYPE_VARCHAR || t->root == PMN_TYPE_VARBINARY)
            t->length = 1; /* VarCharType() / VarBinaryType() default to length 1 */
        rc = parse_paren_int(p, &n);
        if (!rc)
            rc = check_length(p, t, n, kw);
    } else if (!strcmp(kw, "STRING")) {
        t = pmn_type_new(PMN_TYPE_VARCHAR);
    } else if (!strcmp(kw, "BYTES")) {
        t = pmn_type_new(PMN_TYPE_VARBINARY);
    } else if (!strcmp(kw, "BOOLEAN")) {
        t = pmn_type_new(PMN_TYPE_BOOLEAN);
    } else if (!strcmp(kw, "DECIMAL") || !strcmp(kw, "NUMERIC") || !strcmp(kw, "DEC")) {
        t = pmn_type_new(PMN_TYPE_DECIMAL);
        rc = parse_decimal(p, t);
    } else if (!strcmp(kw, "TINYINT")) {
        t = pmn_type_new(PMN_TYPE_TINYINT);
    } else if (!strcmp(kw, "SMALLINT")) {
        t = pmn_type_new(PMN_TYPE_SMALLINT);
    } else if (!strcmp(kw, "INT") || !strcmp(kw, "INTEGER")) {
        t = pmn_type_new(PMN_TYPE_INT);
    } else if (!strcmp(kw, "BIGINT")) {
        t = pmn_type_new(PMN_TYPE_BIGINT);
    } else if (!strcmp(kw, "FLOAT")) {
        t = pmn_type_new(PMN_TYPE_FLOAT);
    } else if (!strcmp(kw, "DOUBLE")) {
        t = pmn_type_new(PMN_TYPE_DOUBLE);
        if (has_next_kw(p, 0, "PRECISION"))
            p->cur++;
    } else if (!strcmp(kw, "DATE")) {
        t = pmn_type_new(PMN_TYPE_DATE);
    } else if (!strcmp(kw, "TIME")) {
        t = pmn_type_new(PMN_TYPE_TIME);
        rc = parse_precision(p, t, "TIME");
        if (!rc && has_next_kw(p, 0, "WITHOUT")) {
            p->cur++;
            rc = expect_kw(p, "TIME");
            if (!rc)
                rc = expect_kw(p, "ZONE");
        }
    } else if (!strcmp(kw, "TIMESTAMP")) {
        t = pmn_type_new(PMN_TYPE_TIMESTAMP);
        rc = parse_precision(p, t, "TIMESTAMP");
        if (!rc && has_next_kw(p, 0, "WITHOUT")) {
            p->cur++;
            rc = expect_kw(p, "TIME");
            if (!rc)
                rc = expect_kw(p, "ZONE");
        } else if (!rc && has_next_kw(p, 0, "WITH")) {
            p->cur++;
            if (has_next_kw(p, 0, "LOCAL")) {
                p->cur++;
                rc = expect_kw(p, "TIME");
                if (!rc)
                    rc = expect_kw(p, "ZONE");
                t->root = PMN_TYPE_TIMESTAMP_LTZ;
            }
        }
    } else if (!strcmp(kw, "TIMESTAMP_LTZ")) {
        t = pmn_type_new(PMN_TYPE_TIMESTAMP_LTZ);
        rc = parse_precision(p, t, "TIMESTAMP_LTZ");
    } else if (p->nested && (!strcmp(kw, "ARRAY") || !strcmp(kw, "MULTISET"))) {
        t = pmn_type_new(!strcmp(kw, "ARRAY") ? PMN_TYPE_ARRAY : PMN_TYPE_MULTISET);
        rc = expect_kind(p, T_BEGIN_SUBTYPE, "'<'");
        if (!rc)
            rc = parse_type_with_nullability(p, &t->elem);
        if (!rc)
            rc = expect_kind(p, T_END_SUBTYPE, "'>'");
    } else if (p->nested && !strcmp(kw, "MAP")) {
        t = pmn_type_new(PMN_TYPE_MAP);
        rc = expect_kind(p, T_BEGIN_SUBTYPE, "'<'");
        if (!rc)
            rc = parse_type_with_nullability(p, &t->key);
        if (!rc)
            rc = expect_kind(p, T_SEP, "','");
        if (!rc)
            rc = parse_type_with_nullability(p, &t->value);
        if (!rc)
            rc = expect_kind(p, T_END_SUBTYPE, "'>'");
    } else if (p->nested && !strcmp(kw, "ROW")) {
        t = pmn_type_row();
        rc = parse_row_fields(p, t);
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "unsupported type: %.100s", kw);
        return perr(p, msg);
    }
    if (rc) {
        pmn_type_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static int parse_type_with_nullability(parser *p, pmn_type **out)
{
    *out = NULL;
    if (++p->depth > MAX_TYPE_DEPTH) {
        p->depth--;
        return perr(p, "types nested too deeply");
    }
    pmn_type *t;
    int rc = parse_type_by_keyword(p, &t);
    if (rc == 0) {
        t->nullable = parse_nullability(p);
        /* suffix notation "INT ARRAY" / "INT MULTISET" (accepted by Java's parser too) */
        if (has_next_kw(p, 0, "ARRAY") || has_next_kw(p, 0, "MULTISET")) {
            bool arr = has_next_kw(p, 0, "ARRAY");
            p->cur++;
            pmn_type *c = pmn_type_new(arr ? PMN_TYPE_ARRAY : PMN_TYPE_MULTISET);
            c->elem = t;
            c->nullable = parse_nullability(p);
            t = c;
        }
        *out = t;
    }
    p->depth--;
    return rc;
}

static int parse_string(const char *s, bool nested, int code, pmn_type **out)
{
    parser p = {.input = s, .nested = nested, .code = code};
    tokenize(s, &p.t);
    pmn_type *t = NULL;
    int rc = parse_type_with_nullability(&p, &t);
    if (rc == 0 && p.cur < p.t.n) {
        char msg[160];
        snprintf(msg, sizeof msg, "unexpected token: %.100s", p.t.v[p.cur].text);
        p.cur++;
        rc = perr(&p, msg);
        pmn_type_free(t);
        t = NULL;
    }
    toks_free(&p.t);
    *out = t;
    return rc;
}

int pmn_type_parse_sql(const char *sql, pmn_type **out)
{
    return parse_string(sql, true, PMN_EINVALID, out);
}

/* ---------------------------------------------------------------------------------------- */
/* asSQLString                                                                              */

static void sql_quote(pmn_buf *b, const char *s, char q)
{
    pmn_buf_putc(b, (uint8_t)q);
    for (; *s; s++) {
        if (*s == q)
            pmn_buf_putc(b, (uint8_t)q);
        pmn_buf_putc(b, (uint8_t)*s);
    }
    pmn_buf_putc(b, (uint8_t)q);
}

static void to_sql(pmn_buf *b, const pmn_type *t)
{
    switch (t->root) {
    case PMN_TYPE_BOOLEAN:
        pmn_buf_puts(b, "BOOLEAN");
        break;
    case PMN_TYPE_TINYINT:
        pmn_buf_puts(b, "TINYINT");
        break;
    case PMN_TYPE_SMALLINT:
        pmn_buf_puts(b, "SMALLINT");
        break;
    case PMN_TYPE_INT:
        pmn_buf_puts(b, "INT");
        break;
    case PMN_TYPE_BIGINT:
        pmn_buf_puts(b, "BIGINT");
        break;
    case PMN_TYPE_FLOAT:
        pmn_buf_puts(b, "FLOAT");
        break;
    case PMN_TYPE_DOUBLE:
        pmn_buf_puts(b, "DOUBLE");
        break;
    case PMN_TYPE_DECIMAL:
        pmn_buf_printf(b, "DECIMAL(%d, %d)", (int)t->precision, (int)t->scale);
        break;
    case PMN_TYPE_CHAR:
        pmn_buf_printf(b, "CHAR(%d)", (int)t->length);
        break;
    case PMN_TYPE_VARCHAR:
        if (t->length == PMN_MAX_LENGTH)
            pmn_buf_puts(b, "STRING");
        else
            pmn_buf_printf(b, "VARCHAR(%d)", (int)t->length);
        break;
    case PMN_TYPE_BINARY:
        pmn_buf_printf(b, "BINARY(%d)", (int)t->length);
        break;
    case PMN_TYPE_VARBINARY:
        if (t->length == PMN_MAX_LENGTH)
            pmn_buf_puts(b, "BYTES");
        else
            pmn_buf_printf(b, "VARBINARY(%d)", (int)t->length);
        break;
    case PMN_TYPE_DATE:
        pmn_buf_puts(b, "DATE");
        break;
    case PMN_TYPE_TIME:
        pmn_buf_printf(b, "TIME(%d)", (int)t->precision);
        break;
    case PMN_TYPE_TIMESTAMP:
        pmn_buf_printf(b, "TIMESTAMP(%d)", (int)t->precision);
        break;
    case PMN_TYPE_TIMESTAMP_LTZ:
        pmn_buf_printf(b, "TIMESTAMP(%d) WITH LOCAL TIME ZONE", (int)t->precision);
        break;
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
        pmn_buf_puts(b, t->root == PMN_TYPE_ARRAY ? "ARRAY<" : "MULTISET<");
        to_sql(b, t->elem);
        pmn_buf_putc(b, '>');
        break;
    case PMN_TYPE_MAP:
        pmn_buf_puts(b, "MAP<");
        to_sql(b, t->key);
        pmn_buf_puts(b, ", ");
        to_sql(b, t->value);
        pmn_buf_putc(b, '>');
        break;
    case PMN_TYPE_ROW:
        pmn_buf_puts(b, "ROW<");
        for (int32_t i = 0; i < t->nfields; i++) {
            const pmn_field *f = &t->fields[i];
            if (i)
                pmn_buf_puts(b, ", ");
            sql_quote(b, f->name, '`');
            pmn_buf_putc(b, ' ');
            to_sql(b, f->type);
            if (f->description && f->description[0]) {
                pmn_buf_puts(b, " COMMENT ");
                sql_quote(b, f->description, '\'');
            }
        }
        pmn_buf_putc(b, '>');
        break;
    }
    if (!t->nullable)
        pmn_buf_puts(b, " NOT NULL");
}

char *pmn_type_to_sql(const pmn_type *t)
{
    pmn_buf b = PMN_BUF_INIT;
    to_sql(&b, t);
    return (char *)pmn_buf_detach(&b, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* JSON                                                                                     */

static const char *complex_name(pmn_type_root r)
{
    switch (r) {
    case PMN_TYPE_ARRAY:
        return "ARRAY";
    case PMN_TYPE_MULTISET:
        return "MULTISET";
    case PMN_TYPE_MAP:
        return "MAP";
    case PMN_TYPE_ROW:
        return "ROW";
    default:
        return NULL;
    }
}

json_t *pmn_type_to_json(const pmn_type *t)
{
    const char *name = complex_name(t->root);
    if (!name) {
        char *s = pmn_type_to_sql(t);
        json_t *j = json_string(s);
        free(s);
        return j;
    }
    json_t *o = json_object();
    char *tn = pmn_xasprintf("%s%s", name, t->nullable ? "" : " NOT NULL");
    json_object_set_new(o, "type", json_string(tn));
    free(tn);
    switch (t->root) {
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MULTISET:
        json_object_set_new(o, "element", pmn_type_to_json(t->elem));
        break;
    case PMN_TYPE_MAP:
        json_object_set_new(o, "key", pmn_type_to_json(t->key));
        json_object_set_new(o, "value", pmn_type_to_json(t->value));
        break;
    default:
        json_object_set_new(o, "fields", pmn_row_to_fields_json(t));
        break;
    }
    return o;
}

json_t *pmn_row_to_fields_json(const pmn_type *row)
{
    json_t *a = json_array();
    for (int32_t i = 0; i < row->nfields; i++) {
        const pmn_field *f = &row->fields[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(f->id));
        json_object_set_new(o, "name", json_string_nocheck(f->name));
        json_object_set_new(o, "type", pmn_type_to_json(f->type));
        if (f->description)
            json_object_set_new(o, "description", json_string_nocheck(f->description));
        json_array_append_new(a, o);
    }
    return a;
}

typedef struct jctx {
    int32_t auto_id; /* Java's AtomicInteger(-1) for fields without "id" */
    int depth;
} jctx;

static int type_from_json(jctx *c, const json_t *node, pmn_type **out);

/* jerr: PMN_ECORRUPT naming the offending JSON (abbreviated). */
static int jerr(const json_t *node, const char *cause)
{
    char *text = node ? json_dumps(node, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    int rc =
        pmn_error_set(PMN_ECORRUPT, "cannot parse type %.200s%s: %s", text ? text : "(missing)",
                      text && strlen(text) > 200 ? "..." : "", cause);
    free(text);
    return rc;
}

static int field_from_json(jctx *c, const json_t *node, bool top_level, pmn_type *row)
{
    if (!json_is_object(node))
        return jerr(node, "a field must be a JSON object");
    const json_t *jid = json_object_get(node, "id");
    int32_t id;
    if (jid) {
        if (!json_is_integer(jid) || json_integer_value(jid) < INT32_MIN ||
            json_integer_value(jid) > INT32_MAX)
            return jerr(node, "field \"id\" must be an integer");
        if (c->auto_id != -1)
            return jerr(node, "partial field ids are not allowed");
        id = (int32_t)json_integer_value(jid);
    } else {
        if (top_level)
            return jerr(node, "field has no \"id\"");
        id = ++c->auto_id;
    }
    const json_t *jname = json_object_get(node, "name");
    if (!json_is_string(jname))
        return jerr(node, "field \"name\" must be a string");
    pmn_type *t;
    int rc = type_from_json(c, json_object_get(node, "type"), &t);
    if (rc)
        return rc;
    pmn_field *f = pmn_type_row_add(row, id, json_string_value(jname), t);
    const json_t *jd = json_object_get(node, "description");
    if (jd && !json_is_null(jd)) {
        if (!json_is_string(jd))
            return jerr(node, "field \"description\" must be a string");
        f->description = pmn_xstrdup(json_string_value(jd));
    }
    return 0;
}

static int row_from_fields(jctx *c, const json_t *fields, bool top_level, pmn_type **out)
{
    *out = NULL;
    if (!json_is_array(fields))
        return jerr(fields, "\"fields\" must be an array");
    pmn_type *row = pmn_type_row();
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
    {
        int rc = field_from_json(c, f, top_level, row);
        if (rc) {
            pmn_type_free(row);
            return rc;
        }
    }
    *out = row;
    return 0;
}

static int type_from_json(jctx *c, const json_t *node, pmn_type **out)
{
    *out = NULL;
    if (json_is_string(node))
        return parse_string(json_string_value(node), false, PMN_ECORRUPT, out);
    if (!json_is_object(node))
        return jerr(node, "a type must be a string or an object");
    const json_t *jt = json_object_get(node, "type");
    if (!json_is_string(jt))
        return jerr(node, "\"type\" must be a string");
    if (++c->depth > MAX_TYPE_DEPTH) {
        c->depth--;
        return jerr(jt, "types nested too deeply");
    }
    const char *ts = json_string_value(jt);
    bool nullable = strstr(ts, "NOT NULL") == NULL;
    pmn_type *t = NULL;
    int rc = 0;
    /* the order of the prefix tests follows Java (startsWith) */
    if (!strncmp(ts, "ARRAY", 5) || !strncmp(ts, "MULTISET", 8)) {
        t = pmn_type_new(ts[0] == 'A' ? PMN_TYPE_ARRAY : PMN_TYPE_MULTISET);
        rc = type_from_json(c, json_object_get(node, "element"), &t->elem);
    } else if (!strncmp(ts, "MAP", 3)) {
        t = pmn_type_new(PMN_TYPE_MAP);
        rc = type_from_json(c, json_object_get(node, "key"), &t->key);
        if (!rc)
            rc = type_from_json(c, json_object_get(node, "value"), &t->value);
    } else if (!strncmp(ts, "ROW", 3)) {
        rc = row_from_fields(c, json_object_get(node, "fields"), false, &t);
    } else {
        rc = jerr(node, "unsupported complex type");
    }
    c->depth--;
    if (rc) {
        pmn_type_free(t);
        return rc;
    }
    t->nullable = nullable;
    *out = t;
    return 0;
}

int pmn_type_from_json(const json_t *node, pmn_type **out)
{
    jctx c = {.auto_id = -1};
    return type_from_json(&c, node, out);
}

int pmn_row_from_fields_json(const json_t *fields, pmn_type **row_out)
{
    jctx c = {.auto_id = -1};
    return row_from_fields(&c, fields, true, row_out);
}

static int32_t highest_id(const pmn_type *t, int32_t best)
{
    if (!t)
        return best;
    best = highest_id(t->elem, best);
    best = highest_id(t->key, best);
    best = highest_id(t->value, best);
    for (int32_t i = 0; i < t->nfields; i++) {
        if (t->fields[i].id > best)
            best = t->fields[i].id;
        best = highest_id(t->fields[i].type, best);
    }
    return best;
}

int32_t pmn_type_highest_field_id(const pmn_type *row)
{
    return highest_id(row, -1);
}
