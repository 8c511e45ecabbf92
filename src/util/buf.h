/*
 * src/util/buf.h
 *
 * Growable byte buffer (curl dynbuf). Always NUL-terminated after the data so
 * it can be used as a C string. Appends abort on OOM (pmn_xrealloc).
 */
#ifndef PMN_UTIL_BUF_H
#define PMN_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct pmn_buf {
    uint8_t *data; /* owned; NULL until the first append */
    size_t len;    /* bytes used */
    size_t cap;    /* bytes allocated */
} pmn_buf;

#define PMN_BUF_INIT {NULL, 0, 0}

void pmn_buf_init(pmn_buf *b);
void pmn_buf_dispose(pmn_buf *b);
void pmn_buf_reset(pmn_buf *b);
void pmn_buf_reserve(pmn_buf *b, size_t extra);
void pmn_buf_put(pmn_buf *b, const void *p, size_t n);
void pmn_buf_putc(pmn_buf *b, uint8_t c);
void pmn_buf_puts(pmn_buf *b, const char *s);
void pmn_buf_printf(pmn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* pmn_buf_detach: hand the bytes to the caller (caller frees); b is reset. */
uint8_t *pmn_buf_detach(pmn_buf *b, size_t *len);
/* pmn_buf_cstr: the contents as a NUL-terminated string (borrowed). */
const char *pmn_buf_cstr(pmn_buf *b);

#endif
