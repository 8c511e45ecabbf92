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

/* Maps a catalog name used in CREATE VIRTUAL TABLE ... USING paimon(catalog='c', ...) to an
 * open catalog (borrowed), or NULL if there is no such catalog. */
typedef pmn_catalog *(*pmn_vtab_catalog_fn)(void *arg, const char *name);

/* pmn_vtab_register: register the module "paimon" on db. lookup/arg resolve catalog names
 * and must outlive db. Returns 0 or PMN_ERROR with SQLite's message. */
int pmn_vtab_register(sqlite3 *db, pmn_vtab_catalog_fn lookup, void *arg);

#endif
