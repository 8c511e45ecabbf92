/*
 * src/sql/lexer.c
 *
 * Flink SQL tokenizer and statement splitter; see lexer.h.
 */
#include "sql/lexer.h"

#include "util/alloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

pmn_sql_tok pmn_sql_lex(const char *text, size_t len, size_t off)
{
    pmn_sql_tok t = {PMN_TK_EOF, off, 0};
    if (off >= len)
        return t;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = off;
    unsigned char c = s[i];
    if (isspace(c)) {
        while (i < len && isspace(s[i]))
            i++;
        t.kind = PMN_TK_SPACE;
    } else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
        while (i < len && s[i] != '\n')
            i++;
        t.kind = PMN_TK_COMMENT;
    } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
        t.kind = (i + 2 < len && s[i + 2] == '+') ? PMN_TK_HINT : PMN_TK_COMMENT;
        i += 2;
        while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
            i++;
        if (i + 1 < len)
            i += 2;
        else {
            i = len;
            t.kind = PMN_TK_ERROR;
        }
    } else if (c == '\'' || c == '`' || c == '"') {
        unsigned char q = c;
        i++;
        for (;;) {
            if (i >= len) {
                t.kind = PMN_TK_ERROR;
                break;
            }
            if (s[i] == q) {
                if (i + 1 < len && s[i + 1] == q) {
                    i += 2;
                    continue;
                }
                i++;
                t.kind = q == '\'' ? PMN_TK_STRING : PMN_TK_QIDENT;
                break;
            }
            i++;
        }
    } else if (ident_start(c) || (c == '\\' && i + 1 < len && s[i + 1] == '$')) {
        while (i < len) {
            if (ident_char(s[i]))
                i++;
            else if (s[i] == '\\' && i + 1 < len && s[i + 1] == '$')
                i += 2;
            else
                break;
        }
        t.kind = PMN_TK_IDENT;
    } else if (isdigit(c) || (c == '.' && i + 1 < len && isdigit(s[i + 1]))) {
        while (i < len && isdigit(s[i]))
            i++;
        if (i < len && s[i] == '.') {
            i++;
            while (i < len && isdigit(s[i]))
                i++;
        }
        if (i < len && (s[i] == 'e' || s[i] == 'E')) {
            size_t j = i + 1;
            if (j < len && (s[j] == '+' || s[j] == '-'))
                j++;
            if (j < len && isdigit(s[j])) {
                i = j;
                while (i < len && isdigit(s[i]))
                    i++;
            }
        }
        t.kind = PMN_TK_NUMBER;
    } else {
        static const char *const two[] = {"<=", ">=", "<>", "!=", "||", "==", NULL};
        t.kind = PMN_TK_PUNCT;
        i++;
        for (int k = 0; two[k]; k++)
            if (off + 1 < len && s[off] == (unsigned char)two[k][0] &&
                s[off + 1] == (unsigned char)two[k][1]) {
                i = off + 2;
                break;
            }
    }
    t.len = i - off;
    return t;
}

bool pmn_sql_tok_is(const char *text, const pmn_sql_tok *tok, const char *word)
{
    size_t n = strlen(word);
    return tok->kind == PMN_TK_IDENT && tok->len == n && strncasecmp(text + tok->off, word, n) == 0;
}

bool pmn_sql_tok_punct(const char *text, const pmn_sql_tok *tok, const char *p)
{
    size_t n = strlen(p);
    return tok->kind == PMN_TK_PUNCT && tok->len == n && memcmp(text + tok->off, p, n) == 0;
}

char *pmn_sql_ident_value(const char *text, const pmn_sql_tok *tok)
{
    const char *s = text + tok->off;
    size_t n = tok->len;
    char *out = pmn_xmalloc(n + 1);
    size_t o = 0;
    if (tok->kind == PMN_TK_QIDENT || tok->kind == PMN_TK_STRING) {
        char q = s[0];
        for (size_t i = 1; i + 1 < n; i++) {
            out[o++] = s[i];
            if (s[i] == q && s[i + 1] == q)
                i++;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\\' && i + 1 < n && s[i + 1] == '$')
                continue;
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void pmn_sql_position(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int pmn_sql_split_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
    for (;;) {
        size_t i = *pos;
        size_t first = (size_t)-1, last = i;
        bool open = false;
        for (;;) {
            pmn_sql_tok t = pmn_sql_lex(text, len, i);
            if (t.kind == PMN_TK_EOF)
                break;
            if (t.kind == PMN_TK_ERROR) {
                open = true;
                if (first == (size_t)-1)
                    first = t.off;
                last = t.off + t.len;
                i = t.off + t.len;
                break;
            }
            if (t.kind == PMN_TK_PUNCT && text[t.off] == ';') {
                i = t.off + t.len;
                if (first == (size_t)-1) {
                    /* empty statement (only comments): skip it */
                    *pos = i;
                    goto next;
                }
                *start = first;
                *end = last;
                *pos = i;
                return 1;
            }
            if (t.kind != PMN_TK_SPACE && t.kind != PMN_TK_COMMENT) {
                if (first == (size_t)-1)
                    first = t.off;
                last = t.off + t.len;
            }
            i = t.off + t.len;
        }
        if (first == (size_t)-1 && !open)
            return 0;
        *start = first;
        *end = last;
        return -1;
    next:;
    }
}
