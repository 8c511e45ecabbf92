/*
 * src/pg/msgbuf.h
 *
 * Big-endian cursor over one protocol message (pgoutput, CopyBoth frames)
 * with a sticky overflow flag (style.md §3.5): a read past the end returns 0
 * (or "" / NULL) and sets `overflow`; the decoder checks the flag once, after
 * reading field by field, and reports PMN_ECORRUPT with the offset.
 */
#ifndef PMN_PG_MSGBUF_H
#define PMN_PG_MSGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_msgbuf {
    const uint8_t *data; /* borrowed */
    size_t len;
    size_t pos;
    bool overflow;      /* sticky: some read went past the end */
    size_t overflow_at; /* offset of the first read that failed */
} pmn_msgbuf;

/* pmn_msgbuf_init: cursor at offset 0 of data[0..len) (borrowed). */
void pmn_msgbuf_init(pmn_msgbuf *m, const void *data, size_t len);
uint8_t pmn_msgbuf_u8(pmn_msgbuf *m);
uint16_t pmn_msgbuf_u16(pmn_msgbuf *m);
uint32_t pmn_msgbuf_u32(pmn_msgbuf *m);
uint64_t pmn_msgbuf_u64(pmn_msgbuf *m);
/* pmn_msgbuf_cstr: a NUL-terminated string inside the buffer (borrowed); "" on overflow. */
const char *pmn_msgbuf_cstr(pmn_msgbuf *m);
/* pmn_msgbuf_bytes: pointer to the next n bytes (borrowed), NULL on overflow. */
const uint8_t *pmn_msgbuf_bytes(pmn_msgbuf *m, size_t n);
/* pmn_msgbuf_remaining: bytes not yet read. */
size_t pmn_msgbuf_remaining(const pmn_msgbuf *m);

/* Writers into a fixed array (status updates): store big-endian at p, return p + width. */
uint8_t *pmn_msgbuf_put_u64(uint8_t *p, uint64_t v);
uint8_t *pmn_msgbuf_put_u32(uint8_t *p, uint32_t v);

#endif
