/*
 * src/sql/stmt.h
 *
 * The statement front end of `pgpaimon sql`: classifies one Flink SQL-client
 * statement and parses the ones the client executes itself (catalog, database
 * and table DDL, SHOW, DESCRIBE, SET/RESET, ALTER TABLE options, the targets of
 * INSERT and DELETE). Queries are only classified here; sql/rewrite.c turns
 * them into SQLite SQL. Pure: no catalog access, no SQLite.
 *
 * Grammar accepted (keywords case-insensitive, names may be `quoted`):
 *   CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/path')
 *   DROP CATALOG [IF EXISTS] c
 *   USE CATALOG c | USE [c.]db
 *   SHOW CATALOGS | DATABASES | TABLES [FROM|IN [c.]db] | CURRENT CATALOG
 *      | CURRENT DATABASE | CREATE TABLE t | COLUMNS FROM|IN t (= DESCRIBE t)
 *   CREATE DATABASE [IF NOT EXISTS] [c.]db [COMMENT '...'] [WITH (...)]
 *   DROP DATABASE [IF EXISTS] [c.]db [RESTRICT | CASCADE]
 *   DESCRIBE t | DESC t
 *   SET | SET 'k' = 'v' | RESET | RESET 'k'
 *   CREATE TABLE [IF NOT EXISTS] t (col type [NOT NULL] [PRIMARY KEY NOT ENFORCED]
 *      [COMMENT '...'], ..., [CONSTRAINT n] PRIMARY KEY (a, ...) NOT ENFORCED)
 *      [COMMENT '...'] [PARTITIONED BY (a, ...)] [WITH ('k' = 'v', ...)]
 *   DROP TABLE [IF EXISTS] t
 *   ALTER TABLE t SET ('k' = 'v', ...) | ALTER TABLE t RESET ('k', ...)
 *   ALTER TABLE t ADD [COLUMN] col type [COMMENT '...'] | ADD (col type, ...)
 *   ALTER TABLE t MODIFY [COLUMN] col type | MODIFY (col type, ...)
 *   ALTER TABLE t DROP [COLUMN] col | DROP (col, ...)
 *   ALTER TABLE t RENAME [COLUMN] a TO b
 *   INSERT { INTO | OVERWRITE } t [PARTITION (col = literal, ...)] [(col, ...)] query-or-VALUES
 *   UPDATE t SET col = expr [, ...] [WHERE condition]
 *   DELETE FROM t [WHERE condition]
 *   CALL sys.procedure(arg, ... | name => arg, ...)   (args: literals)
 *   EXPLAIN [PLAN FOR] query
 *   SELECT ... | WITH ... | VALUES ... | ( ... )     (a query)
 * Table names are t, db.t or catalog.db.t.
 */
#ifndef PMN_SQL_STMT_H
#define PMN_SQL_STMT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pmn_sql_stmt_kind {
    PMN_STMT_QUERY,
    PMN_STMT_CREATE_CATALOG,
    PMN_STMT_DROP_CATALOG,
    PMN_STMT_USE_CATALOG,
    PMN_STMT_USE_DATABASE,
    PMN_STMT_SHOW_CATALOGS,
    PMN_STMT_SHOW_DATABASES,
    PMN_STMT_SHOW_TABLES,
    PMN_STMT_SHOW_CURRENT_CATALOG,
    PMN_STMT_SHOW_CURRENT_DATABASE,
    PMN_STMT_SHOW_CREATE_TABLE,
    PMN_STMT_CREATE_DATABASE,
    PMN_STMT_DROP_DATABASE,
    PMN_STMT_DESCRIBE,
    PMN_STMT_SET,
    PMN_STMT_RESET,
    PMN_STMT_CREATE_TABLE,
    PMN_STMT_DROP_TABLE,
    PMN_STMT_ALTER_TABLE_SET,
    PMN_STMT_ALTER_TABLE_RESET,
    PMN_STMT_ALTER_TABLE_ADD,    /* columns */
    PMN_STMT_ALTER_TABLE_MODIFY, /* columns (the new types) */
    PMN_STMT_ALTER_TABLE_DROP,   /* insert_columns holds the names */
    PMN_STMT_ALTER_TABLE_RENAME, /* options[0]: key = old name, value = new name */
    PMN_STMT_INSERT,
    PMN_STMT_DELETE,
    PMN_STMT_UPDATE,
    PMN_STMT_CALL,    /* name = procedure; options = arguments (key = name or NULL, value) */
    PMN_STMT_EXPLAIN, /* body = the query */
} pmn_sql_stmt_kind;

/* A possibly qualified name as written: parts[0..nparts), e.g. {"lakehouse","products"}. */
typedef struct pmn_sql_name {
    char *parts[3]; /* owned */
    int nparts;     /* 0 when absent */
    size_t off;     /* byte offset of the name in the statement (for error positions) */
} pmn_sql_name;

typedef struct pmn_sql_option {
    char *key;   /* owned */
    char *value; /* owned; NULL for RESET keys */
} pmn_sql_option;

typedef struct pmn_sql_column {
    char *name;     /* owned */
    char *type_sql; /* owned: the type as written, e.g. "DECIMAL(10, 2) NOT NULL" */
    char *comment;  /* owned; NULL if none */
    size_t off;     /* offset of the column name */
} pmn_sql_column;

/* UPDATE ... SET column = expression: the expression is text[off, off + len). */
typedef struct pmn_sql_assign {
    char *column; /* owned */
    size_t off;   /* expression start */
    size_t len;   /* expression length */
} pmn_sql_assign;

typedef struct pmn_sql_stmt {
    pmn_sql_stmt_kind kind;
    pmn_sql_name name;       /* catalog, database or table the statement names */
    bool if_not_exists;      /* CREATE ... IF NOT EXISTS */
    bool if_exists;          /* DROP ... IF EXISTS */
    bool cascade;            /* DROP DATABASE ... CASCADE */
    pmn_sql_option *options; /* WITH (...), SET 'k'='v', ALTER SET/RESET (value NULL) */
    size_t noptions;
    pmn_sql_column *columns; /* CREATE TABLE, ALTER TABLE ADD / MODIFY */
    size_t ncolumns;
    char **primary_keys; /* CREATE TABLE; owned */
    size_t nprimary_keys;
    char **partition_keys; /* CREATE TABLE; owned */
    size_t npartition_keys;
    char *comment;         /* CREATE TABLE / DATABASE comment; owned */
    char **insert_columns; /* INSERT INTO t (a, b), ALTER TABLE DROP: owned; NULL = all */
    size_t ninsert_columns;
    bool overwrite;          /* INSERT OVERWRITE */
    pmn_sql_option *partition_spec; /* INSERT ... PARTITION (col = literal, ...): key = the
                                       column, value = the literal's SQL text (owned) */
    size_t npartition_spec;
    pmn_sql_assign *assigns; /* UPDATE ... SET (owned) */
    size_t nassigns;
    size_t body_off; /* QUERY: the query; INSERT: its source query; DELETE, UPDATE: */
    size_t body_len; /*   the WHERE condition (body_len 0 = no WHERE) */
} pmn_sql_stmt;

/* pmn_sql_stmt_parse: parse one statement text[0..len) (no trailing `;`). On error returns
 * PMN_EINVALID with a message "syntax error at line L, column C: ..." and leaves *out
 * disposed. The caller disposes *out on success. */
int pmn_sql_stmt_parse(const char *text, size_t len, pmn_sql_stmt *out);
/* pmn_sql_stmt_dispose: free what pmn_sql_stmt_parse allocated; s is zeroed. */
void pmn_sql_stmt_dispose(pmn_sql_stmt *s);

/* pmn_sql_name_string: the parts joined with dots (caller frees). */
char *pmn_sql_name_string(const pmn_sql_name *n);

#endif
