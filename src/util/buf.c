/*
 * src/util/buf.c
 *
 * Growable byte buffer; see buf.h.
 */
#include "util/buf.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void pmn_buf_init(pmn_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void pmn_buf_dispose(pmn_buf *b)
{
    free(b->data);
    pmn_buf_init(b);
}

void pmn_buf_reset(pmn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void pmn_buf_reserve(pmn_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    b->data = pmn_xrealloc(b->data, ncap);
    b->cap = ncap;
    b->data[b->len] = 0;
}

void pmn_buf_put(pmn_buf *b, const void *p, size_t n)
{
    pmn_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void pmn_buf_putc(pmn_buf *b, uint8_t c)
{
    pmn_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}

void pmn_buf_puts(pmn_buf *b, const char *s)
{
    pmn_buf_put(b, s, strlen(s));
}

void pmn_buf_printf(pmn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    pmn_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

uint8_t *pmn_buf_detach(pmn_buf *b, size_t *len)
{
    if (!b->data)
        pmn_buf_reserve(b, 0);
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    pmn_buf_init(b);
    return p;
}

const char *pmn_buf_cstr(pmn_buf *b)
{
    if (!b->data)
        pmn_buf_reserve(b, 0);
    return (const char *)b->data;
}
