/*
 * src/sql/lexer.h
 *
 * Tokenizer for the Flink SQL dialect the SQL client accepts, and the
 * statement splitter built on it. Tokens point into the caller's text (no
 * copies). Identifiers may hold `$` (system tables: products$snapshots) and a
 * shell-escaped `\$`; `...` is a quoted identifier; '...' a string with ''
 * escapes; a block comment opened by slash-star-plus is a hint (Flink's
 * OPTIONS hints), kept apart from ordinary comments.
 */
#ifndef PMN_SQL_LEXER_H
#define PMN_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pmn_sql_tok_kind {
    PMN_TK_EOF,
    PMN_TK_SPACE,   /* blanks and newlines */
    PMN_TK_COMMENT, /* -- to end of line, or a block comment */
    PMN_TK_HINT,    /* hint: a block comment whose first byte after the opener is + */
    PMN_TK_IDENT,   /* bare identifier or keyword */
    PMN_TK_QIDENT,  /* `quoted` (or "quoted") identifier */
    PMN_TK_STRING,  /* 'text' */
    PMN_TK_NUMBER,  /* 12, 3.5, 1e3 */
    PMN_TK_PUNCT,   /* operator or punctuation: ( ) , ; . <= >= <> != || etc. */
    PMN_TK_ERROR,   /* unterminated string, identifier or comment (runs to the end) */
} pmn_sql_tok_kind;

typedef struct pmn_sql_tok {
    pmn_sql_tok_kind kind; /* what the bytes are */
    size_t off;            /* byte offset of the first byte in the text */
    size_t len;            /* byte length, including quotes and comment markers */
} pmn_sql_tok;

/* pmn_sql_lex: the token at `off` of text[0..len). At the end returns kind PMN_TK_EOF. */
pmn_sql_tok pmn_sql_lex(const char *text, size_t len, size_t off);

/* pmn_sql_tok_is: true if tok is a bare identifier equal to `word` ignoring case. */
bool pmn_sql_tok_is(const char *text, const pmn_sql_tok *tok, const char *word);
/* pmn_sql_tok_punct: true if tok is the punctuation `p`. */
bool pmn_sql_tok_punct(const char *text, const pmn_sql_tok *tok, const char *p);
/* pmn_sql_ident_value: an identifier or string token's value (quotes and escapes removed,
 * `\$` turned into `$`). Caller frees. */
char *pmn_sql_ident_value(const char *text, const pmn_sql_tok *tok);

/* pmn_sql_position: 1-based line and column of byte `off` in text. */
void pmn_sql_position(const char *text, size_t off, int *line, int *col);

/* pmn_sql_split_next: find the next statement in text[*pos..len). On success stores its
 * bounds (the `;` excluded, surrounding blanks trimmed) and advances *pos past the `;`.
 * Returns 1 for a statement, 0 when only blanks and comments remain, and -1 when the rest is
 * an unfinished statement (no `;` yet, or an open quote/comment): the caller decides whether
 * to wait for more input or run it as the last statement. Statements holding only comments
 * are skipped. */
int pmn_sql_split_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end);

#endif
