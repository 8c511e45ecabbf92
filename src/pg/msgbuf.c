/*
 * src/pg/msgbuf.c
 *
 * Big-endian cursor with a sticky overflow flag; see msgbuf.h.
 */
#include "pg/msgbuf.h"

#include <string.h>

void pmn_msgbuf_init(pmn_msgbuf *m, const void *data, size_t len)
{
    m->data = data;
    m->len = len;
    m->pos = 0;
    m->overflow = false;
    m->overflow_at = 0;
}

static bool take(pmn_msgbuf *m, size_t n)
{
    if (m->overflow)
        return false;
    if (n > m->len - m->pos) {
        m->overflow = true;
        m->overflow_at = m->pos;
        return false;
    }
    return true;
}

uint8_t pmn_msgbuf_u8(pmn_msgbuf *m)
{
    if (!take(m, 1))
        return 0;
    return m->data[m->pos++];
}

uint16_t pmn_msgbuf_u16(pmn_msgbuf *m)
{
    if (!take(m, 2))
        return 0;
    const uint8_t *p = m->data + m->pos;
    m->pos += 2;
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t pmn_msgbuf_u32(pmn_msgbuf *m)
{
    if (!take(m, 4))
        return 0;
    const uint8_t *p = m->data + m->pos;
    m->pos += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t pmn_msgbuf_u64(pmn_msgbuf *m)
{
    uint64_t hi = pmn_msgbuf_u32(m);
    uint64_t lo = pmn_msgbuf_u32(m);
    return (hi << 32) | lo;
}

const char *pmn_msgbuf_cstr(pmn_msgbuf *m)
{
    if (m->overflow)
        return "";
    const uint8_t *start = m->data + m->pos;
    const uint8_t *nul = memchr(start, 0, m->len - m->pos);
    if (!nul) {
        m->overflow = true;
        m->overflow_at = m->pos;
        return "";
    }
    m->pos += (size_t)(nul - start) + 1;
    return (const char *)start;
}

const uint8_t *pmn_msgbuf_bytes(pmn_msgbuf *m, size_t n)
{
    if (!take(m, n))
        return NULL;
    const uint8_t *p = m->data + m->pos;
    m->pos += n;
    return p;
}

size_t pmn_msgbuf_remaining(const pmn_msgbuf *m)
{
    return m->len - m->pos;
}

uint8_t *pmn_msgbuf_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

uint8_t *pmn_msgbuf_put_u64(uint8_t *p, uint64_t v)
{
    p = pmn_msgbuf_put_u32(p, (uint32_t)(v >> 32));
    return pmn_msgbuf_put_u32(p, (uint32_t)v);
}
