/*
 * src/pg/relcache.c
 *
 * Relation cache; see relcache.h. Linear arrays: a sync has a handful of
 * tables, and lookups happen once per change.
 */
#include "pg/relcache.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct typeinfo {
    uint32_t oid;
    char *name;
} typeinfo;

struct pmn_relcache {
    pmn_change_relation **current; /* one per relid */
    size_t ncurrent, cap_current;
    pmn_change_relation **retired; /* superseded versions, kept alive */
    size_t nretired, cap_retired;
    typeinfo *types;
    size_t ntypes, cap_types;
    size_t last_hit; /* index of the last relation found */
};

pmn_relcache *pmn_relcache_new(void)
{
    return pmn_xcalloc(1, sizeof(pmn_relcache));
}

void pmn_relcache_free(pmn_relcache *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->ncurrent; i++)
        pmn_change_relation_free(rc->current[i]);
    for (size_t i = 0; i < rc->nretired; i++)
        pmn_change_relation_free(rc->retired[i]);
    for (size_t i = 0; i < rc->ntypes; i++)
        free(rc->types[i].name);
    free(rc->current);
    free(rc->retired);
    free(rc->types);
    free(rc);
}

static pmn_change_relation **find(const pmn_relcache *rc, uint32_t relid)
{
    if (rc->last_hit < rc->ncurrent && rc->current[rc->last_hit]->relid == relid)
        return &rc->current[rc->last_hit];
    for (size_t i = 0; i < rc->ncurrent; i++)
        if (rc->current[i]->relid == relid) {
            ((pmn_relcache *)rc)->last_hit = i;
            return &rc->current[i];
        }
    return NULL;
}

const pmn_change_relation *pmn_relcache_put(pmn_relcache *rc, pmn_change_relation *rel,
                                            bool *changed)
{
    pmn_change_relation **slot = find(rc, rel->relid);
    if (slot && pmn_change_relation_same_shape(*slot, rel)) {
        pmn_change_relation_free(rel);
        *changed = false;
        return *slot;
    }
    *changed = true;
    if (slot) {
        rel->version = (*slot)->version + 1;
        PMN_GROW(rc->retired, rc->cap_retired, rc->nretired + 1);
        rc->retired[rc->nretired++] = *slot;
        *slot = rel;
        return rel;
    }
    rel->version = 1;
    PMN_GROW(rc->current, rc->cap_current, rc->ncurrent + 1);
    rc->current[rc->ncurrent++] = rel;
    return rel;
}

const pmn_change_relation *pmn_relcache_get(const pmn_relcache *rc, uint32_t relid)
{
    pmn_change_relation **slot = find(rc, relid);
    return slot ? *slot : NULL;
}

void pmn_relcache_put_type(pmn_relcache *rc, uint32_t oid, const char *nspname, const char *name)
{
    char *full = (nspname && *nspname && strcmp(nspname, "pg_catalog") != 0)
                     ? pmn_xasprintf("%s.%s", nspname, name)
                     : pmn_xstrdup(name);
    for (size_t i = 0; i < rc->ntypes; i++)
        if (rc->types[i].oid == oid) {
            free(rc->types[i].name);
            rc->types[i].name = full;
            return;
        }
    PMN_GROW(rc->types, rc->cap_types, rc->ntypes + 1);
    rc->types[rc->ntypes].oid = oid;
    rc->types[rc->ntypes].name = full;
    rc->ntypes++;
}

const char *pmn_relcache_type_name(const pmn_relcache *rc, uint32_t oid)
{
    for (size_t i = 0; i < rc->ntypes; i++)
        if (rc->types[i].oid == oid)
            return rc->types[i].name;
    return NULL;
}
