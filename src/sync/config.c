/*
 * src/sync/config.c
 *
 * Argument parsing for the sync actions; see config.h. The flag table is the
 * single source of the parser and of the --help text.
 */
#include "sync/config.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

typedef enum flag_kind {
    FLAG_STRING, /* one value, last wins */
    FLAG_LIST,   /* comma-separated values, repeatable */
    FLAG_REPEAT, /* each occurrence is one value */
    FLAG_CONF,   /* k=v into an options map, repeatable */
    FLAG_BOOL,   /* true/false */
    FLAG_INT,
} flag_kind;

typedef struct flag {
    const char *name;
    flag_kind kind;
    unsigned actions; /* bit 0: sync_table, bit 1: sync_database */
    const char *help;
} flag;

#define BOTH 3u
#define TABLE_ONLY 1u
#define DB_ONLY 2u

static const flag flags[] = {
    {"warehouse", FLAG_STRING, BOTH, "Paimon warehouse directory (required)"},
    {"database", FLAG_STRING, BOTH, "Paimon database; created if missing (required)"},
    {"table", FLAG_STRING, TABLE_ONLY,
     "Paimon table; every matched source table merges into it. Without it each source table "
     "gets a Paimon table of its own name"},
    {"partition_keys", FLAG_LIST, BOTH, "Paimon partition keys, comma-separated"},
    {"primary_keys", FLAG_LIST, BOTH, "Paimon primary key, comma-separated (default: the source's)"},
    {"sync_primary_keys_from_source_schema", FLAG_BOOL, BOTH,
     "use the source primary key when --primary_keys is absent (default true)"},
    {"type_mapping", FLAG_LIST, BOTH,
     "to-string, to-nullable, char-to-string, allow-non-string-to-string, ..."},
    {"computed_column", FLAG_REPEAT, BOTH, "'name=expression', repeatable"},
    {"metadata_column", FLAG_LIST, BOTH,
     "table_name, database_name, schema_name, op_ts, _op_type, _event_timestamp"},
    {"metadata_column_prefix", FLAG_STRING, BOTH, "prefix for metadata column names"},
    {"postgres_conf", FLAG_CONF, BOTH,
     "k=v: hostname, port, username, password, database-name, schema-name, table-name, "
     "slot.name, ... (repeatable)"},
    {"catalog_conf", FLAG_CONF, BOTH, "k=v: metastore=filesystem, warehouse=DIR (repeatable)"},
    {"table_conf", FLAG_CONF, BOTH, "k=v: Paimon table options, e.g. bucket=4 (repeatable)"},
    {"including_tables", FLAG_STRING, DB_ONLY, "regex of source tables to sync ('a|b')"},
    {"excluding_tables", FLAG_STRING, DB_ONLY, "regex of source tables to skip (wins)"},
    {"table_prefix", FLAG_STRING, DB_ONLY, "prefix of the Paimon table names"},
    {"table_suffix", FLAG_STRING, DB_ONLY, "suffix of the Paimon table names"},
    {"mode", FLAG_STRING, DB_ONLY,
     "combined (pgpaimon's default): tables created while running join too; "
     "divided: the tables found at start, new ones join at the next start"},
    {"ignore_incompatible", FLAG_BOOL, DB_ONLY,
     "skip tables whose existing Paimon schema is incompatible instead of failing"},
    {"parallelism", FLAG_INT, BOTH,
     "connections copying the initial snapshot at once (tables, and block ranges of large ones)"},
    {"checkpointing-interval", FLAG_INT, BOTH,
     "lake commit interval in ms (default 500); Flink's checkpoint interval"},
    {"state-backend", FLAG_STRING, BOTH,
     "accepted for compatibility; pgpaimon keeps its state in the lake, so it has no effect"},
    {"network-buffer-count", FLAG_INT, BOTH, "accepted for compatibility; no effect"},
};

#define NFLAGS (sizeof flags / sizeof flags[0])

static char **split_list(const char *s, size_t *n, char **old, size_t oldn)
{
    char **out = old;
    size_t cap = oldn, k = oldn;
    char *copy = pmn_xstrdup(s);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len)
            continue;
        PMN_GROW(out, cap, k + 1);
        out[k++] = pmn_xstrdup(tok);
    }
    free(copy);
    *n = k;
    return out;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static const char *action_name(pmn_sync_kind kind)
{
    return kind == PMN_SYNC_TABLE ? "postgres_sync_table" : "postgres_sync_database";
}

static void valid_flags(pmn_buf *b, pmn_sync_kind kind)
{
    unsigned bit = kind == PMN_SYNC_TABLE ? TABLE_ONLY : DB_ONLY;
    for (size_t i = 0; i < NFLAGS; i++)
        if (flags[i].actions & bit)
            pmn_buf_printf(b, "%s--%s", b->len ? ", " : "", flags[i].name);
    pmn_buf_puts(b, ", -D key=value");
}

static int put_conf(pmn_options *o, const char *flagname, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return pmn_error_set(PMN_EINVALID, "--%s expects key=value, got \"%s\"", flagname, kv);
    char *key = pmn_xstrndup(kv, (size_t)(eq - kv));
    pmn_options_set(o, key, eq + 1);
    free(key);
    return 0;
}

static int apply_flag(pmn_sync_config *c, const flag *f, const char *v)
{
    const char *n = f->name;
    char *end;
    switch (f->kind) {
    case FLAG_STRING: {
        char **slot = !strcmp(n, "warehouse")                ? &c->warehouse
                      : !strcmp(n, "database")               ? &c->database
                      : !strcmp(n, "table")                  ? &c->table
                      : !strcmp(n, "metadata_column_prefix") ? &c->metadata_column_prefix
                      : !strcmp(n, "including_tables")       ? &c->including_tables
                      : !strcmp(n, "excluding_tables")       ? &c->excluding_tables
                      : !strcmp(n, "table_prefix")           ? &c->table_prefix
                      : !strcmp(n, "table_suffix")           ? &c->table_suffix
                      : !strcmp(n, "mode")                   ? &c->mode
                                                             : NULL;
        if (!slot) /* accepted for compatibility only */
            return 0;
        free(*slot);
        *slot = pmn_xstrdup(v);
        return 0;
    }
    case FLAG_LIST:
        if (!strcmp(n, "partition_keys"))
            c->partition_keys =
                split_list(v, &c->npartition_keys, c->partition_keys, c->npartition_keys);
        else if (!strcmp(n, "primary_keys"))
            c->primary_keys = split_list(v, &c->nprimary_keys, c->primary_keys, c->nprimary_keys);
        else if (!strcmp(n, "type_mapping"))
            c->type_mapping = split_list(v, &c->ntype_mapping, c->type_mapping, c->ntype_mapping);
        else if (!strcmp(n, "metadata_column"))
            c->metadata_columns =
                split_list(v, &c->nmetadata_columns, c->metadata_columns, c->nmetadata_columns);
        return 0;
    case FLAG_REPEAT:
        c->computed_columns = pmn_xrealloc(c->computed_columns,
                                           sizeof(char *) * (c->ncomputed_columns + 1));
        c->computed_columns[c->ncomputed_columns++] = pmn_xstrdup(v);
        return 0;
    case FLAG_CONF:
        return put_conf(!strcmp(n, "postgres_conf")  ? &c->postgres_conf
                        : !strcmp(n, "catalog_conf") ? &c->catalog_conf
                                                     : &c->table_conf,
                        n, v);
    case FLAG_BOOL: {
        bool b;
        if (!strcasecmp(v, "true"))
            b = true;
        else if (!strcasecmp(v, "false"))
            b = false;
        else
            return pmn_error_set(PMN_EINVALID, "--%s expects true or false, got \"%s\"", n, v);
        if (!strcmp(n, "sync_primary_keys_from_source_schema"))
            c->sync_primary_keys_from_source_schema = b;
        else
            c->ignore_incompatible = b;
        return 0;
    }
    case FLAG_INT: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || *end || end == v || x <= 0)
            return pmn_error_set(PMN_EINVALID, "--%s expects a positive number, got \"%s\"", n,
                                 v);
        if (!strcmp(n, "parallelism"))
            c->parallelism = x;
        else if (!strcmp(n, "checkpointing-interval"))
            c->commit_interval_ms = x;
        return 0;
    }
    }
    return 0;
}

static const flag *find_flag(const char *name, pmn_sync_kind kind)
{
    unsigned bit = kind == PMN_SYNC_TABLE ? TABLE_ONLY : DB_ONLY;
    for (size_t i = 0; i < NFLAGS; i++)
        if (!strcmp(flags[i].name, name) && (flags[i].actions & bit))
            return &flags[i];
    return NULL;
}

int pmn_sync_config_parse(pmn_sync_kind kind, int argc, char **argv, pmn_sync_config *c)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->sync_primary_keys_from_source_schema = true;
    c->commit_interval_ms = 500;
    c->parallelism = 1;
    pmn_options_init(&c->postgres_conf);
    pmn_options_init(&c->catalog_conf);
    pmn_options_init(&c->table_conf);
    pmn_options_init(&c->flink_conf);
    bool parallelism_given = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-D") || !strncmp(arg, "-D", 2)) {
            const char *kv = arg[2] ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!kv)
                return pmn_error_set(PMN_EINVALID, "-D expects key=value");
            int rc = put_conf(&c->flink_conf, "D", kv);
            if (rc)
                return rc;
            continue;
        }
        if (arg[strspn(arg, " \t")] == '\0') {
            /* a shell line ending in "\ " (or "\ # comment", as in the guide's Method 3)
             * passes a blank argument and ends the command there */
            return pmn_error_set(PMN_EINVALID,
                                 "%s: blank argument after %s: a shell line ending in a backslash "
                                 "followed by a space or a comment ends the command there, so the "
                                 "flags on the next lines were not passed; remove what follows "
                                 "the backslash",
                                 action_name(kind), i > 1 ? argv[i - 1] : "the action name");
        }
        if (strncmp(arg, "--", 2) != 0) {
            return pmn_error_set(PMN_EINVALID,
                                 "%s: unexpected argument \"%s\" (flags start with --)",
                                 action_name(kind), arg);
        }
        char *name = pmn_xstrdup(arg + 2);
        char *value = strchr(name, '=');
        if (value)
            *value++ = '\0';
        const flag *f = find_flag(name, kind);
        if (!f) {
            pmn_buf b = PMN_BUF_INIT;
            valid_flags(&b, kind);
            pmn_error_set(PMN_EINVALID, "%s: unknown flag --%s; valid flags are: %s",
                          action_name(kind), name, pmn_buf_cstr(&b));
            pmn_buf_dispose(&b);
            free(name);
            return PMN_EINVALID;
        }
        if (!value) {
            if (i + 1 >= argc) {
                pmn_error_set(PMN_EINVALID, "--%s needs a value", name);
                free(name);
                return PMN_EINVALID;
            }
            value = argv[++i];
        }
        parallelism_given |= !strcmp(f->name, "parallelism");
        int rc = apply_flag(c, f, value);
        free(name);
        if (rc)
            return rc;
    }
    /* -D execution.checkpointing.interval is Flink's spelling of the commit interval */
    const char *ci = pmn_options_get(&c->flink_conf, "execution.checkpointing.interval");
    if (ci) {
        int64_t ms;
        int rc = pmn_parse_duration_ms(ci, &ms);
        if (rc)
            return pmn_error_set(PMN_EINVALID,
                                 "-D execution.checkpointing.interval: \"%s\" is not a duration",
                                 ci);
        c->commit_interval_ms = ms;
    }
    /* -D parallelism.default is Flink's spelling of --parallelism */
    const char *pd = pmn_options_get(&c->flink_conf, "parallelism.default");
    if (pd && !parallelism_given) {
        char *end;
        errno = 0;
        long long x = strtoll(pd, &end, 10);
        if (errno || *end || end == pd || x <= 0)
            return pmn_error_set(PMN_EINVALID,
                                 "-D parallelism.default expects a positive number, got \"%s\"",
                                 pd);
        c->parallelism = x;
    }
    /* --catalog_conf warehouse=... may stand in for --warehouse; they must agree */
    const char *cw = pmn_options_get(&c->catalog_conf, "warehouse");
    if (!c->warehouse && cw)
        c->warehouse = pmn_xstrdup(cw);
    const char *ms = pmn_options_get(&c->catalog_conf, "metastore");
    if (ms && strcmp(ms, "filesystem") != 0)
        return pmn_error_set(PMN_EINVALID,
                             "--catalog_conf metastore=%s is not supported; pgpaimon writes "
                             "filesystem catalogs (metastore=filesystem)",
                             ms);
    if (!c->warehouse)
        return pmn_error_set(PMN_EINVALID, "%s: --warehouse is required", action_name(kind));
    if (!c->database)
        return pmn_error_set(PMN_EINVALID, "%s: --database is required", action_name(kind));
    static const char *required_table[] = {"hostname", "username", "password", "database-name",
                                           "schema-name", "table-name", "slot.name"};
    pmn_buf missing = PMN_BUF_INIT;
    for (size_t i = 0; i < sizeof required_table / sizeof required_table[0]; i++) {
        if (kind == PMN_SYNC_DATABASE && !strcmp(required_table[i], "table-name"))
            continue;
        if (!pmn_options_get(&c->postgres_conf, required_table[i]))
            pmn_buf_printf(&missing, "%s%s", missing.len ? ", " : "", required_table[i]);
    }
    if (missing.len) {
        pmn_error_set(PMN_EINVALID,
                      "%s: missing required --postgres_conf key%s: %s (give each as "
                      "--postgres_conf key=value)",
                      action_name(kind), strchr(pmn_buf_cstr(&missing), ',') ? "s" : "",
                      pmn_buf_cstr(&missing));
        pmn_buf_dispose(&missing);
        return PMN_EINVALID;
    }
    pmn_buf_dispose(&missing);
    const char *plugin = pmn_options_get(&c->postgres_conf, "decoding.plugin.name");
    if (plugin && strcmp(plugin, "pgoutput") != 0)
        return pmn_error_set(PMN_EINVALID,
                             "--postgres_conf decoding.plugin.name=%s is not supported; pgpaimon "
                             "decodes pgoutput, PostgreSQL's built-in plugin (drop the key or "
                             "set it to pgoutput)",
                             plugin);
    if (c->mode && strcmp(c->mode, "divided") && strcmp(c->mode, "combined"))
        return pmn_error_set(PMN_EINVALID, "--mode must be divided or combined, got \"%s\"",
                             c->mode);
    return 0;
}

void pmn_sync_config_dispose(pmn_sync_config *c)
{
    free(c->warehouse);
    free(c->database);
    free(c->table);
    free_list(c->partition_keys, c->npartition_keys);
    free_list(c->primary_keys, c->nprimary_keys);
    free_list(c->type_mapping, c->ntype_mapping);
    free_list(c->computed_columns, c->ncomputed_columns);
    free_list(c->metadata_columns, c->nmetadata_columns);
    free(c->metadata_column_prefix);
    free(c->including_tables);
    free(c->excluding_tables);
    free(c->table_prefix);
    free(c->table_suffix);
    free(c->mode);
    pmn_options_dispose(&c->postgres_conf);
    pmn_options_dispose(&c->catalog_conf);
    pmn_options_dispose(&c->table_conf);
    pmn_options_dispose(&c->flink_conf);
    memset(c, 0, sizeof *c);
}

const char *pmn_sync_config_usage(pmn_sync_kind kind)
{
    static char text[2][8192];
    int k = kind == PMN_SYNC_TABLE ? 0 : 1;
    if (text[k][0])
        return text[k];
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_printf(&b,
                   "usage: pgpaimon %s --warehouse DIR --database DB%s\n"
                   "         --postgres_conf hostname=H --postgres_conf port=5432 "
                   "--postgres_conf username=U\n"
                   "         --postgres_conf password=P --postgres_conf database-name=D "
                   "--postgres_conf schema-name=S\n"
                   "         %s--postgres_conf slot.name=SLOT [options]\n\n"
                   "Paimon's %s action, without Flink: the same arguments.\n\noptions:\n",
                   action_name(kind), kind == PMN_SYNC_TABLE ? " [--table T]" : "",
                   kind == PMN_SYNC_TABLE ? "--postgres_conf table-name=REGEX " : "",
                   action_name(kind));
    unsigned bit = kind == PMN_SYNC_TABLE ? TABLE_ONLY : DB_ONLY;
    for (size_t i = 0; i < NFLAGS; i++)
        if (flags[i].actions & bit)
            pmn_buf_printf(&b, "  --%-38s %s\n", flags[i].name, flags[i].help);
    pmn_buf_printf(&b, "  -D %-39s %s\n", "key=value",
                   "Flink setting; execution.checkpointing.interval sets the commit interval, "
                   "parallelism.default the snapshot connections");
    snprintf(text[k], sizeof text[k], "%s", pmn_buf_cstr(&b));
    pmn_buf_dispose(&b);
    return text[k];
}
