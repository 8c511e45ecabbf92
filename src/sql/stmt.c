/*
 * src/sql/stmt.c
 *
 * Recursive-descent parser for the client-side statements; see stmt.h.
 */
#include "sql/stmt.h"

#include "sql/lexer.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cursor over the significant tokens (blanks, comments and hints skipped). */
typedef struct cursor {
    const char *text; /* statement text */
    size_t len;       /* its length */
    pmn_sql_tok tok;  /* current significant token (PMN_TK_EOF at the end) */
} cursor;

static void advance(cursor *c)
{
    size_t off = c->tok.off + c->tok.len;
    for (;;) {
        c->tok = pmn_sql_lex(c->text, c->len, off);
        if (c->tok.kind != PMN_TK_SPACE && c->tok.kind != PMN_TK_COMMENT &&
            c->tok.kind != PMN_TK_HINT)
            return;
        off = c->tok.off + c->tok.len;
    }
}

static void cursor_init(cursor *c, const char *text, size_t len)
{
    c->text = text;
    c->len = len;
    c->tok.kind = PMN_TK_SPACE;
    c->tok.off = 0;
    c->tok.len = 0;
    advance(c);
}

static bool is_kw(cursor *c, const char *w)
{
    return pmn_sql_tok_is(c->text, &c->tok, w);
}

static bool accept_kw(cursor *c, const char *w)
{
    if (!is_kw(c, w))
        return false;
    advance(c);
    return true;
}

static bool is_punct(cursor *c, const char *p)
{
    return pmn_sql_tok_punct(c->text, &c->tok, p);
}

static bool accept_punct(cursor *c, const char *p)
{
    if (!is_punct(c, p))
        return false;
    advance(c);
    return true;
}

static int syntax_error(cursor *c, const char *expected)
{
    int line, col;
    pmn_sql_position(c->text, c->tok.off, &line, &col);
    if (c->tok.kind == PMN_TK_EOF)
        return pmn_error_set(
            PMN_EINVALID, "syntax error at line %d, column %d: expected %s, found end of statement",
            line, col, expected);
    if (c->tok.kind == PMN_TK_ERROR)
        return pmn_error_set(PMN_EINVALID,
                             "syntax error at line %d, column %d: unterminated quote or comment",
                             line, col);
    int n = (int)(c->tok.len > 40 ? 40 : c->tok.len);
    return pmn_error_set(PMN_EINVALID,
                         "syntax error at line %d, column %d: expected %s, found \"%.*s\"", line,
                         col, expected, n, c->text + c->tok.off);
}

static int expect_kw(cursor *c, const char *w)
{
    if (accept_kw(c, w))
        return 0;
    return syntax_error(c, w);
}

static int expect_punct(cursor *c, const char *p)
{
    if (accept_punct(c, p))
        return 0;
    char what[16];
    snprintf(what, sizeof what, "\"%s\"", p);
    return syntax_error(c, what);
}

static int parse_ident(cursor *c, char **out)
{
    if (c->tok.kind != PMN_TK_IDENT && c->tok.kind != PMN_TK_QIDENT)
        return syntax_error(c, "a name");
    *out = pmn_sql_ident_value(c->text, &c->tok);
    advance(c);
    return 0;
}

static int parse_string(cursor *c, char **out)
{
    if (c->tok.kind != PMN_TK_STRING)
        return syntax_error(c, "a quoted string");
    *out = pmn_sql_ident_value(c->text, &c->tok);
    advance(c);
    return 0;
}

static int parse_name(cursor *c, pmn_sql_name *n)
{
    n->off = c->tok.off;
    for (;;) {
        if (n->nparts == 3)
            return syntax_error(c, "at most catalog.database.table");
        int rc = parse_ident(c, &n->parts[n->nparts]);
        if (rc)
            return rc;
        n->nparts++;
        if (!accept_punct(c, "."))
            return 0;
    }
}

/* ( 'k' = 'v', ... ) into s->options; with values=false: ( 'k', ... ) */
static int parse_option_list(cursor *c, pmn_sql_stmt *s, bool values)
{
    int rc = expect_punct(c, "(");
    if (rc)
        return rc;
    size_t cap = 0;
    if (accept_punct(c, ")"))
        return 0;
    for (;;) {
        PMN_GROW(s->options, cap, s->noptions + 1);
        pmn_sql_option *o = &s->options[s->noptions++];
        o->key = NULL;
        o->value = NULL;
        if ((rc = parse_string(c, &o->key)))
            return rc;
        if (values) {
            if ((rc = expect_punct(c, "=")) || (rc = parse_string(c, &o->value)))
                return rc;
        }
        if (accept_punct(c, ")"))
            return 0;
        if ((rc = expect_punct(c, ",")))
            return rc;
    }
}

/* PARTITION ( col = literal, ... ): a literal is a string, a number (optionally signed),
 * TRUE, FALSE or NULL, kept as its SQL text. */
static int parse_partition_spec(cursor *c, pmn_sql_stmt *s)
{
    int rc = expect_punct(c, "(");
    size_t cap = 0;
    while (rc == 0) {
        PMN_GROW(s->partition_spec, cap, s->npartition_spec + 1);
        pmn_sql_option *o = &s->partition_spec[s->npartition_spec++];
        o->key = o->value = NULL;
        if ((rc = parse_ident(c, &o->key)) || (rc = expect_punct(c, "=")))
            return rc;
        size_t off = c->tok.off;
        if (is_punct(c, "-") || is_punct(c, "+"))
            advance(c);
        if (c->tok.kind != PMN_TK_STRING && c->tok.kind != PMN_TK_NUMBER &&
            !is_kw(c, "TRUE") && !is_kw(c, "FALSE") && !is_kw(c, "NULL"))
            return syntax_error(c, "a literal partition value");
        o->value = pmn_xstrndup(c->text + off, c->tok.off + c->tok.len - off);
        advance(c);
        if (accept_punct(c, ")"))
            return 0;
        rc = expect_punct(c, ",");
    }
    return rc;
}

static int parse_name_list(cursor *c, char ***out, size_t *n)
{
    int rc = expect_punct(c, "(");
    if (rc)
        return rc;
    size_t cap = 0;
    for (;;) {
        PMN_GROW(*out, cap, *n + 1);
        if ((rc = parse_ident(c, &(*out)[*n])))
            return rc;
        (*n)++;
        if (accept_punct(c, ")"))
            return 0;
        if ((rc = expect_punct(c, ",")))
            return rc;
    }
}

static int expect_end(cursor *c)
{
    if (c->tok.kind == PMN_TK_EOF)
        return 0;
    return syntax_error(c, "end of statement");
}

static bool is_column_stop(cursor *c)
{
    return is_kw(c, "PRIMARY") || is_kw(c, "COMMENT") || is_kw(c, "CONSTRAINT");
}

/* One column definition; the type runs until , or ) at depth 0 or a column constraint. */
static int parse_column(cursor *c, pmn_sql_stmt *s, size_t *cap)
{
    PMN_GROW(s->columns, *cap, s->ncolumns + 1);
    pmn_sql_column *col = &s->columns[s->ncolumns++];
    memset(col, 0, sizeof *col);
    col->off = c->tok.off;
    int rc = parse_ident(c, &col->name);
    if (rc)
        return rc;
    if (is_kw(c, "AS"))
        return syntax_error(c, "a column type (computed columns are not supported)");
    size_t start = c->tok.off, end = start;
    int depth = 0;
    while (c->tok.kind != PMN_TK_EOF) {
        if (depth == 0 && (is_punct(c, ",") || is_punct(c, ")") || is_column_stop(c)))
            break;
        if (is_punct(c, "(") || is_punct(c, "<"))
            depth++;
        else if (is_punct(c, ")") || is_punct(c, ">"))
            depth--;
        end = c->tok.off + c->tok.len;
        advance(c);
    }
    if (end == start)
        return syntax_error(c, "a column type");
    col->type_sql = pmn_xstrndup(c->text + start, end - start);
    for (;;) {
        if (accept_kw(c, "PRIMARY")) {
            if ((rc = expect_kw(c, "KEY")) || (rc = expect_kw(c, "NOT")) ||
                (rc = expect_kw(c, "ENFORCED")))
                return rc;
            if (s->nprimary_keys)
                return syntax_error(c, "a single PRIMARY KEY");
            s->primary_keys = pmn_xcalloc(1, sizeof(char *));
            s->primary_keys[0] = pmn_xstrdup(col->name);
            s->nprimary_keys = 1;
        } else if (accept_kw(c, "COMMENT")) {
            if ((rc = parse_string(c, &col->comment)))
                return rc;
        } else {
            return 0;
        }
    }
}

static int parse_create_table(cursor *c, pmn_sql_stmt *s)
{
    int rc;
    s->kind = PMN_STMT_CREATE_TABLE;
    if (accept_kw(c, "IF")) {
        if ((rc = expect_kw(c, "NOT")) || (rc = expect_kw(c, "EXISTS")))
            return rc;
        s->if_not_exists = true;
    }
    if ((rc = parse_name(c, &s->name)) || (rc = expect_punct(c, "(")))
        return rc;
    size_t cap = 0;
    for (;;) {
        if (is_kw(c, "CONSTRAINT") || is_kw(c, "PRIMARY")) {
            if (accept_kw(c, "CONSTRAINT")) {
                char *ignored = NULL;
                rc = parse_ident(c, &ignored);
                free(ignored);
                if (rc)
                    return rc;
            }
            if ((rc = expect_kw(c, "PRIMARY")) || (rc = expect_kw(c, "KEY")))
                return rc;
            if (s->nprimary_keys)
                return syntax_error(c, "a single PRIMARY KEY");
            if ((rc = parse_name_list(c, &s->primary_keys, &s->nprimary_keys)) ||
                (rc = expect_kw(c, "NOT")) || (rc = expect_kw(c, "ENFORCED")))
                return rc;
        } else if (is_kw(c, "WATERMARK") || is_kw(c, "LIKE")) {
            return syntax_error(c, "a column definition (WATERMARK and LIKE are not supported)");
        } else if ((rc = parse_column(c, s, &cap))) {
            return rc;
        }
        if (accept_punct(c, ")"))
            break;
        if ((rc = expect_punct(c, ",")))
            return rc;
    }
    if (accept_kw(c, "COMMENT") && (rc = parse_string(c, &s->comment)))
        return rc;
    if (accept_kw(c, "PARTITIONED")) {
        if ((rc = expect_kw(c, "BY")) ||
            (rc = parse_name_list(c, &s->partition_keys, &s->npartition_keys)))
            return rc;
    }
    if (accept_kw(c, "WITH") && (rc = parse_option_list(c, s, true)))
        return rc;
    return expect_end(c);
}

static int parse_create(cursor *c, pmn_sql_stmt *s)
{
    int rc;
    if (accept_kw(c, "CATALOG")) {
        s->kind = PMN_STMT_CREATE_CATALOG;
        if ((rc = parse_name(c, &s->name)))
            return rc;
        if (s->name.nparts != 1)
            return syntax_error(c, "a catalog name without dots");
        if ((rc = expect_kw(c, "WITH")) || (rc = parse_option_list(c, s, true)))
            return rc;
        return expect_end(c);
    }
    if (accept_kw(c, "DATABASE")) {
        s->kind = PMN_STMT_CREATE_DATABASE;
        if (accept_kw(c, "IF")) {
            if ((rc = expect_kw(c, "NOT")) || (rc = expect_kw(c, "EXISTS")))
                return rc;
            s->if_not_exists = true;
        }
        if ((rc = parse_name(c, &s->name)))
            return rc;
        if (accept_kw(c, "COMMENT") && (rc = parse_string(c, &s->comment)))
            return rc;
        if (accept_kw(c, "WITH") && (rc = parse_option_list(c, s, true)))
            return rc;
        return expect_end(c);
    }
    if (accept_kw(c, "TABLE"))
        return parse_create_table(c, s);
    return syntax_error(c, "CATALOG, DATABASE or TABLE");
}

static int parse_drop(cursor *c, pmn_sql_stmt *s)
{
    int rc;
    if (accept_kw(c, "CATALOG"))
        s->kind = PMN_STMT_DROP_CATALOG;
    else if (accept_kw(c, "DATABASE"))
        s->kind = PMN_STMT_DROP_DATABASE;
    else if (accept_kw(c, "TABLE"))
        s->kind = PMN_STMT_DROP_TABLE;
    else
        return syntax_error(c, "CATALOG, DATABASE or TABLE");
    if (accept_kw(c, "IF")) {
        if ((rc = expect_kw(c, "EXISTS")))
            return rc;
        s->if_exists = true;
    }
    if ((rc = parse_name(c, &s->name)))
        return rc;
    if (s->kind == PMN_STMT_DROP_DATABASE) {
        if (accept_kw(c, "CASCADE"))
            s->cascade = true;
        else
            (void)accept_kw(c, "RESTRICT");
    }
    return expect_end(c);
}

static int parse_show(cursor *c, pmn_sql_stmt *s)
{
    int rc;
    if (accept_kw(c, "CATALOGS"))
        s->kind = PMN_STMT_SHOW_CATALOGS;
    else if (accept_kw(c, "DATABASES"))
        s->kind = PMN_STMT_SHOW_DATABASES;
    else if (accept_kw(c, "TABLES")) {
        s->kind = PMN_STMT_SHOW_TABLES;
        if ((accept_kw(c, "FROM") || accept_kw(c, "IN")) && (rc = parse_name(c, &s->name)))
            return rc;
    } else if (accept_kw(c, "CURRENT")) {
        if (accept_kw(c, "CATALOG"))
            s->kind = PMN_STMT_SHOW_CURRENT_CATALOG;
        else if (accept_kw(c, "DATABASE"))
            s->kind = PMN_STMT_SHOW_CURRENT_DATABASE;
        else
            return syntax_error(c, "CATALOG or DATABASE");
    } else if (accept_kw(c, "COLUMNS")) {
        /* SHOW COLUMNS FROM t: Flink prints what DESCRIBE prints */
        if (!accept_kw(c, "FROM") && (rc = expect_kw(c, "IN")))
            return rc;
        if ((rc = parse_name(c, &s->name)))
            return rc;
        s->kind = PMN_STMT_DESCRIBE;
    } else if (accept_kw(c, "CREATE")) {
        if ((rc = expect_kw(c, "TABLE")) || (rc = parse_name(c, &s->name)))
            return rc;
        s->kind = PMN_STMT_SHOW_CREATE_TABLE;
    } else {
        return syntax_error(c, "CATALOGS, DATABASES, TABLES, COLUMNS, CURRENT or CREATE TABLE");
    }
    return expect_end(c);
}

/* Body of INSERT/DELETE/QUERY: from the current token to the end of the text. */
static void take_body(cursor *c, pmn_sql_stmt *s)
{
    s->body_off = c->tok.off;
    s->body_len = c->tok.kind == PMN_TK_EOF ? 0 : c->len - c->tok.off;
}

static int parse_stmt(cursor *c, pmn_sql_stmt *s)
{
    int rc;
    if (is_kw(c, "SELECT") || is_kw(c, "WITH") || is_kw(c, "VALUES") || is_punct(c, "(")) {
        s->kind = PMN_STMT_QUERY;
        take_body(c, s);
        return 0;
    }
    if (accept_kw(c, "EXPLAIN")) {
        if (accept_kw(c, "PLAN") && (rc = expect_kw(c, "FOR")))
            return rc;
        if (!is_kw(c, "SELECT") && !is_kw(c, "WITH") && !is_kw(c, "VALUES") && !is_punct(c, "("))
            return syntax_error(c, "a query after EXPLAIN");
        s->kind = PMN_STMT_EXPLAIN;
        take_body(c, s);
        return 0;
    }
    if (accept_kw(c, "CREATE"))
        return parse_create(c, s);
    if (accept_kw(c, "DROP"))
        return parse_drop(c, s);
    if (accept_kw(c, "SHOW"))
        return parse_show(c, s);
    if (accept_kw(c, "USE")) {
        if (accept_kw(c, "CATALOG")) {
            s->kind = PMN_STMT_USE_CATALOG;
            if ((rc = parse_name(c, &s->name)))
                return rc;
            if (s->name.nparts != 1)
                return syntax_error(c, "a catalog name without dots");
        } else {
            s->kind = PMN_STMT_USE_DATABASE;
            if ((rc = parse_name(c, &s->name)))
                return rc;
            if (s->name.nparts > 2)
                return syntax_error(c, "[catalog.]database");
        }
        return expect_end(c);
    }
    if (accept_kw(c, "DESCRIBE") || accept_kw(c, "DESC")) {
        s->kind = PMN_STMT_DESCRIBE;
        (void)accept_kw(c, "TABLE");
        if ((rc = parse_name(c, &s->name)))
            return rc;
        return expect_end(c);
    }
    if (accept_kw(c, "SET")) {
        s->kind = PMN_STMT_SET;
        if (c->tok.kind == PMN_TK_EOF)
            return 0;
        s->options = pmn_xcalloc(1, sizeof *s->options);
        s->noptions = 1;
        if ((rc = parse_string(c, &s->options[0].key)) || (rc = expect_punct(c, "=")) ||
            (rc = parse_string(c, &s->options[0].value)))
            return rc;
        return expect_end(c);
    }
    if (accept_kw(c, "RESET")) {
        s->kind = PMN_STMT_RESET;
        if (c->tok.kind == PMN_TK_EOF)
            return 0;
        s->options = pmn_xcalloc(1, sizeof *s->options);
        s->noptions = 1;
        if ((rc = parse_string(c, &s->options[0].key)))
            return rc;
        return expect_end(c);
    }
    if (accept_kw(c, "ALTER")) {
        if ((rc = expect_kw(c, "TABLE")) || (rc = parse_name(c, &s->name)))
            return rc;
        if (accept_kw(c, "SET")) {
            s->kind = PMN_STMT_ALTER_TABLE_SET;
            rc = parse_option_list(c, s, true);
        } else if (accept_kw(c, "RESET")) {
            s->kind = PMN_STMT_ALTER_TABLE_RESET;
            rc = parse_option_list(c, s, false);
        } else if (is_kw(c, "ADD") || is_kw(c, "MODIFY")) {
            s->kind = is_kw(c, "ADD") ? PMN_STMT_ALTER_TABLE_ADD : PMN_STMT_ALTER_TABLE_MODIFY;
            advance(c);
            (void)accept_kw(c, "COLUMN");
            size_t cap = 0;
            if (accept_punct(c, "(")) {
                for (;;) {
                    if ((rc = parse_column(c, s, &cap)))
                        return rc;
                    if (accept_punct(c, ")"))
                        break;
                    if ((rc = expect_punct(c, ",")))
                        return rc;
                }
            } else if ((rc = parse_column(c, s, &cap))) {
                return rc;
            }
            if (s->nprimary_keys)
                return syntax_error(c, "a column without PRIMARY KEY (keys cannot change)");
        } else if (accept_kw(c, "DROP")) {
            s->kind = PMN_STMT_ALTER_TABLE_DROP;
            (void)accept_kw(c, "COLUMN");
            if (is_punct(c, "(")) {
                rc = parse_name_list(c, &s->insert_columns, &s->ninsert_columns);
            } else {
                s->insert_columns = pmn_xcalloc(1, sizeof(char *));
                s->ninsert_columns = 1;
                rc = parse_ident(c, &s->insert_columns[0]);
            }
        } else if (accept_kw(c, "RENAME")) {
            if (is_kw(c, "TO"))
                return syntax_error(c, "a column (renaming tables is not supported)");
            (void)accept_kw(c, "COLUMN");
            s->kind = PMN_STMT_ALTER_TABLE_RENAME;
            s->options = pmn_xcalloc(1, sizeof *s->options);
            s->noptions = 1;
            if ((rc = parse_ident(c, &s->options[0].key)) || (rc = expect_kw(c, "TO")) ||
                (rc = parse_ident(c, &s->options[0].value)))
                return rc;
        } else {
            return syntax_error(c, "SET, RESET, ADD, MODIFY, DROP or RENAME");
        }
        return rc ? rc : expect_end(c);
    }
    if (accept_kw(c, "INSERT")) {
        if (accept_kw(c, "OVERWRITE"))
            s->overwrite = true;
        else if ((rc = expect_kw(c, "INTO")))
            return rc;
        if ((rc = parse_name(c, &s->name)))
            return rc;
        s->kind = PMN_STMT_INSERT;
        if (accept_kw(c, "PARTITION") && (rc = parse_partition_spec(c, s)))
            return rc;
        if (is_punct(c, "(")) {
            /* a column list, unless the body itself starts with a parenthesis: (SELECT ...) */
            cursor peek = *c;
            advance(&peek);
            if (!pmn_sql_tok_is(c->text, &peek.tok, "SELECT") &&
                !pmn_sql_tok_is(c->text, &peek.tok, "WITH") &&
                (rc = parse_name_list(c, &s->insert_columns, &s->ninsert_columns)))
                return rc;
        }
        if (!is_kw(c, "SELECT") && !is_kw(c, "WITH") && !is_kw(c, "VALUES") && !is_punct(c, "("))
            return syntax_error(c, "VALUES or SELECT");
        take_body(c, s);
        return 0;
    }
    if (accept_kw(c, "UPDATE")) {
        if ((rc = parse_name(c, &s->name)) || (rc = expect_kw(c, "SET")))
            return rc;
        s->kind = PMN_STMT_UPDATE;
        size_t cap = 0;
        for (;;) {
            PMN_GROW(s->assigns, cap, s->nassigns + 1);
            pmn_sql_assign *a = &s->assigns[s->nassigns++];
            memset(a, 0, sizeof *a);
            if ((rc = parse_ident(c, &a->column)) || (rc = expect_punct(c, "=")))
                return rc;
            a->off = c->tok.off;
            size_t end = a->off;
            int depth = 0;
            while (c->tok.kind != PMN_TK_EOF &&
                   !(depth == 0 && (is_punct(c, ",") || is_kw(c, "WHERE")))) {
                if (is_punct(c, "("))
                    depth++;
                else if (is_punct(c, ")"))
                    depth--;
                end = c->tok.off + c->tok.len;
                advance(c);
            }
            if (end == a->off)
                return syntax_error(c, "an expression");
            a->len = end - a->off;
            if (!accept_punct(c, ","))
                break;
        }
        if (c->tok.kind == PMN_TK_EOF)
            return 0;
        if ((rc = expect_kw(c, "WHERE")))
            return rc;
        take_body(c, s);
        if (s->body_len == 0)
            return syntax_error(c, "a condition");
        return 0;
    }
    if (accept_kw(c, "CALL")) {
        s->kind = PMN_STMT_CALL;
        if ((rc = parse_name(c, &s->name)) || (rc = expect_punct(c, "(")))
            return rc;
        size_t cap = 0;
        if (!accept_punct(c, ")")) {
            for (;;) {
                PMN_GROW(s->options, cap, s->noptions + 1);
                pmn_sql_option *o = &s->options[s->noptions++];
                o->key = NULL;
                o->value = NULL;
                /* name => value */
                cursor peek = *c;
                advance(&peek);
                if ((c->tok.kind == PMN_TK_IDENT || c->tok.kind == PMN_TK_QIDENT) &&
                    pmn_sql_tok_punct(c->text, &peek.tok, "=")) {
                    cursor arrow = peek;
                    advance(&arrow);
                    if (pmn_sql_tok_punct(c->text, &arrow.tok, ">") &&
                        arrow.tok.off == peek.tok.off + 1) {
                        if ((rc = parse_ident(c, &o->key)))
                            return rc;
                        advance(c);
                        advance(c);
                    }
                }
                if (c->tok.kind == PMN_TK_STRING) {
                    if ((rc = parse_string(c, &o->value)))
                        return rc;
                } else if (c->tok.kind == PMN_TK_NUMBER ||
                           (is_punct(c, "-") && c->tok.off + 1 < c->len)) {
                    size_t start = c->tok.off;
                    if (is_punct(c, "-"))
                        advance(c);
                    if (c->tok.kind != PMN_TK_NUMBER)
                        return syntax_error(c, "a number");
                    o->value = pmn_xstrndup(c->text + start, c->tok.off + c->tok.len - start);
                    advance(c);
                } else if (is_kw(c, "TRUE") || is_kw(c, "FALSE") || is_kw(c, "NULL")) {
                    o->value = pmn_sql_ident_value(c->text, &c->tok);
                    advance(c);
                } else {
                    return syntax_error(c, "a literal argument");
                }
                if (accept_punct(c, ")"))
                    break;
                if ((rc = expect_punct(c, ",")))
                    return rc;
            }
        }
        return expect_end(c);
    }
    if (accept_kw(c, "DELETE")) {
        if ((rc = expect_kw(c, "FROM")) || (rc = parse_name(c, &s->name)))
            return rc;
        s->kind = PMN_STMT_DELETE;
        if (c->tok.kind == PMN_TK_EOF)
            return 0;
        if ((rc = expect_kw(c, "WHERE")))
            return rc;
        take_body(c, s);
        if (s->body_len == 0)
            return syntax_error(c, "a condition");
        return 0;
    }
    return syntax_error(c, "a statement (SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, USE, "
                           "SHOW, DESCRIBE, SET, RESET, CALL or EXPLAIN)");
}

int pmn_sql_stmt_parse(const char *text, size_t len, pmn_sql_stmt *out)
{
    memset(out, 0, sizeof *out);
    cursor c;
    cursor_init(&c, text, len);
    int rc = parse_stmt(&c, out);
    if (rc)
        pmn_sql_stmt_dispose(out);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void pmn_sql_stmt_dispose(pmn_sql_stmt *s)
{
    for (int i = 0; i < s->name.nparts; i++)
        free(s->name.parts[i]);
    for (size_t i = 0; i < s->noptions; i++) {
        free(s->options[i].key);
        free(s->options[i].value);
    }
    free(s->options);
    for (size_t i = 0; i < s->ncolumns; i++) {
        free(s->columns[i].name);
        free(s->columns[i].type_sql);
        free(s->columns[i].comment);
    }
    free(s->columns);
    free_strings(s->primary_keys, s->nprimary_keys);
    free_strings(s->partition_keys, s->npartition_keys);
    free_strings(s->insert_columns, s->ninsert_columns);
    for (size_t i = 0; i < s->npartition_spec; i++) {
        free(s->partition_spec[i].key);
        free(s->partition_spec[i].value);
    }
    free(s->partition_spec);
    for (size_t i = 0; i < s->nassigns; i++)
        free(s->assigns[i].column);
    free(s->assigns);
    free(s->comment);
    memset(s, 0, sizeof *s);
}

char *pmn_sql_name_string(const pmn_sql_name *n)
{
    pmn_buf b = PMN_BUF_INIT;
    for (int i = 0; i < n->nparts; i++) {
        if (i)
            pmn_buf_putc(&b, '.');
        pmn_buf_puts(&b, n->parts[i]);
    }
    size_t len;
    char *s = (char *)pmn_buf_detach(&b, &len);
    return s ? s : pmn_xstrdup("");
}
