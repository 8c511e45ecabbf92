/*
 * src/cli/cmd_sql.c
 *
 * `pgpaimon sql`: the Flink SQL client's statements over the lake
 * (sql/session.h). Statements come from -e, -f, standard input (heredocs;
 * each statement runs as soon as its `;` arrives), or an interactive prompt
 * with line editing and history (~/.pgpaimon_history) when standard input is a
 * terminal. A failed statement prints its error and is skipped; the exit
 * status is non-zero when any statement failed.
 */
#include "cli/commands.h"

#include "pmn/common.h"
#include "sql/lexer.h"
#include "sql/session.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <editline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char pmn_usage_sql[] =
    "usage: pgpaimon sql [--warehouse W] [--output tableau|csv|json] [-e SQL | -f FILE]\n"
    "\n"
    "Runs Flink SQL-client statements against Paimon warehouses: CREATE CATALOG ... WITH\n"
    "('type' = 'paimon', 'warehouse' = '...'), USE, SHOW, DESCRIBE, SHOW CREATE TABLE, SET,\n"
    "RESET, CREATE/DROP DATABASE, CREATE/DROP/ALTER TABLE, INSERT [OVERWRITE], UPDATE, DELETE\n"
    "and SELECT (with FOR SYSTEM_TIME AS OF TIMESTAMP '...', OPTIONS('scan.snapshot-id' = 'N')\n"
    "hints, and the system tables t$snapshots, t$schemas, t$options, t$tags, t$consumers).\n"
    "Statements end with `;`. Without -e or -f they are read from standard input, or from an\n"
    "interactive prompt when it is a terminal (history in ~/.pgpaimon_history; QUIT; leaves).\n"
    "\n"
    "  --warehouse W    create catalog paimon_catalog on warehouse W and use it\n"
    "  --output FORMAT  tableau (Flink's boxed tables, the default), csv, or json (JSON Lines,\n"
    "                   values as `pgpaimon table scan` writes them)\n"
    "  -e SQL           run the statements in SQL\n"
    "  -f FILE          run the statements in FILE\n"
    "\n"
    "Time zone of FOR SYSTEM_TIME AS OF TIMESTAMP '...' and TIMESTAMP_LTZ values: the\n"
    "session's 'table.local-time-zone' (SET it), by default the process time zone (TZ).\n"
    "Exit status: 0 when every statement succeeded, otherwise that of the first failure.\n";

typedef struct sql_run {
    pmn_sql_session *session; /* the session statements run in */
    int failed;               /* statements that failed */
    int first_error;          /* PMN_E* code of the first failure */
    bool quit;                /* QUIT; or EXIT; seen */
} sql_run;

static bool is_quit(const char *s, size_t n)
{
    return (n == 4 && !strncasecmp(s, "quit", 4)) || (n == 4 && !strncasecmp(s, "exit", 4));
}

static void run_one(sql_run *r, const char *s, size_t n)
{
    if (is_quit(s, n)) {
        r->quit = true;
        return;
    }
    int rc = pmn_sql_session_execute(r->session, s, n);
    if (rc) {
        r->failed++;
        if (!r->first_error)
            r->first_error = rc;
    }
}

/* Run every complete statement of buf; keep the unfinished rest. With at_end the rest runs too. */
static void drain(sql_run *r, pmn_buf *buf, bool at_end)
{
    if (!buf->data)
        return;
    const char *text = (const char *)buf->data;
    size_t len = buf->len, pos = 0, start, end, consumed = 0;
    while (!r->quit) {
        int k = pmn_sql_split_next(text, len, &pos, &start, &end);
        if (k == 0) {
            consumed = len;
            break;
        }
        if (k < 0) {
            if (at_end) {
                run_one(r, text + start, end - start);
                consumed = len;
            }
            break;
        }
        run_one(r, text + start, end - start);
        consumed = pos;
    }
    if (r->quit)
        consumed = len;
    memmove(buf->data, text + consumed, len - consumed);
    buf->len = len - consumed;
    buf->data[buf->len] = '\0';
}

static void run_stream(sql_run *r, FILE *in)
{
    pmn_buf buf = PMN_BUF_INIT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!r->quit && (n = getline(&line, &cap, in)) >= 0) {
        pmn_buf_put(&buf, line, (size_t)n);
        /* only a `;` can end a statement: re-splitting the pending text after every line
         * would make a long multi-line statement cost quadratic time */
        if (memchr(line, ';', (size_t)n))
            drain(r, &buf, false);
    }
    if (!r->quit)
        drain(r, &buf, true);
    free(line);
    pmn_buf_dispose(&buf);
}

static void run_interactive(sql_run *r)
{
    const char *home = getenv("HOME");
    char *hist = home ? pmn_xasprintf("%s/.pgpaimon_history", home) : NULL;
    using_history();
    if (hist)
        read_history(hist);
    pmn_buf buf = PMN_BUF_INIT;
    while (!r->quit) {
        char *line = readline(buf.len ? "> " : "Flink SQL> ");
        if (!line)
            break;
        if (*line)
            add_history(line);
        pmn_buf_puts(&buf, line);
        pmn_buf_putc(&buf, '\n');
        free(line);
        drain(r, &buf, false);
        /* a line with only blanks or comments leaves nothing pending */
        size_t pos = 0, s, e;
        if (buf.len && pmn_sql_split_next((const char *)buf.data, buf.len, &pos, &s, &e) == 0)
            buf.len = 0;
    }
    if (hist) {
        write_history(hist);
        free(hist);
    }
    pmn_buf_dispose(&buf);
    putchar('\n');
}

int pmn_cmd_sql(int argc, char **argv)
{
    const char *warehouse = NULL, *output = NULL, *exec = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--warehouse"))
            slot = &warehouse;
        else if (!strcmp(a, "--output"))
            slot = &output;
        else if (!strcmp(a, "-e") || !strcmp(a, "--execute"))
            slot = &exec;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file"))
            slot = &file;
        else if (!strncmp(a, "--warehouse=", 12))
            warehouse = a + 12;
        else if (!strncmp(a, "--output=", 9))
            output = a + 9;
        else {
            fprintf(stderr, "pgpaimon sql: unknown argument %s\n\n%s", a, pmn_usage_sql);
            return PMN_EXIT_USAGE;
        }
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "pgpaimon sql: %s needs a value\n\n%s", a, pmn_usage_sql);
                return PMN_EXIT_USAGE;
            }
            if (*slot) { /* the earlier value would be dropped without a word */
                fprintf(stderr, "pgpaimon sql: %s given twice%s\n", a,
                        slot == &exec ? "; put every statement in one -e, separated by ;" : "");
                return PMN_EXIT_USAGE;
            }
            *slot = argv[++i];
        }
    }
    if (exec && file) {
        fprintf(stderr, "pgpaimon sql: give -e or -f, not both\n");
        return PMN_EXIT_USAGE;
    }
    pmn_sql_format format = PMN_SQL_TABLEAU;
    if (output) {
        if (!strcmp(output, "csv"))
            format = PMN_SQL_CSV;
        else if (!strcmp(output, "json"))
            format = PMN_SQL_JSON;
        else if (strcmp(output, "tableau") != 0) {
            fprintf(stderr, "pgpaimon sql: --output must be tableau, csv or json, not %s\n",
                    output);
            return PMN_EXIT_USAGE;
        }
    }
    sql_run r = {0};
    int rc = pmn_sql_session_new(stdout, stderr, &r.session);
    if (rc)
        return pmn_cli_fail(rc);
    pmn_sql_session_set_format(r.session, format);
    if (warehouse && (rc = pmn_sql_session_attach(r.session, "paimon_catalog", warehouse))) {
        fprintf(stderr, "pgpaimon sql: --warehouse %s: %s\n", warehouse, pmn_error_last());
        pmn_sql_session_free(r.session);
        return pmn_cli_exit_code(rc);
    }
    if (exec) {
        pmn_buf buf = PMN_BUF_INIT;
        pmn_buf_puts(&buf, exec);
        drain(&r, &buf, true);
        pmn_buf_dispose(&buf);
    } else if (file) {
        FILE *f = fopen(file, "r");
        if (!f) {
            pmn_error_set_errno("opening %s", file);
            pmn_sql_session_free(r.session);
            return pmn_cli_fail(PMN_EIO);
        }
        run_stream(&r, f);
        fclose(f);
    } else if (isatty(STDIN_FILENO)) {
        run_interactive(&r);
    } else {
        run_stream(&r, stdin);
    }
    pmn_sql_session_free(r.session);
    return r.failed ? pmn_cli_exit_code(r.first_error) : PMN_EXIT_OK;
}
