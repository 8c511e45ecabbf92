/*
 * src/sql/rewrite.c
 *
 * Flink query → SQLite query; see rewrite.h. One pass over the token list with
 * a small state per parenthesis depth telling whether the next name is a table
 * reference.
 */
#include "sql/rewrite.h"

#include "sql/lexer.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 128

enum { ST_NONE, ST_EXPECT_TABLE, ST_AFTER_TABLE };

/* Functions whose parentheses hold keywords (FROM, FOR, IN) that are not clauses;
 * FN_JSON: JSON_VALUE / JSON_QUERY / JSON_EXISTS, whose RETURNING, ON EMPTY, ON ERROR and
 * WRAPPER clauses become string arguments (sql/jsonfn.h). */
enum { FN_NONE, FN_SUBSTRING, FN_POSITION, FN_OTHER, FN_JSON };

/* EXTRACT(<unit> FROM x) -> the function of sql/functions.c that computes it. */
static const char *extract_function(const char *unit)
{
    static const char *const map[][2] = {
        {"YEAR", "year"}, {"QUARTER", "quarter"}, {"MONTH", "month"},  {"DAY", "dayofmonth"},
        {"HOUR", "hour"}, {"MINUTE", "minute"},   {"SECOND", "second"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(map[i][0], unit))
            return map[i][1];
    return NULL;
}

typedef struct rw {
    const char *text;  /* the source query */
    pmn_sql_tok *toks; /* every token, blanks and comments included */
    size_t ntoks;
    pmn_buf out;          /* SQLite text being built */
    pmn_sql_rewrite *res; /* result being filled */
    size_t capout, capin; /* capacities of res->map_out, res->map_in */
    char **ctes;          /* names the query's WITH clause defines (not lake tables) */
    size_t nctes;
    size_t refcap;        /* capacity of res->refs */
    const char *catalog;  /* current catalog or NULL */
    const char *database; /* current database or NULL */
    char **after;         /* after[i]: text appended after token i (EXPR$n aliases) */
    bool *drop;           /* drop[i]: token i is left out (ON EMPTY after DEFAULT x) */
    size_t *tok_out;      /* tok_out[i]: output offset where token i went, SIZE_MAX if none */
} rw;

static bool significant(const pmn_sql_tok *t)
{
    return t->kind != PMN_TK_SPACE && t->kind != PMN_TK_COMMENT;
}

static size_t next_sig(const rw *r, size_t i)
{
    while (i < r->ntoks && !significant(&r->toks[i]))
        i++;
    return i;
}

static bool tok_is(const rw *r, size_t i, const char *w)
{
    return i < r->ntoks && pmn_sql_tok_is(r->text, &r->toks[i], w);
}

static bool tok_punct(const rw *r, size_t i, const char *p)
{
    return i < r->ntoks && pmn_sql_tok_punct(r->text, &r->toks[i], p);
}

static bool tok_name(const rw *r, size_t i)
{
    return i < r->ntoks && (r->toks[i].kind == PMN_TK_IDENT || r->toks[i].kind == PMN_TK_QIDENT);
}

static void mark(rw *r, size_t src_off)
{
    pmn_sql_rewrite *res = r->res;
    PMN_GROW(res->map_out, r->capout, res->nmap + 1);
    PMN_GROW(res->map_in, r->capin, res->nmap + 1);
    res->map_out[res->nmap] = r->out.len;
    res->map_in[res->nmap] = src_off;
    res->nmap++;
}

static void emit_quoted(pmn_buf *b, const char *s)
{
    pmn_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            pmn_buf_putc(b, '"');
        pmn_buf_putc(b, (uint8_t)*s);
    }
    pmn_buf_putc(b, '"');
}

static int error_at(const rw *r, size_t off, const char *what)
{
    int line, col;
    pmn_sql_position(r->text, off, &line, &col);
    return pmn_error_set(PMN_EINVALID, "syntax error at line %d, column %d: %s", line, col, what);
}

/* Words that end a FROM item instead of being its alias. */
static bool is_clause_word(const rw *r, size_t i)
{
    static const char *const words[] = {
        "WHERE", "JOIN",   "ON",        "LEFT",    "RIGHT",  "INNER",  "FULL",
        "CROSS", "OUTER",  "NATURAL",   "GROUP",   "ORDER",  "LIMIT",  "OFFSET",
        "UNION", "EXCEPT", "INTERSECT", "MINUS",   "HAVING", "WINDOW", "USING",
        "FOR",   "FETCH",  "AS",        "LATERAL", "SELECT", "VALUES", NULL};
    for (int k = 0; words[k]; k++)
        if (tok_is(r, i, words[k]))
            return true;
    return false;
}

/* ---- table references ---- */

static int parse_hint(rw *r, const pmn_sql_tok *t, pmn_sql_tref *ref)
{
    /* "/" "*" "+" OPTIONS ( 'k' = 'v' , ... ) "*" "/" */
    const char *body = r->text + t->off + 3;
    size_t blen = t->len - 5;
    size_t pos = 0;
    pmn_sql_tok k = pmn_sql_lex(body, blen, pos);
#define SKIP()                                                                                     \
    while (k.kind == PMN_TK_SPACE || k.kind == PMN_TK_COMMENT)                                     \
    k = pmn_sql_lex(body, blen, k.off + k.len)
    SKIP();
    if (!pmn_sql_tok_is(body, &k, "OPTIONS"))
        return error_at(r, t->off, "only OPTIONS('key' = 'value', ...) hints are supported");
    k = pmn_sql_lex(body, blen, k.off + k.len);
    SKIP();
    if (!pmn_sql_tok_punct(body, &k, "("))
        return error_at(r, t->off, "expected ( after OPTIONS");
    for (;;) {
        k = pmn_sql_lex(body, blen, k.off + k.len);
        SKIP();
        if (k.kind != PMN_TK_STRING)
            return error_at(r, t->off, "expected 'key' = 'value' in OPTIONS hint");
        char *key = pmn_sql_ident_value(body, &k);
        k = pmn_sql_lex(body, blen, k.off + k.len);
        SKIP();
        if (!pmn_sql_tok_punct(body, &k, "=")) {
            free(key);
            return error_at(r, t->off, "expected = in OPTIONS hint");
        }
        k = pmn_sql_lex(body, blen, k.off + k.len);
        SKIP();
        if (k.kind != PMN_TK_STRING) {
            free(key);
            return error_at(r, t->off, "expected a quoted value in OPTIONS hint");
        }
        char *val = pmn_sql_ident_value(body, &k);
        int rc = 0;
        if (!strcmp(key, "scan.snapshot-id") || !strcmp(key, "scan.timestamp-millis") ||
            !strcmp(key, "scan.file-creation-time-millis")) {
            char *end;
            errno = 0;
            long long v = strtoll(val, &end, 10);
            if (errno || *end || end == val || v <= 0) {
                rc = pmn_error_set(PMN_EINVALID, "option '%s' needs a positive integer, got '%s'",
                                   key, val);
            } else if (key[5] == 's') {
                ref->snapshot_id = v;
            } else if (key[5] == 't') {
                ref->timestamp_millis = v;
            } else {
                ref->file_creation_millis = v;
            }
        } else if (!strcmp(key, "scan.mode")) {
            static const char *const batch_modes[] = {
                "default",        "latest",         "latest-full",
                "full",           "from-snapshot",  "from-snapshot-full",
                "from-timestamp", "compacted-full", "from-file-creation-time"};
            bool known = false;
            for (size_t m = 0; m < sizeof batch_modes / sizeof batch_modes[0]; m++)
                known |= !strcmp(val, batch_modes[m]);
            if (known) {
                free(ref->mode);
                ref->mode = pmn_xstrdup(val);
            } else {
                rc = pmn_error_set(PMN_EINVALID,
                                   "scan.mode '%s' cannot be read in batch here (one of default, "
                                   "latest, latest-full, full, from-snapshot, "
                                   "from-snapshot-full, from-timestamp, compacted-full, "
                                   "from-file-creation-time)",
                                   val);
            }
        } else if (!strcmp(key, "scan.tag-name")) {
            free(ref->tag);
            ref->tag = pmn_xstrdup(val);
        } else if (!strcmp(key, "scan.timestamp")) {
            free(ref->timestamp_text);
            ref->timestamp_text = pmn_xstrdup(val);
        } else {
            rc = pmn_error_set(PMN_EINVALID,
                               "unsupported table option '%s' in OPTIONS hint (supported: "
                               "scan.snapshot-id, scan.timestamp-millis, scan.timestamp, "
                               "scan.tag-name, scan.mode, scan.file-creation-time-millis)",
                               key);
        }
        free(key);
        free(val);
        if (rc)
            return rc;
        k = pmn_sql_lex(body, blen, k.off + k.len);
        SKIP();
        if (pmn_sql_tok_punct(body, &k, ")"))
            break;
        if (!pmn_sql_tok_punct(body, &k, ","))
            return error_at(r, t->off, "expected , or ) in OPTIONS hint");
    }
#undef SKIP
    int choices = (ref->snapshot_id > 0) + (ref->timestamp_millis > 0) + (ref->tag != NULL) +
                  (ref->timestamp_text != NULL) + (ref->file_creation_millis > 0);
    if (choices > 1)
        return error_at(r, t->off,
                        "choose one of scan.snapshot-id, scan.timestamp-millis, "
                        "scan.timestamp, scan.tag-name, scan.file-creation-time-millis and "
                        "FOR SYSTEM_TIME AS OF");
    if (ref->file_creation_millis > 0 && ref->mode && strcmp(ref->mode, "default") &&
        strcmp(ref->mode, "from-file-creation-time"))
        return error_at(r, t->off,
                        "scan.file-creation-time-millis goes with scan.mode "
                        "from-file-creation-time");
    return 0;
}

static char *vtab_name(const pmn_sql_tref *ref)
{
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_printf(&b, "%s.%s.%s", ref->catalog ? ref->catalog : "",
                   ref->database ? ref->database : "", ref->table);
    if (ref->system)
        pmn_buf_printf(&b, "$%s", ref->system);
    if (ref->snapshot_id > 0)
        pmn_buf_printf(&b, "@snapshot=%lld", (long long)ref->snapshot_id);
    if (ref->timestamp_millis > 0)
        pmn_buf_printf(&b, "@timestamp-millis=%lld", (long long)ref->timestamp_millis);
    if (ref->timestamp_text)
        pmn_buf_printf(&b, "@timestamp=%s", ref->timestamp_text);
    if (ref->tag)
        pmn_buf_printf(&b, "@tag=%s", ref->tag);
    if (ref->file_creation_millis > 0)
        pmn_buf_printf(&b, "@file-creation-time=%lld", (long long)ref->file_creation_millis);
    if (ref->mode)
        pmn_buf_printf(&b, "@mode=%s", ref->mode);
    size_t n;
    return (char *)pmn_buf_detach(&b, &n);
}

static void tref_dispose(pmn_sql_tref *ref)
{
    free(ref->catalog);
    free(ref->database);
    free(ref->table);
    free(ref->system);
    free(ref->timestamp_text);
    free(ref->tag);
    free(ref->mode);
    free(ref->vtab);
}

static void add_ref(rw *r, pmn_sql_tref *ref)
{
    for (size_t i = 0; i < r->res->nrefs; i++)
        if (!strcmp(r->res->refs[i].vtab, ref->vtab)) {
            tref_dispose(ref);
            return;
        }
    PMN_GROW(r->res->refs, r->refcap, r->res->nrefs + 1);
    r->res->refs[r->res->nrefs++] = *ref;
}

/* Parse the table reference whose first name token is toks[i]; returns the index after it. */
static int table_ref(rw *r, size_t i, size_t *next)
{
    char *parts[3] = {NULL, NULL, NULL};
    int n = 0;
    size_t start = r->toks[i].off;
    size_t j = i;
    int rc = 0;
    pmn_sql_tref ref;
    memset(&ref, 0, sizeof ref);
    for (;;) {
        if (n == 3) {
            rc =
                error_at(r, start, "a table name has at most three parts (catalog.database.table)");
            goto out;
        }
        parts[n++] = pmn_sql_ident_value(r->text, &r->toks[j]);
        size_t k = next_sig(r, j + 1);
        if (tok_punct(r, k, ".") && tok_name(r, next_sig(r, k + 1))) {
            j = next_sig(r, k + 1);
            continue;
        }
        j = k;
        break;
    }
    ref.off = start;
    ref.nparts = n;
    char *last = parts[n - 1];
    char *dollar = strchr(last, '$');
    if (dollar) {
        ref.system = pmn_xstrdup(dollar + 1);
        *dollar = '\0';
    }
    ref.table = pmn_xstrdup(last);
    if (n == 3) {
        ref.catalog = pmn_xstrdup(parts[0]);
        ref.database = pmn_xstrdup(parts[1]);
    } else if (n == 2) {
        ref.catalog = r->catalog ? pmn_xstrdup(r->catalog) : NULL;
        ref.database = pmn_xstrdup(parts[0]);
    } else {
        ref.catalog = r->catalog ? pmn_xstrdup(r->catalog) : NULL;
        ref.database = r->database ? pmn_xstrdup(r->database) : NULL;
    }
    /* modifiers: hints and FOR SYSTEM_TIME AS OF, in either order */
    for (;;) {
        if (j < r->ntoks && r->toks[j].kind == PMN_TK_HINT) {
            if ((rc = parse_hint(r, &r->toks[j], &ref)))
                goto out;
            j = next_sig(r, j + 1);
            continue;
        }
        if (tok_is(r, j, "FOR")) {
            size_t k = next_sig(r, j + 1);
            if (!tok_is(r, k, "SYSTEM_TIME")) {
                rc = error_at(r, r->toks[k < r->ntoks ? k : j].off,
                              "expected SYSTEM_TIME after FOR");
                goto out;
            }
            k = next_sig(r, k + 1);
            if (!tok_is(r, k, "AS") || !tok_is(r, next_sig(r, k + 1), "OF")) {
                rc = error_at(r, r->toks[j].off, "expected FOR SYSTEM_TIME AS OF TIMESTAMP '...'");
                goto out;
            }
            k = next_sig(r, next_sig(r, k + 1) + 1);
            if (tok_is(r, k, "TIMESTAMP"))
                k = next_sig(r, k + 1);
            if (k >= r->ntoks || r->toks[k].kind != PMN_TK_STRING) {
                rc = error_at(
                    r, k < r->ntoks ? r->toks[k].off : r->toks[j].off,
                    "FOR SYSTEM_TIME AS OF needs a literal TIMESTAMP 'yyyy-MM-dd HH:mm:ss'");
                goto out;
            }
            if (ref.snapshot_id || ref.timestamp_millis || ref.tag || ref.timestamp_text ||
                ref.file_creation_millis || ref.mode) {
                rc = error_at(r, r->toks[j].off,
                              "FOR SYSTEM_TIME AS OF cannot be combined with a scan.* hint");
                goto out;
            }
            ref.timestamp_text = pmn_sql_ident_value(r->text, &r->toks[k]);
            j = next_sig(r, k + 1);
            continue;
        }
        break;
    }
    /* alias */
    char *alias = NULL;
    if (tok_is(r, j, "AS") && tok_name(r, next_sig(r, j + 1))) {
        j = next_sig(r, j + 1);
        alias = pmn_sql_ident_value(r->text, &r->toks[j]);
        j++;
    } else if (tok_name(r, j) && !is_clause_word(r, j)) {
        alias = pmn_sql_ident_value(r->text, &r->toks[j]);
        j++;
    }
    ref.vtab = vtab_name(&ref);
    mark(r, start);
    emit_quoted(&r->out, ref.vtab);
    pmn_buf_puts(&r->out, " AS ");
    if (alias) {
        emit_quoted(&r->out, alias);
        free(alias);
    } else {
        char *dflt =
            ref.system ? pmn_xasprintf("%s$%s", ref.table, ref.system) : pmn_xstrdup(ref.table);
        emit_quoted(&r->out, dflt);
        free(dflt);
    }
    add_ref(r, &ref);
    memset(&ref, 0, sizeof ref);
    *next = j;
out:
    tref_dispose(&ref);
    for (int k = 0; k < n; k++)
        free(parts[k]);
    return rc;
}

/* ---- CAST types ---- */

static const char *sqlite_type_for(const char *flink_type)
{
    static const struct {
        const char *flink;
        const char *sqlite;
    } map[] = {{"STRING", "TEXT"},     {"VARCHAR", "TEXT"},      {"CHAR", "TEXT"},
               {"CHARACTER", "TEXT"},  {"TINYINT", "INTEGER"},   {"SMALLINT", "INTEGER"},
               {"INT", "INTEGER"},     {"INTEGER", "INTEGER"},   {"BIGINT", "INTEGER"},
               {"BOOLEAN", "INTEGER"}, {"FLOAT", "REAL"},        {"DOUBLE", "REAL"},
               {"REAL", "REAL"},       {"DECIMAL", "REAL"},      {"DEC", "REAL"},
               {"NUMERIC", "REAL"},    {"BYTES", "BLOB"},        {"BINARY", "BLOB"},
               {"VARBINARY", "BLOB"},  {"DATE", "TEXT"},         {"TIME", "TEXT"},
               {"TIMESTAMP", "TEXT"},  {"TIMESTAMP_LTZ", "TEXT"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(map[i].flink, flink_type))
            return map[i].sqlite;
    return NULL;
}

/* ---- EXPR$n names for the outermost SELECT list ---- */

static bool is_expr_end_word(const rw *r, size_t i)
{
    return tok_is(r, i, "END") || tok_is(r, i, "NULL") || tok_is(r, i, "TRUE") ||
           tok_is(r, i, "FALSE") || tok_is(r, i, "UNKNOWN");
}

/* Decide for the item toks[first..last] (significant bounds) whether it needs a name. */
static void name_item(rw *r, size_t first, size_t last, int pos)
{
    size_t sig[8];
    int nsig = 0;
    for (size_t i = first; i <= last && nsig < 8; i++)
        if (significant(&r->toks[i]))
            sig[nsig++] = i;
    bool count_more = false;
    for (size_t i = (nsig ? sig[nsig - 1] : first) + 1; i <= last; i++)
        if (significant(&r->toks[i]))
            count_more = true;
    if (nsig == 0)
        return;
    size_t lt = count_more ? last : sig[nsig - 1];
    if (!count_more) {
        /* plain column, t.col, db.t.col, *, t.* */
        bool plain = true;
        for (int k = 0; k < nsig; k++) {
            bool want_name = (k % 2) == 0;
            if (want_name ? !(tok_name(r, sig[k]) || tok_punct(r, sig[k], "*"))
                          : !tok_punct(r, sig[k], "."))
                plain = false;
        }
        if (plain && (nsig % 2) == 1 && !is_expr_end_word(r, sig[0]))
            return;
    }
    /* explicit or implicit alias: last token a name that is not an expression keyword */
    if (tok_name(r, lt) && !is_expr_end_word(r, lt)) {
        size_t prev = lt;
        while (prev > first) {
            prev--;
            if (significant(&r->toks[prev]))
                break;
        }
        if (prev != lt) {
            const pmn_sql_tok *p = &r->toks[prev];
            if (tok_is(r, prev, "AS") || tok_punct(r, prev, ")") || p->kind == PMN_TK_IDENT ||
                p->kind == PMN_TK_QIDENT || p->kind == PMN_TK_NUMBER || p->kind == PMN_TK_STRING)
                return;
        }
    }
    r->after[lt] = pmn_xasprintf(" AS \"EXPR$%d\"", pos);
}

static void plan_expr_names(rw *r)
{
    int depth = 0;
    size_t i = 0;
    for (; i < r->ntoks; i++) {
        if (tok_punct(r, i, "("))
            depth++;
        else if (tok_punct(r, i, ")"))
            depth--;
        else if (depth == 0 && tok_is(r, i, "SELECT"))
            break;
    }
    if (i >= r->ntoks)
        return;
    i = next_sig(r, i + 1);
    if (tok_is(r, i, "DISTINCT") || tok_is(r, i, "ALL"))
        i = next_sig(r, i + 1);
    size_t first = i;
    int pos = 0;
    depth = 0;
    for (; i <= r->ntoks; i++) {
        bool end = i == r->ntoks ||
                   (depth == 0 &&
                    (tok_is(r, i, "FROM") || tok_is(r, i, "UNION") || tok_is(r, i, "WHERE") ||
                     tok_is(r, i, "ORDER") || tok_is(r, i, "LIMIT") || tok_is(r, i, "GROUP") ||
                     tok_is(r, i, "EXCEPT") || tok_is(r, i, "INTERSECT")));
        if (end || (depth == 0 && tok_punct(r, i, ","))) {
            size_t last = i;
            while (last > first && !significant(&r->toks[last - 1]))
                last--;
            if (last > first)
                name_item(r, first, last - 1, pos);
            pos++;
            first = next_sig(r, i + 1);
            if (end)
                return;
            continue;
        }
        if (tok_punct(r, i, "(") || tok_punct(r, i, "["))
            depth++;
        else if (tok_punct(r, i, ")") || tok_punct(r, i, "]"))
            depth--;
    }
}

/* ---- WITH names ---- */

static size_t skip_parens(const rw *r, size_t i)
{
    int d = 0;
    for (; i < r->ntoks; i++) {
        if (tok_punct(r, i, "("))
            d++;
        else if (tok_punct(r, i, ")") && --d == 0)
            return next_sig(r, i + 1);
    }
    return i;
}

static void collect_ctes(rw *r)
{
    size_t i = next_sig(r, 0);
    if (!tok_is(r, i, "WITH"))
        return;
    size_t cap = 0;
    i = next_sig(r, i + 1);
    if (tok_is(r, i, "RECURSIVE"))
        i = next_sig(r, i + 1);
    while (tok_name(r, i)) {
        PMN_GROW(r->ctes, cap, r->nctes + 1);
        r->ctes[r->nctes++] = pmn_sql_ident_value(r->text, &r->toks[i]);
        i = next_sig(r, i + 1);
        if (tok_punct(r, i, "("))
            i = skip_parens(r, i);
        if (!tok_is(r, i, "AS"))
            return;
        i = skip_parens(r, next_sig(r, i + 1));
        if (!tok_punct(r, i, ","))
            return;
        i = next_sig(r, i + 1);
    }
}

static bool is_cte(const rw *r, size_t i)
{
    size_t nx = next_sig(r, i + 1);
    if (tok_punct(r, nx, "."))
        return false;
    char *v = pmn_sql_ident_value(r->text, &r->toks[i]);
    bool found = false;
    for (size_t k = 0; k < r->nctes && !found; k++)
        found = !strcasecmp(r->ctes[k], v);
    free(v);
    return found;
}

/* ---- (VALUES ...) AS t(a, b) ---- */

/* toks[close] is the ) of a FROM item (VALUES ...) whose ( was written at output offset
 * open_at. If [AS] t(a, b, ...) follows, SQLite (which names VALUES columns column1, ...)
 * gets (SELECT column1 AS "a", column2 AS "b" FROM (VALUES ...)) AS "t"; *after = the token
 * after the column list. */
static bool values_alias(rw *r, size_t close, size_t open_at, size_t *after)
{
    size_t k = next_sig(r, close + 1);
    if (tok_is(r, k, "AS"))
        k = next_sig(r, k + 1);
    if (!tok_name(r, k) || is_clause_word(r, k) || !tok_punct(r, next_sig(r, k + 1), "("))
        return false;
    size_t alias = k;
    pmn_buf prefix = PMN_BUF_INIT;
    pmn_buf_puts(&prefix, "(SELECT ");
    int n = 0;
    for (k = next_sig(r, next_sig(r, k + 1) + 1);; k = next_sig(r, k + 1)) {
        if (!tok_name(r, k)) {
            pmn_buf_dispose(&prefix);
            return false;
        }
        char *col = pmn_sql_ident_value(r->text, &r->toks[k]);
        pmn_buf_printf(&prefix, "%scolumn%d AS ", n ? ", " : "", n + 1);
        emit_quoted(&prefix, col);
        free(col);
        n++;
        k = next_sig(r, k + 1);
        if (tok_punct(r, k, ")"))
            break;
        if (!tok_punct(r, k, ",")) {
            pmn_buf_dispose(&prefix);
            return false;
        }
    }
    pmn_buf_puts(&prefix, " FROM ");
    /* insert the prefix before the VALUES item's ( and shift the offset map past it */
    size_t plen = prefix.len;
    pmn_buf_reserve(&r->out, plen);
    memmove(r->out.data + open_at + plen, r->out.data + open_at, r->out.len - open_at);
    memcpy(r->out.data + open_at, prefix.data, plen);
    r->out.len += plen;
    r->out.data[r->out.len] = '\0';
    for (size_t m = 0; m < r->res->nmap; m++)
        if (r->res->map_out[m] > open_at)
            r->res->map_out[m] += plen;
    pmn_buf_dispose(&prefix);
    pmn_buf_puts(&r->out, ")) AS ");
    char *a = pmn_sql_ident_value(r->text, &r->toks[alias]);
    emit_quoted(&r->out, a);
    free(a);
    *after = k + 1;
    return true;
}

/* ---- element access, JSON clauses, CAST to DOUBLE ---- */

static size_t prev_sig(const rw *r, size_t i)
{
    while (i > 0) {
        i--;
        if (significant(&r->toks[i]))
            return i;
    }
    return SIZE_MAX;
}

/* The token matching the closer at `close` (")" or "]"), searching backwards. */
static size_t match_back(const rw *r, size_t close, const char *open, const char *closer)
{
    int d = 0;
    for (size_t i = close + 1; i-- > 0;) {
        if (tok_punct(r, i, closer))
            d++;
        else if (tok_punct(r, i, open) && --d == 0)
            return i;
    }
    return SIZE_MAX;
}

/* Words before "(" that make it a parenthesized expression, not a function call. */
static bool is_expr_keyword(const rw *r, size_t i)
{
    static const char *const words[] = {
        "SELECT",  "WHERE",  "AND", "OR",  "NOT",  "ON",     "WHEN",     "THEN", "ELSE",
        "BY",      "HAVING", "IN",  "AS",  "FROM", "CASE",   "DISTINCT", "IS",   "LIKE",
        "BETWEEN", "RETURN", "ALL", "ANY", "SOME", "EXISTS", NULL};
    for (int k = 0; words[k]; k++)
        if (tok_is(r, i, words[k]))
            return true;
    return false;
}

/* First token of the operand that ends at token `last` and is followed by "[": a column
 * (t.col), a call f(...), (expr), ARRAY[...] / MAP[...], a literal, or another x[i].
 * SIZE_MAX if there is none. */
static size_t operand_start(const rw *r, size_t last)
{
    if (last == SIZE_MAX)
        return SIZE_MAX;
    if (tok_punct(r, last, ")")) {
        size_t o = match_back(r, last, "(", ")");
        size_t p = o == SIZE_MAX ? SIZE_MAX : prev_sig(r, o);
        if (p != SIZE_MAX && r->toks[p].kind == PMN_TK_IDENT && !is_expr_keyword(r, p))
            return p;
        return o;
    }
    if (tok_punct(r, last, "]")) {
        size_t o = match_back(r, last, "[", "]");
        size_t p = o == SIZE_MAX ? SIZE_MAX : prev_sig(r, o);
        if (p != SIZE_MAX && (tok_is(r, p, "ARRAY") || tok_is(r, p, "MAP")))
            return p;
        return operand_start(r, p);
    }
    if (tok_name(r, last) && !is_expr_keyword(r, last)) {
        size_t cur = last;
        for (;;) {
            size_t dot = prev_sig(r, cur);
            size_t name = dot == SIZE_MAX ? SIZE_MAX : prev_sig(r, dot);
            if (!tok_punct(r, dot, ".") || name == SIZE_MAX || !tok_name(r, name))
                return cur;
            cur = name;
        }
    }
    if (r->toks[last].kind == PMN_TK_STRING || r->toks[last].kind == PMN_TK_NUMBER)
        return last;
    return SIZE_MAX;
}

/* Insert `text` at output offset `pos`, moving the offsets recorded after it. */
static void insert_out(rw *r, size_t pos, const char *text, size_t *open_out, int depth)
{
    size_t n = strlen(text);
    pmn_buf_reserve(&r->out, n);
    memmove(r->out.data + pos + n, r->out.data + pos, r->out.len - pos);
    memcpy(r->out.data + pos, text, n);
    r->out.len += n;
    r->out.data[r->out.len] = '\0';
    for (size_t m = 0; m < r->res->nmap; m++)
        if (r->res->map_out[m] > pos)
            r->res->map_out[m] += n;
    for (size_t k = 0; k < r->ntoks; k++)
        if (r->tok_out[k] != SIZE_MAX && r->tok_out[k] >= pos)
            r->tok_out[k] += n;
    for (int d = 0; d <= depth; d++)
        if (open_out[d] > pos)
            open_out[d] += n;
}

/* The type word of CAST( at token `open` (the "(" ), or SIZE_MAX. */
static size_t cast_type(const rw *r, size_t open)
{
    int d = 0;
    for (size_t k = open; k < r->ntoks; k++) {
        if (tok_punct(r, k, "("))
            d++;
        else if (tok_punct(r, k, ")") && --d == 0)
            return SIZE_MAX;
        else if (d == 1 && tok_is(r, k, "AS"))
            return next_sig(r, k + 1);
    }
    return SIZE_MAX;
}

/* Inside JSON_VALUE/QUERY/EXISTS( ... ): if toks[i] starts a clause, append it as a string
 * argument (", 'NULL ON EMPTY'") and set *next after it. DEFAULT x ON EMPTY becomes
 * ", 'DEFAULT ON EMPTY', x" with the trailing ON EMPTY dropped. */
static bool json_clause(rw *r, size_t i, size_t *next)
{
    size_t k = next_sig(r, i + 1);
    pmn_buf words = PMN_BUF_INIT;
    bool ok = false;
    if (tok_is(r, i, "RETURNING") && tok_name(r, k)) {
        char *type = pmn_sql_ident_value(r->text, &r->toks[k]);
        pmn_buf_printf(&words, "RETURNING %s", type);
        free(type);
        k = next_sig(r, k + 1);
        if (tok_is(r, k, "PRECISION")) /* DOUBLE PRECISION */
            k = next_sig(r, k + 1);
        if (tok_punct(r, k, "(")) { /* VARCHAR(100), DECIMAL(10, 2): parameters dropped */
            while (k < r->ntoks && !tok_punct(r, k, ")"))
                k++;
            k = next_sig(r, k + 1);
        }
        ok = true;
    } else if (tok_is(r, i, "WITH") || tok_is(r, i, "WITHOUT")) {
        size_t j = i;
        while (j < r->ntoks && tok_name(r, j)) {
            char *w = pmn_sql_ident_value(r->text, &r->toks[j]);
            pmn_buf_printf(&words, "%s%s", words.len ? " " : "", w);
            free(w);
            bool last = tok_is(r, j, "WRAPPER");
            j = next_sig(r, j + 1);
            if (last) {
                ok = true;
                break;
            }
        }
        k = j;
    } else if (tok_is(r, i, "DEFAULT")) {
        int d = 0;
        for (size_t j = k; j < r->ntoks; j++) {
            if (tok_punct(r, j, "("))
                d++;
            else if (tok_punct(r, j, ")") && --d < 0)
                break;
            size_t w = next_sig(r, j + 1);
            if (d == 0 && tok_is(r, j, "ON") && (tok_is(r, w, "EMPTY") || tok_is(r, w, "ERROR"))) {
                pmn_buf_printf(&r->out, ", 'DEFAULT ON %s', ",
                               tok_is(r, w, "EMPTY") ? "EMPTY" : "ERROR");
                r->drop[j] = r->drop[w] = true;
                *next = k;
                return true;
            }
        }
    } else {
        size_t on = k;
        const char *what = NULL;
        if (tok_is(r, i, "EMPTY") && (tok_is(r, k, "ARRAY") || tok_is(r, k, "OBJECT"))) {
            what = tok_is(r, k, "ARRAY") ? "EMPTY ARRAY" : "EMPTY OBJECT";
            on = next_sig(r, k + 1);
        } else if (tok_is(r, i, "NULL") || tok_is(r, i, "ERROR") || tok_is(r, i, "TRUE") ||
                   tok_is(r, i, "FALSE") || tok_is(r, i, "UNKNOWN")) {
            what = tok_is(r, i, "NULL")    ? "NULL"
                   : tok_is(r, i, "ERROR") ? "ERROR"
                   : tok_is(r, i, "TRUE")  ? "TRUE"
                   : tok_is(r, i, "FALSE") ? "FALSE"
                                           : "UNKNOWN";
        }
        size_t w = next_sig(r, on + 1);
        if (what && tok_is(r, on, "ON") && (tok_is(r, w, "EMPTY") || tok_is(r, w, "ERROR"))) {
            pmn_buf_printf(&words, "%s ON %s", what, tok_is(r, w, "EMPTY") ? "EMPTY" : "ERROR");
            k = next_sig(r, w + 1);
            ok = true;
        }
    }
    if (ok) {
        pmn_buf_puts(&r->out, ", '");
        for (const char *p = pmn_buf_cstr(&words); *p; p++) {
            if (*p == '\'')
                pmn_buf_putc(&r->out, '\'');
            pmn_buf_putc(&r->out, (uint8_t)*p);
        }
        pmn_buf_putc(&r->out, '\'');
        *next = k;
    }
    pmn_buf_dispose(&words);
    return ok;
}

/* A number literal with more than 15 significant digits (DECIMAL in Flink, REAL in SQLite). */
static bool long_decimal_literal(const rw *r, size_t i)
{
    const pmn_sql_tok *t = &r->toks[i];
    if (t->kind != PMN_TK_NUMBER)
        return false;
    int digits = 0;
    bool lead = true;
    for (size_t k = 0; k < t->len; k++) {
        char c = r->text[t->off + k];
        if (c == 'e' || c == 'E')
            return false;
        if (c >= '1' && c <= '9')
            lead = false;
        if (isdigit((unsigned char)c) && !lead)
            digits++;
    }
    return digits > 15;
}

/* ---- main pass ---- */

static int rewrite(rw *r)
{
    int state[MAX_DEPTH] = {0};
    bool from_paren[MAX_DEPTH] = {0};  /* the ( at this depth opened a FROM item */
    int fn[MAX_DEPTH] = {0};           /* FN_* of the function whose ( opened this depth */
    size_t open_out[MAX_DEPTH] = {0};  /* output offset of the ( that opened this depth */
    bool values[MAX_DEPTH] = {0};      /* this depth is a FROM item (VALUES ...) */
    int pending_fn = FN_NONE;          /* FN_* for the next ( (set by the function name) */
    int cast_depth[MAX_DEPTH] = {0};   /* depth of open CAST( parentheses; 0 = none */
    bool cast_double[MAX_DEPTH] = {0}; /* that CAST is CAST(x AS DOUBLE/FLOAT) */
    int ncast = 0;
    int depth = 0;
    bool bracket_call[MAX_DEPTH] = {0}; /* [ opened by ARRAY[ / MAP[: its ] closes a call */
    int bracket_ctor[MAX_DEPTH] = {0};  /* paren depth + 1 of an ARRAY[ / MAP[, else 0 */
    int nbrackets = 0;
    state[0] = ST_NONE;
    from_paren[0] = false;
    fn[0] = FN_NONE;
    size_t i = 0;
    while (i < r->ntoks) {
        const pmn_sql_tok *t = &r->toks[i];
        size_t tnext = i + 1;
        if (t->kind == PMN_TK_SPACE || t->kind == PMN_TK_COMMENT) {
            mark(r, t->off);
            pmn_buf_put(&r->out, r->text + t->off, t->len);
            if (t->kind == PMN_TK_COMMENT && r->text[t->off] == '-')
                pmn_buf_putc(&r->out, '\n');
            i++;
            continue;
        }
        if (t->kind == PMN_TK_ERROR)
            return error_at(r, t->off, "unterminated quote or comment");
        if (t->kind == PMN_TK_HINT) {
            pmn_buf_putc(&r->out, ' ');
            i++;
            continue;
        }
        if (r->drop[i]) {
            i++;
            continue;
        }
        if (state[depth] == ST_EXPECT_TABLE && tok_name(r, i) && is_cte(r, i)) {
            state[depth] = ST_AFTER_TABLE;
        } else if (state[depth] == ST_EXPECT_TABLE && tok_name(r, i) &&
                   !tok_punct(r, next_sig(r, i + 1), "(") && !tok_is(r, i, "LATERAL")) {
            int rc = table_ref(r, i, &tnext);
            if (rc)
                return rc;
            state[depth] = ST_AFTER_TABLE;
            for (size_t k = i; k < tnext; k++)
                if (r->after[k])
                    pmn_buf_puts(&r->out, r->after[k]);
            if (tnext > i && !significant(&r->toks[tnext - 1]))
                tnext--;
            i = tnext;
            continue;
        }
        mark(r, t->off);
        r->tok_out[i] = r->out.len;
        if (t->kind == PMN_TK_PUNCT) {
            int opening_fn = pending_fn;
            pending_fn = FN_NONE;
            if (tok_punct(r, i, "(")) {
                pending_fn = opening_fn;
                if (depth + 1 >= MAX_DEPTH)
                    return error_at(r, t->off, "parentheses nested too deeply");
                depth++;
                from_paren[depth] = state[depth - 1] == ST_EXPECT_TABLE;
                state[depth] = ST_NONE;
                fn[depth] = pending_fn;
                pending_fn = FN_NONE;
                open_out[depth] = r->out.len;
                values[depth] = from_paren[depth] && tok_is(r, next_sig(r, i + 1), "VALUES");
            } else if (tok_punct(r, i, ")")) {
                if (ncast && cast_depth[ncast - 1] == depth)
                    ncast--;
                if (depth > 0 && values[depth]) {
                    size_t after;
                    if (values_alias(r, i, open_out[depth], &after)) {
                        from_paren[depth] = false;
                        state[depth - 1] = ST_AFTER_TABLE;
                        depth--;
                        i = after;
                        continue;
                    }
                }
                if (depth > 0) {
                    if (from_paren[depth])
                        state[depth - 1] = ST_AFTER_TABLE;
                    depth--;
                }
            } else if (tok_punct(r, i, ",") && state[depth] == ST_AFTER_TABLE) {
                state[depth] = ST_EXPECT_TABLE;
            } else if (tok_punct(r, i, "[")) {
                /* element access x[i] / m[k] -> pmn_item(x, i) (sql/functions.c) */
                size_t start = operand_start(r, prev_sig(r, i));
                if (start == SIZE_MAX || r->tok_out[start] == SIZE_MAX || start >= i)
                    return error_at(r, t->off, "[ must follow an ARRAY or MAP value");
                if (nbrackets >= MAX_DEPTH)
                    return error_at(r, t->off, "brackets nested too deeply");
                insert_out(r, r->tok_out[start], "pmn_item(", open_out, depth);
                bracket_ctor[nbrackets] = 0;
                bracket_call[nbrackets++] = true;
                pmn_buf_puts(&r->out, ", ");
                i = tnext;
                continue;
            } else if (tok_punct(r, i, "]") && nbrackets > 0 && bracket_call[--nbrackets]) {
                pmn_buf_putc(&r->out, ')');
                if (r->after[i])
                    pmn_buf_puts(&r->out, r->after[i]);
                i = tnext;
                continue;
            }
            pmn_buf_put(&r->out, r->text + t->off, t->len);
        } else if (t->kind == PMN_TK_QIDENT) {
            char *v = pmn_sql_ident_value(r->text, t);
            emit_quoted(&r->out, v);
            free(v);
        } else if (t->kind == PMN_TK_IDENT) {
            size_t nx = next_sig(r, i + 1);
            bool before_paren = tok_punct(r, nx, "(");
            size_t unit = next_sig(r, nx + 1);
            char *uname = before_paren && tok_is(r, i, "EXTRACT") && tok_name(r, unit)
                              ? pmn_sql_ident_value(r->text, &r->toks[unit])
                              : NULL;
            const char *xfn = uname ? extract_function(uname) : NULL;
            free(uname);
            if (xfn && tok_is(r, next_sig(r, unit + 1), "FROM")) {
                /* EXTRACT(YEAR FROM x) -> year(x) */
                if (depth + 1 >= MAX_DEPTH)
                    return error_at(r, t->off, "parentheses nested too deeply");
                pmn_buf_printf(&r->out, "%s(", xfn);
                depth++;
                from_paren[depth] = false;
                values[depth] = false;
                open_out[depth] = r->out.len;
                state[depth] = ST_NONE;
                fn[depth] = FN_OTHER;
                tnext = next_sig(r, unit + 1) + 1;
            } else if (fn[depth] == FN_JSON && json_clause(r, i, &tnext)) {
                /* clause appended as a string argument */
            } else if (fn[depth] != FN_NONE && fn[depth] != FN_JSON &&
                       (tok_is(r, i, "FROM") || tok_is(r, i, "FOR") || tok_is(r, i, "IN"))) {
                /* SUBSTRING(s FROM a FOR b) -> substring(s, a, b); POSITION(a IN b) -> locate(a, b)
                 */
                if ((fn[depth] == FN_SUBSTRING && !tok_is(r, i, "IN")) ||
                    (fn[depth] == FN_POSITION && tok_is(r, i, "IN")))
                    pmn_buf_putc(&r->out, ',');
                else
                    pmn_buf_put(&r->out, r->text + t->off, t->len);
            } else if (tok_is(r, i, "FROM") || tok_is(r, i, "JOIN")) {
                state[depth] = ST_EXPECT_TABLE;
                pmn_buf_put(&r->out, r->text + t->off, t->len);
            } else if (tok_is(r, i, "WHERE") || tok_is(r, i, "ON") || tok_is(r, i, "GROUP") ||
                       tok_is(r, i, "ORDER") || tok_is(r, i, "HAVING") || tok_is(r, i, "LIMIT") ||
                       tok_is(r, i, "UNION") || tok_is(r, i, "EXCEPT") ||
                       tok_is(r, i, "INTERSECT") || tok_is(r, i, "SELECT") ||
                       tok_is(r, i, "USING")) {
                state[depth] = ST_NONE;
                pmn_buf_put(&r->out, r->text + t->off, t->len);
            } else if ((tok_is(r, i, "TIMESTAMP") || tok_is(r, i, "TIME")) && nx < r->ntoks &&
                       r->toks[nx].kind == PMN_TK_STRING) {
                /* typed literal: the vtab's canonical text (T -> space, no trailing zeros in
                 * the fraction) so = and < compare with column values */
                char *v = pmn_sql_ident_value(r->text, &r->toks[nx]);
                size_t n = strlen(v);
                if (n > 10 && v[10] == 'T')
                    v[10] = ' ';
                char *dot = strchr(v, '.');
                if (dot) {
                    while (n > 0 && v[n - 1] == '0')
                        v[--n] = '\0';
                    if (v[n - 1] == '.')
                        v[--n] = '\0';
                }
                pmn_buf_putc(&r->out, '\'');
                for (const char *p = v; *p; p++) {
                    if (*p == '\'')
                        pmn_buf_putc(&r->out, '\'');
                    pmn_buf_putc(&r->out, (uint8_t)*p);
                }
                pmn_buf_putc(&r->out, '\'');
                free(v);
                tnext = nx + 1;
            } else if (tok_is(r, i, "DATE") && nx < r->ntoks && r->toks[nx].kind == PMN_TK_STRING) {
                /* typed literal: keep only the string */
            } else if (ncast && cast_depth[ncast - 1] == depth && tok_is(r, i, "AS")) {
                /* CAST(x AS type): map the type, drop its parameters; pmn_to_double(x) drops
                 * the whole AS DOUBLE */
                size_t k = nx;
                char *word = k < r->ntoks ? pmn_sql_ident_value(r->text, &r->toks[k]) : NULL;
                const char *mapped = word ? sqlite_type_for(word) : NULL;
                if (!cast_double[ncast - 1])
                    pmn_buf_puts(&r->out, "AS ");
                if (mapped) {
                    if (!cast_double[ncast - 1])
                        pmn_buf_puts(&r->out, mapped);
                    /* skip the Flink type up to the closing parenthesis of CAST */
                    int d = 0;
                    k++;
                    while (k < r->ntoks) {
                        if (tok_punct(r, k, "("))
                            d++;
                        else if (tok_punct(r, k, ")")) {
                            if (d == 0)
                                break;
                            d--;
                        }
                        k++;
                    }
                    tnext = k;
                } else {
                    tnext = nx;
                }
                free(word);
            } else if (before_paren && tok_is(r, i, "CAST")) {
                /* CAST(x AS DOUBLE | FLOAT | REAL) -> pmn_to_double(x): Flink's parsing of
                 * 'NaN', 'Infinity' (sql/functions.c) */
                size_t ty = cast_type(r, nx);
                bool dbl = ty != SIZE_MAX && (tok_is(r, ty, "DOUBLE") || tok_is(r, ty, "FLOAT") ||
                                              tok_is(r, ty, "REAL"));
                if (ncast < MAX_DEPTH) {
                    cast_double[ncast] = dbl;
                    cast_depth[ncast++] = depth + 1;
                }
                if (dbl && ncast <= MAX_DEPTH)
                    pmn_buf_puts(&r->out, "pmn_to_double");
                else
                    pmn_buf_put(&r->out, r->text + t->off, t->len);
            } else if (before_paren && (tok_is(r, i, "JSON_VALUE") || tok_is(r, i, "JSON_QUERY") ||
                                        tok_is(r, i, "JSON_EXISTS"))) {
                pending_fn = FN_JSON;
                pmn_buf_puts(&r->out, tok_is(r, i, "JSON_VALUE")   ? "pmn_json_value"
                                      : tok_is(r, i, "JSON_QUERY") ? "pmn_json_query"
                                                                   : "pmn_json_exists");
                for (size_t k = i; k < tnext; k++)
                    if (r->after[k])
                        pmn_buf_puts(&r->out, r->after[k]);
                i = tnext;
                continue;
            } else if (before_paren && (tok_is(r, i, "SUBSTRING") || tok_is(r, i, "TRIM") ||
                                        tok_is(r, i, "OVERLAY"))) {
                pending_fn = tok_is(r, i, "SUBSTRING") ? FN_SUBSTRING : FN_OTHER;
                pmn_buf_put(&r->out, r->text + t->off, t->len);
                for (size_t k = i; k < tnext; k++)
                    if (r->after[k])
                        pmn_buf_puts(&r->out, r->after[k]);
                i = tnext;
                continue;
            } else if (before_paren && tok_is(r, i, "POSITION")) {
                pending_fn = FN_POSITION;
                pmn_buf_puts(&r->out, "locate");
                i = tnext;
                continue;
            } else if ((tok_is(r, i, "ARRAY") || tok_is(r, i, "MAP")) && tok_punct(r, nx, "[") &&
                       nbrackets < MAX_DEPTH) {
                /* ARRAY[a, b] -> json_array(a, b); MAP[k, v, ...] -> json_object(k, v, ...) */
                pmn_buf_puts(&r->out, tok_is(r, i, "ARRAY") ? "json_array(" : "json_object(");
                bracket_ctor[nbrackets] = depth + 1;
                bracket_call[nbrackets++] = true;
                tnext = nx + 1;
            } else if (before_paren && tok_is(r, i, "ROW")) {
                pmn_buf_puts(&r->out, "json_array");
            } else if (!before_paren &&
                       (tok_is(r, i, "CURRENT_TIMESTAMP") || tok_is(r, i, "LOCALTIMESTAMP"))) {
                pmn_buf_puts(&r->out, "now()"); /* local time, as Flink's session time zone */
            } else if (!before_paren && tok_is(r, i, "CURRENT_DATE")) {
                pmn_buf_puts(&r->out, "date('now', 'localtime')");
            } else if (!before_paren && tok_is(r, i, "CURRENT_TIME")) {
                pmn_buf_puts(&r->out, "time('now', 'localtime')");
            } else if (before_paren && tok_is(r, i, "IF")) {
                pmn_buf_puts(&r->out, "iif");
            } else if (before_paren &&
                       (tok_is(r, i, "CHAR_LENGTH") || tok_is(r, i, "CHARACTER_LENGTH"))) {
                pmn_buf_puts(&r->out, "length");
            } else if (before_paren && tok_is(r, i, "LISTAGG")) {
                pmn_buf_puts(&r->out, "group_concat");
            } else {
                char *v = pmn_sql_ident_value(r->text, t);
                if (strchr(v, '$'))
                    emit_quoted(&r->out, v);
                else
                    pmn_buf_puts(&r->out, v);
                free(v);
            }
        } else if (long_decimal_literal(r, i) && nbrackets > 0 &&
                   bracket_ctor[nbrackets - 1] == depth + 1) {
            /* an element of ARRAY[...] / MAP[...]: SQLite's json_array() would print a REAL
             * with 15 digits, a JSON string keeps them all (sql/value.c reads either) */
            size_t p = prev_sig(r, i);
            size_t pp = p == SIZE_MAX ? SIZE_MAX : prev_sig(r, p);
            bool neg = tok_punct(r, p, "-") && r->tok_out[p] != SIZE_MAX &&
                       (tok_punct(r, pp, ",") || tok_punct(r, pp, "[")) &&
                       r->out.data[r->tok_out[p]] == '-';
            if (neg)
                r->out.data[r->tok_out[p]] = ' ';
            pmn_buf_printf(&r->out, "'%s", neg ? "-" : "");
            pmn_buf_put(&r->out, r->text + t->off, t->len);
            pmn_buf_putc(&r->out, '\'');
        } else if (long_decimal_literal(r, i)) {
            /* exact digits for INSERT and DECIMAL output (sql/value.h, pmn_sql_exact) */
            pmn_buf_puts(&r->out, "pmn_decimal('");
            pmn_buf_put(&r->out, r->text + t->off, t->len);
            pmn_buf_puts(&r->out, "')");
        } else {
            pmn_buf_put(&r->out, r->text + t->off, t->len);
        }
        for (size_t k = i; k < tnext; k++)
            if (r->after[k])
                pmn_buf_puts(&r->out, r->after[k]);
        i = tnext;
    }
    return 0;
}

int pmn_sql_rewrite_query(const char *text, size_t len, const char *catalog, const char *database,
                          bool name_exprs, pmn_sql_rewrite *out)
{
    return pmn_sql_rewrite_query_at(text, 0, len, catalog, database, name_exprs, out);
}

int pmn_sql_rewrite_query_at(const char *text, size_t start, size_t len, const char *catalog,
                             const char *database, bool name_exprs, pmn_sql_rewrite *out)
{
    memset(out, 0, sizeof *out);
    rw r;
    memset(&r, 0, sizeof r);
    r.text = text;
    r.res = out;
    r.catalog = catalog;
    r.database = database;
    size_t cap = 0, off = start;
    for (;;) {
        pmn_sql_tok t = pmn_sql_lex(text, start + len, off);
        if (t.kind == PMN_TK_EOF)
            break;
        PMN_GROW(r.toks, cap, r.ntoks + 1);
        r.toks[r.ntoks++] = t;
        off = t.off + t.len;
    }
    r.after = pmn_xcalloc(r.ntoks + 1, sizeof(char *));
    r.drop = pmn_xcalloc(r.ntoks + 1, sizeof(bool));
    r.tok_out = pmn_xmalloc((r.ntoks + 1) * sizeof(size_t));
    for (size_t i = 0; i <= r.ntoks; i++)
        r.tok_out[i] = SIZE_MAX;
    collect_ctes(&r);
    if (name_exprs)
        plan_expr_names(&r);
    int rc = rewrite(&r);
    for (size_t i = 0; i <= r.ntoks; i++)
        free(r.after[i]);
    free(r.after);
    free(r.drop);
    free(r.tok_out);
    free(r.toks);
    for (size_t i = 0; i < r.nctes; i++)
        free(r.ctes[i]);
    free(r.ctes);
    if (rc) {
        pmn_buf_dispose(&r.out);
        pmn_sql_rewrite_dispose(out);
        return rc;
    }
    size_t n;
    out->sql = (char *)pmn_buf_detach(&r.out, &n);
    if (!out->sql)
        out->sql = pmn_xstrdup("");
    return 0;
}

size_t pmn_sql_rewrite_source_offset(const pmn_sql_rewrite *r, size_t out_off)
{
    /* pieces may have been rewritten to other lengths: answer the start of the piece */
    size_t best = 0;
    for (size_t i = 0; i < r->nmap && r->map_out[i] <= out_off; i++)
        best = r->map_in[i];
    return best;
}

void pmn_sql_rewrite_dispose(pmn_sql_rewrite *r)
{
    free(r->sql);
    for (size_t i = 0; i < r->nrefs; i++)
        tref_dispose(&r->refs[i]);
    free(r->refs);
    free(r->map_out);
    free(r->map_in);
    memset(r, 0, sizeof *r);
}
