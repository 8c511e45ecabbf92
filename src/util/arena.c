/*
 * src/util/arena.c
 *
 * Bump allocator; see arena.h. Blocks grow geometrically up to 1 MiB; a
 * request larger than a block gets a block of its own.
 */
#include "util/arena.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_BLOCK 4096
#define ARENA_MAX_BLOCK (1u << 20)

struct pmn_arena_block {
    pmn_arena_block *next; /* older block */
    size_t size;           /* usable bytes in data[] */
    size_t used;           /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

void pmn_arena_init(pmn_arena *a)
{
    a->head = NULL;
    a->used_bytes = 0;
    a->spare = NULL;
}

static void free_blocks(pmn_arena_block *b)
{
    while (b) {
        pmn_arena_block *n = b->next;
        free(b);
        b = n;
    }
}

/* arena_take: n bytes, aligned, not cleared */
static void *arena_take(pmn_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    pmn_arena_block *b = a->head;
    if ((!b || b->size - b->used < n) && a->spare && a->spare->size >= n) {
        pmn_arena_block *nb = a->spare;
        a->spare = nb->next;
        nb->used = 0;
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    if (!b || b->size - b->used < n) {
        size_t size = b ? b->size * 2 : ARENA_MIN_BLOCK;
        if (size > ARENA_MAX_BLOCK)
            size = ARENA_MAX_BLOCK;
        if (size < n)
            size = n;
        pmn_arena_block *nb = pmn_xmalloc(sizeof *nb + size);
        nb->size = size;
        nb->used = 0;
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_bytes += n;
    return p;
}

void *pmn_arena_alloc(pmn_arena *a, size_t n)
{
    void *p = arena_take(a, n);
    memset(p, 0, (n + 15) & ~(size_t)15);
    return p;
}

void *pmn_arena_memdup(pmn_arena *a, const void *p, size_t n)
{
    void *q = arena_take(a, n ? n : 1); /* every byte is copied over: no need to clear */
    if (n)
        memcpy(q, p, n);
    return q;
}

char *pmn_arena_strndup(pmn_arena *a, const char *s, size_t n)
{
    char *q = pmn_arena_alloc(a, n + 1);
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *pmn_arena_strdup(pmn_arena *a, const char *s)
{
    return pmn_arena_strndup(a, s, strlen(s));
}

void pmn_arena_rewind(pmn_arena *a)
{
    size_t keep = a->used_bytes, kept = 0;
    pmn_arena_block *all[2] = {a->head, a->spare};
    a->head = a->spare = NULL;
    a->used_bytes = 0;
    for (int l = 0; l < 2; l++) {
        pmn_arena_block *b = all[l];
        while (b) {
            pmn_arena_block *n = b->next;
            if (kept < keep) {
                kept += b->size;
                b->next = a->spare;
                a->spare = b;
            } else {
                free(b);
            }
            b = n;
        }
    }
}

void pmn_arena_reset(pmn_arena *a)
{
    free_blocks(a->spare);
    a->spare = NULL;
    pmn_arena_block *b = a->head;
    if (!b)
        return;
    /* keep the largest (newest) block */
    pmn_arena_block *rest = b->next;
    while (rest) {
        pmn_arena_block *n = rest->next;
        free(rest);
        rest = n;
    }
    b->next = NULL;
    b->used = 0;
    a->used_bytes = 0;
}

void pmn_arena_free(pmn_arena *a)
{
    free_blocks(a->head);
    free_blocks(a->spare);
    a->spare = NULL;
    a->head = NULL;
    a->used_bytes = 0;
}
