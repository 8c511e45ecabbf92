/*
 * src/util/alloc.h
 *
 * Allocation wrappers that abort with a message on out-of-memory, so no
 * caller checks for NULL (style.md §3.6).
 */
#ifndef PMN_UTIL_ALLOC_H
#define PMN_UTIL_ALLOC_H

#include <stddef.h>

void *pmn_xmalloc(size_t n);
void *pmn_xcalloc(size_t count, size_t size);
void *pmn_xrealloc(void *p, size_t n);
char *pmn_xstrdup(const char *s);
char *pmn_xstrndup(const char *s, size_t n);
/* pmn_xasprintf: formatted string on the heap; caller frees. */
char *pmn_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow a dynamic array: ensure capacity for `need` elements of `elem` bytes. */
void *pmn_grow(void *p, size_t *cap, size_t need, size_t elem);
#define PMN_GROW(ptr, cap, need) ((ptr) = pmn_grow((ptr), &(cap), (need), sizeof *(ptr)))

#endif
