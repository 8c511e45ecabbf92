/*
 * src/format/avro_internal.h
 *
 * Internals shared by the Avro module's files (not part of its interface):
 * inline varint encode/decode for the hot datum paths (Avro 1.11 spec,
 * "Binary Encoding": zig-zag varints, little-endian IEEE floats), and the
 * codec layer used by the container reader and writer.
 */
#ifndef PMN_FORMAT_AVRO_INTERNAL_H
#define PMN_FORMAT_AVRO_INTERNAL_H

#include "format/avro.h"

#include <string.h>

#define PMN_AVRO_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMN_AVRO_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Deepest nesting accepted in schemas and while skipping data (guards the C stack). */
#define PMN_AVRO_MAX_DEPTH 128

static inline void pmn_avro__fail(pmn_avro_cursor *c)
{
    c->overflow = true;
    c->p = c->end;
}

/* pmn_avro__varint_word: a varint of at most 8 bytes held in the little-endian word w (read
 * from p with 8 bytes available): its byte length in *len, or 0 when longer. The 7-bit
 * groups are gathered pairwise (8 -> 4 -> 2 -> 1 lanes) instead of one byte at a time. */
static inline uint64_t pmn_avro__varint_word(uint64_t w, size_t *len)
{
    uint64_t stops = ~w & 0x8080808080808080ULL;
    if (PMN_AVRO_UNLIKELY(stops == 0)) {
        *len = 0;
        return 0;
    }
    size_t n = (size_t)__builtin_ctzll(stops) / 8 + 1;
    *len = n;
    uint64_t x = (n == 8 ? w : w & ((1ULL << (8 * n)) - 1)) & 0x7f7f7f7f7f7f7f7fULL;
    x = ((x & 0x7f007f007f007f00ULL) >> 1) | (x & 0x007f007f007f007fULL);
    x = ((x & 0x3fff00003fff0000ULL) >> 2) | (x & 0x00003fff00003fffULL);
    x = ((x & 0x0fffffff00000000ULL) >> 4) | (x & 0x000000000fffffffULL);
    return x;
}

/* Zig-zag varint of at most 10 bytes; a longer or over-wide one sets overflow. */
__attribute__((always_inline)) static inline int64_t pmn_avro__get_long(pmn_avro_cursor *c)
{
    const uint8_t *p = c->p;
    size_t avail = (size_t)(c->end - p);
    if (PMN_AVRO_LIKELY(avail > 0 && p[0] < 0x80)) {
        c->p = p + 1;
        uint64_t v = p[0];
        return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    }
    if (PMN_AVRO_LIKELY(avail >= 8)) {
        uint64_t w;
        memcpy(&w, p, 8);
        size_t n;
        uint64_t v = pmn_avro__varint_word(w, &n);
        if (PMN_AVRO_LIKELY(n)) {
            c->p = p + n;
            return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
        }
    }
    size_t max = avail < 10 ? avail : 10;
    uint64_t v = 0;
    for (size_t i = 0; i < max; i++) {
        uint8_t b = p[i];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (i == 9 && b > 1) /* bits beyond 64 */
                break;
            c->p = p + i + 1;
            return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
        }
    }
    pmn_avro__fail(c);
    return 0;
}

/* pmn_avro__skip_long: step over a varint without computing its value. */
static inline void pmn_avro__skip_long(pmn_avro_cursor *c)
{
    const uint8_t *p = c->p;
    if (PMN_AVRO_LIKELY((size_t)(c->end - p) >= 8)) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t stops = ~w & 0x8080808080808080ULL;
        if (PMN_AVRO_LIKELY(stops)) {
            c->p = p + __builtin_ctzll(stops) / 8 + 1;
            return;
        }
    }
    (void)pmn_avro__get_long(c);
}

/* An Avro int: a varint whose value must fit 32 bits. */
static inline int32_t pmn_avro__get_int(pmn_avro_cursor *c)
{
    int64_t v = pmn_avro__get_long(c);
    if (PMN_AVRO_UNLIKELY(v < INT32_MIN || v > INT32_MAX)) {
        pmn_avro__fail(c);
        return 0;
    }
    return (int32_t)v;
}

static inline const uint8_t *pmn_avro__get_bytes(pmn_avro_cursor *c, uint32_t *len)
{
    int64_t n = pmn_avro__get_long(c);
    if (PMN_AVRO_UNLIKELY(n < 0 || (uint64_t)n > (uint64_t)(c->end - c->p) || n > UINT32_MAX)) {
        pmn_avro__fail(c);
        *len = 0;
        return c->end;
    }
    const uint8_t *p = c->p;
    c->p += n;
    *len = (uint32_t)n;
    return p;
}

static inline const uint8_t *pmn_avro__take(pmn_avro_cursor *c, size_t n)
{
    if (PMN_AVRO_UNLIKELY((size_t)(c->end - c->p) < n)) {
        pmn_avro__fail(c);
        return NULL;
    }
    const uint8_t *p = c->p;
    c->p += n;
    return p;
}

/* Encode v at dst (>= 10 bytes free); returns bytes written. */
static inline size_t pmn_avro__encode_long(uint8_t *dst, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    while (z >= 0x80) {
        dst[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    dst[n++] = (uint8_t)z;
    return n;
}

static inline void pmn_avro__put_long(pmn_buf *b, int64_t v)
{
    if (PMN_AVRO_UNLIKELY(b->cap - b->len < 12))
        pmn_buf_reserve(b, 11);
    b->len += pmn_avro__encode_long(b->data + b->len, v);
    b->data[b->len] = 0;
}

static inline void pmn_avro__put_raw(pmn_buf *b, const void *p, size_t n)
{
    if (PMN_AVRO_UNLIKELY(b->cap - b->len < n + 1))
        pmn_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

/* pmn_avro__zero_width: true if values of s can occupy no bytes (null, empty records, fixed
 * of size 0); such arrays may legitimately hold more items than there are bytes left. */
bool pmn_avro__zero_width(const pmn_avro_schema *s);

/* How to step over one value without decoding it: the common shapes (numbers, strings,
 * bytes, fixed, and ["null", one of them]) get a flat op, anything else the generic skip. */
enum {
    PMN_AVRO_SK_GENERIC,
    PMN_AVRO_SK_NONE,
    PMN_AVRO_SK_VARINT,
    PMN_AVRO_SK_BYTES,
    PMN_AVRO_SK_FIXED
};

typedef struct pmn_avro_skipper {
    uint8_t op;
    int8_t union_value;            /* >= 0: a union; the branch that holds a value of `op` */
    int8_t union_null;             /* the null branch of that union */
    int32_t fixed;                 /* PMN_AVRO_SK_FIXED byte count */
    const pmn_avro_schema *schema; /* PMN_AVRO_SK_GENERIC */
} pmn_avro_skipper;

/* pmn_avro__skipper_init: the skipper for values of writer schema s (borrowed). */
void pmn_avro__skipper_init(pmn_avro_skipper *k, const pmn_avro_schema *s);

/* pmn_avro__skip_with: step over one value as k says; malformed data sets overflow. */
static inline void pmn_avro__skip_with(pmn_avro_cursor *c, const pmn_avro_skipper *k)
{
    if (k->union_value >= 0) {
        int64_t b = pmn_avro__get_long(c);
        if (b != k->union_value) {
            if (b != k->union_null)
                pmn_avro__fail(c);
            return;
        }
    }
    switch (k->op) {
    case PMN_AVRO_SK_NONE:
        break;
    case PMN_AVRO_SK_VARINT:
        pmn_avro__skip_long(c);
        break;
    case PMN_AVRO_SK_BYTES: {
        uint32_t len;
        pmn_avro__get_bytes(c, &len);
        break;
    }
    case PMN_AVRO_SK_FIXED:
        pmn_avro__take(c, (size_t)k->fixed);
        break;
    default:
        pmn_avro_skip(c, k->schema);
        break;
    }
}

/* ---- codecs (avro_codec.c) ---- */

typedef struct pmn_avro_codec_state pmn_avro_codec_state;

/* pmn_avro__codec_name: the Avro name written to avro.codec. */
const char *pmn_avro__codec_name(pmn_avro_codec codec);
/* pmn_avro__codec_new: compression/decompression contexts, created lazily. Caller frees. */
pmn_avro_codec_state *pmn_avro__codec_new(pmn_avro_codec codec, int level);
void pmn_avro__codec_free(pmn_avro_codec_state *st);
/* pmn_avro__compress: replace out's contents with the codec's block data for in[0..n). */
int pmn_avro__compress(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out);
/* pmn_avro__decompress: replace out's contents with the uncompressed block; at most `limit`
 * bytes. PMN_ECORRUPT (message without the file name) on malformed data. */
int pmn_avro__decompress(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out,
                         size_t limit);

#endif
