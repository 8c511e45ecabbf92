/*
 * src/sql/vtab.h
 *
 * The SQLite virtual-table module "paimon": a lake table (or one of its system
 * tables) as an SQL table. Usage manual and plan encoding: sql/vtab.c.
 */
#ifndef PMN_SQL_VTAB_H
#define PMN_SQL_VTAB_H

#include "pmn/catalog.h"

#include <sqlite3.h>
#include <stdint.h>

/* Maps a catalog name used in CREATE VIRTUAL TABLE ... USING paimon(catalog='c', ...) to an
 * open catalog (borrowed), or NULL if there is no such catalog. */
typedef pmn_catalog *(*pmn_vtab_catalog_fn)(void *arg, const char *name);

/* What the module's scans read, summed over every scan (pmn_scan_stats). */
typedef struct pmn_vtab_stats {
    uint64_t scans;      /* pmn_scan_open calls */
    uint64_t files_read; /* data files opened */
    uint64_t rows_read;  /* rows decoded */
} pmn_vtab_stats;

/* pmn_vtab_register: register the module "paimon" on db. lookup/arg resolve catalog names;
 * stats (may be NULL) accumulates what scans read. All must outlive db. Returns 0 or
 * PMN_ERROR with SQLite's message. */
int pmn_vtab_register(sqlite3 *db, pmn_vtab_catalog_fn lookup, void *arg, pmn_vtab_stats *stats);

#endif
