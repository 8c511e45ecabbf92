/*
 * src/util/arena.h
 *
 * Bump allocator for bulk lifetimes: one decoded transaction, one scan, one
 * batch of rows. Everything allocated from an arena is released together by
 * pmn_arena_reset() or pmn_arena_free().
 */
#ifndef PMN_UTIL_ARENA_H
#define PMN_UTIL_ARENA_H

#include <stddef.h>

typedef struct pmn_arena_block pmn_arena_block;
typedef struct pmn_arena {
    pmn_arena_block *head; /* current block (newest first) */
    size_t used_bytes;     /* bytes handed out since the last reset */
    pmn_arena_block *spare; /* empty blocks kept by pmn_arena_rewind */
} pmn_arena;

#define PMN_ARENA_INIT {NULL, 0, NULL}

void pmn_arena_init(pmn_arena *a);
/* pmn_arena_alloc: n bytes aligned to 16, zero-filled; valid until reset/free. */
void *pmn_arena_alloc(pmn_arena *a, size_t n);
void *pmn_arena_memdup(pmn_arena *a, const void *p, size_t n);
char *pmn_arena_strdup(pmn_arena *a, const char *s);
char *pmn_arena_strndup(pmn_arena *a, const char *s, size_t n);
/* pmn_arena_reset: forget all allocations but keep one block for reuse. */
void pmn_arena_reset(pmn_arena *a);
/* pmn_arena_rewind: forget all allocations but keep as many blocks as they filled, to be
 * reused by the next allocations (a buffer refilled to a similar size then writes to pages
 * already mapped instead of faulting fresh ones in); blocks beyond that are freed, so a
 * small round after a large one gives the memory back. */
void pmn_arena_rewind(pmn_arena *a);
void pmn_arena_free(pmn_arena *a);

#endif
