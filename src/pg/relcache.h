/*
 * src/pg/relcache.h
 *
 * Relation cache of a pgoutput session, keyed by table OID (shared/pgoutput.md
 * §3.2, §3.6): the current mapped shape of each relation from its latest
 * Relation message, plus the type names announced by Type ('Y') messages.
 * Relation messages are re-sent often without any change (ANALYZE, VACUUM,
 * TRUNCATE, each START_REPLICATION); put() recognises those and keeps the
 * current version. Superseded versions stay alive until the cache is freed,
 * because changes already handed out may point to them.
 */
#ifndef PMN_PG_RELCACHE_H
#define PMN_PG_RELCACHE_H

#include "change/change.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pmn_relcache pmn_relcache;

/* pmn_relcache_new: an empty cache; caller owns, free with pmn_relcache_free. */
pmn_relcache *pmn_relcache_new(void);
void pmn_relcache_free(pmn_relcache *rc);
/* pmn_relcache_put: take ownership of rel. If it has the same shape as the current version
 * for its relid, rel is freed, *changed = false and the current version is returned;
 * otherwise it becomes current with version = previous + 1 (1 for the first) and
 * *changed = true. The returned pointer is borrowed, valid until pmn_relcache_free. */
const pmn_change_relation *pmn_relcache_put(pmn_relcache *rc, pmn_change_relation *rel,
                                            bool *changed);
/* pmn_relcache_get: the current version for relid, or NULL. Borrowed. */
const pmn_change_relation *pmn_relcache_get(const pmn_relcache *rc, uint32_t relid);
/* pmn_relcache_put_type / _type_name: remember a Type message ("nsp.name", or "name" for
 * pg_catalog). type_name returns NULL if the OID was never announced. Borrowed. */
void pmn_relcache_put_type(pmn_relcache *rc, uint32_t oid, const char *nspname, const char *name);
const char *pmn_relcache_type_name(const pmn_relcache *rc, uint32_t oid);

#endif
