/*
 * src/sync/config.h
 *
 * The arguments of `pgpaimon postgres_sync_table` and `postgres_sync_database`,
 * named and shaped as Paimon's Flink actions take them (peers.md §1.2, §1.3):
 * `--flag value` or `--flag=value`, repeatable `--postgres_conf k=v`,
 * `--catalog_conf k=v`, `--table_conf k=v`, `--computed_column`, and the Flink
 * job flags the guide shows (`--parallelism`, `--checkpointing-interval`,
 * `--state-backend`, `-D key=value`).
 */
#ifndef PMN_SYNC_CONFIG_H
#define PMN_SYNC_CONFIG_H

#include "paimon/options.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum pmn_sync_kind {
    PMN_SYNC_TABLE,    /* postgres_sync_table */
    PMN_SYNC_DATABASE, /* postgres_sync_database */
} pmn_sync_kind;

typedef struct pmn_sync_config {
    pmn_sync_kind kind;
    char *warehouse;
    char *database;            /* Paimon database */
    char *table;               /* Paimon table (postgres_sync_table --table); NULL = per source */
    char **partition_keys;
    size_t npartition_keys;
    char **primary_keys;
    size_t nprimary_keys;
    bool sync_primary_keys_from_source_schema; /* default true */
    char **type_mapping;       /* to-string, to-nullable, char-to-string, ... */
    size_t ntype_mapping;
    char **computed_columns;   /* "name=expression" as given */
    size_t ncomputed_columns;
    char **metadata_columns;   /* table_name, database_name, schema_name, op_ts, _op_type, ... */
    size_t nmetadata_columns;
    char *metadata_column_prefix;
    pmn_options postgres_conf;
    pmn_options catalog_conf;
    pmn_options table_conf;
    /* postgres_sync_database */
    char *including_tables;    /* regex, NULL = all */
    char *excluding_tables;
    char *table_prefix;
    char *table_suffix;
    char *mode;                /* divided | combined */
    bool ignore_incompatible;
    /* Flink job flags */
    int64_t parallelism;       /* copy connections for the initial snapshot */
    int64_t commit_interval_ms; /* --checkpointing-interval / execution.checkpointing.interval */
    pmn_options flink_conf;    /* -D key=value */
} pmn_sync_config;

/* pmn_sync_config_parse: argv[0] is the action name. PMN_EINVALID with a message naming the bad
 * or unknown flag (listing the valid ones) or the missing required key. */
int pmn_sync_config_parse(pmn_sync_kind kind, int argc, char **argv, pmn_sync_config *cfg);
void pmn_sync_config_dispose(pmn_sync_config *cfg);
/* pmn_sync_config_usage: the --help text of the action. */
const char *pmn_sync_config_usage(pmn_sync_kind kind);

#endif
