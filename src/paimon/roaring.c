/*
 * src/paimon/roaring.c
 *
 * RoaringBitmap portable-format decoder; see roaring.h. Layout of one 32-bit
 * bitmap (RoaringFormatSpec "General layout"):
 *
 *   cookie    u32 12346 (no run containers), then u32 container count; or
 *             u16 12347 | (count - 1) << 16, then ceil(count / 8) bytes of
 *             "is a run container" bits (LSB first)
 *   headers   per container u16 key (high 16 bits), u16 cardinality - 1
 *   offsets   per container u32, present with cookie 12346 or with 12347 and
 *             count >= 4 (NO_OFFSET_THRESHOLD); not needed to decode in order
 *   payloads  run: u16 run count, then (start, length - 1) u16 pairs;
 *             array (cardinality <= 4096): sorted u16 values;
 *             bitset: 1024 u64 words, bit j of word i = value 64 i + j
 */
#include "paimon/roaring.h"

#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

enum { COOKIE_NO_RUN = 12346, COOKIE_RUN = 12347, NO_OFFSET_THRESHOLD = 4, ARRAY_MAX = 4096 };
enum { C_ARRAY, C_BITSET, C_RUN };

typedef struct container {
    uint64_t key;   /* value >> 16 */
    int type;
    uint32_t n;     /* array: values; run: runs; bitset: 1024 */
    uint16_t *u16;  /* array values, or run (start, length - 1) pairs */
    uint64_t *words;
} container;

struct pmn_roaring {
    container *c;
    size_t n, cap;
    uint64_t cardinality;
};

typedef struct cursor {
    const uint8_t *base, *p, *end;
} cursor;

static bool need(const cursor *c, size_t n)
{
    return (size_t)(c->end - c->p) >= n;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int truncated(const cursor *c, const char *what)
{
    return pmn_error_set(PMN_ECORRUPT, "roaring bitmap truncated in %s at byte %zu", what,
                         (size_t)(c->p - c->base));
}

/* read_payload: decode container x's payload at the cursor; card = header cardinality. */
static int read_payload(cursor *cur, container *x, bool run, uint32_t card, uint64_t *total)
{
    if (run) {
        if (!need(cur, 2))
            return truncated(cur, "a run container");
        uint32_t nruns = le16(cur->p);
        cur->p += 2;
        if (!need(cur, (size_t)nruns * 4))
            return truncated(cur, "a run container");
        x->type = C_RUN;
        x->n = nruns;
        x->u16 = pmn_xmalloc(sizeof *x->u16 * 2 * ((size_t)nruns + 1));
        uint32_t sum = 0;
        int64_t prev_end = -1;
        for (uint32_t i = 0; i < nruns; i++) {
            uint32_t start = le16(cur->p + 4 * i), len1 = le16(cur->p + 4 * i + 2);
            if ((int64_t)start <= prev_end || start + len1 > 0xFFFF)
                return pmn_error_set(PMN_ECORRUPT,
                                     "roaring bitmap: run %u of container %llu is out of order "
                                     "or past 65535",
                                     i, (unsigned long long)x->key);
            prev_end = start + len1;
            x->u16[2 * i] = (uint16_t)start;
            x->u16[2 * i + 1] = (uint16_t)len1;
            sum += len1 + 1;
        }
        cur->p += (size_t)nruns * 4;
        if (sum != card)
            return pmn_error_set(PMN_ECORRUPT,
                                 "roaring bitmap: run container %llu holds %u values, its header "
                                 "says %u",
                                 (unsigned long long)x->key, sum, card);
    } else if (card <= ARRAY_MAX) {
        if (!need(cur, (size_t)card * 2))
            return truncated(cur, "an array container");
        x->type = C_ARRAY;
        x->n = card;
        x->u16 = pmn_xmalloc(sizeof *x->u16 * ((size_t)card + 1));
        for (uint32_t i = 0; i < card; i++) {
            x->u16[i] = le16(cur->p + 2 * i);
            if (i > 0 && x->u16[i] <= x->u16[i - 1])
                return pmn_error_set(PMN_ECORRUPT,
                                     "roaring bitmap: array container %llu is not sorted",
                                     (unsigned long long)x->key);
        }
        cur->p += (size_t)card * 2;
    } else {
        if (!need(cur, 8192))
            return truncated(cur, "a bitset container");
        x->type = C_BITSET;
        x->n = 1024;
        x->words = pmn_xmalloc(8192);
        uint32_t bits = 0;
        for (uint32_t i = 0; i < 1024; i++) {
            x->words[i] = le64(cur->p + 8 * i);
            bits += (uint32_t)__builtin_popcountll(x->words[i]);
        }
        cur->p += 8192;
        if (bits != card)
            return pmn_error_set(PMN_ECORRUPT,
                                 "roaring bitmap: bitset container %llu holds %u values, its "
                                 "header says %u",
                                 (unsigned long long)x->key, bits, card);
    }
    *total += card;
    return 0;
}

/* read32: append the containers of one 32-bit bitmap at the cursor, keys prefixed by high. */
static int read32(pmn_roaring *r, cursor *cur, uint64_t high)
{
    const uint8_t *start = cur->p;
    if (!need(cur, 4))
        return truncated(cur, "the cookie");
    uint32_t cookie = le32(cur->p);
    cur->p += 4;
    uint32_t count;
    const uint8_t *runbits = NULL;
    bool offsets;
    if (cookie == COOKIE_NO_RUN) {
        if (!need(cur, 4))
            return truncated(cur, "the cookie");
        count = le32(cur->p);
        cur->p += 4;
        if (count > 65536)
            return pmn_error_set(PMN_ECORRUPT, "roaring bitmap: %u containers (at most 65536)",
                                 count);
        offsets = true;
    } else if ((cookie & 0xFFFF) == COOKIE_RUN) {
        count = (cookie >> 16) + 1;
        size_t nbytes = (count + 7) / 8;
        if (!need(cur, nbytes))
            return truncated(cur, "the run-container bitset");
        runbits = cur->p;
        cur->p += nbytes;
        offsets = count >= NO_OFFSET_THRESHOLD;
    } else {
        return pmn_error_set(PMN_ECORRUPT,
                             "roaring bitmap: cookie %u at byte %zu is neither 12346 nor 12347",
                             cookie & 0xFFFF, (size_t)(start - cur->base));
    }
    if (!need(cur, (size_t)count * (offsets ? 8 : 4)))
        return truncated(cur, "the container headers");
    const uint8_t *headers = cur->p;
    cur->p += (size_t)count * (offsets ? 8 : 4);
    PMN_GROW(r->c, r->cap, r->n + count + 1);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t key = high << 16 | le16(headers + 4 * i);
        uint32_t card = (uint32_t)le16(headers + 4 * i + 2) + 1;
        if (r->n > 0 && key <= r->c[r->n - 1].key)
            return pmn_error_set(PMN_ECORRUPT,
                                 "roaring bitmap: container keys are not ascending at container "
                                 "%u",
                                 i);
        container *x = &r->c[r->n++];
        memset(x, 0, sizeof *x);
        x->key = key;
        bool run = runbits && (runbits[i / 8] >> (i % 8) & 1);
        int rc = read_payload(cur, x, run, card, &r->cardinality);
        if (rc)
            return rc;
    }
    return 0;
}

static int finish(pmn_roaring *r, const cursor *cur, pmn_roaring **out)
{
    if (cur->p != cur->end) {
        pmn_roaring_free(r);
        return pmn_error_set(PMN_ECORRUPT, "roaring bitmap: %zu trailing bytes after byte %zu",
                             (size_t)(cur->end - cur->p), (size_t)(cur->p - cur->base));
    }
    *out = r;
    return 0;
}

int pmn_roaring_decode32(const uint8_t *data, size_t len, pmn_roaring **out)
{
    pmn_roaring *r = pmn_xcalloc(1, sizeof *r);
    cursor cur = {data, data, data + len};
    int rc = read32(r, &cur, 0);
    if (rc) {
        pmn_roaring_free(r);
        return rc;
    }
    return finish(r, &cur, out);
}

int pmn_roaring_decode64(const uint8_t *data, size_t len, pmn_roaring **out)
{
    pmn_roaring *r = pmn_xcalloc(1, sizeof *r);
    cursor cur = {data, data, data + len};
    if (!need(&cur, 8)) {
        pmn_roaring_free(r);
        return truncated(&cur, "the bucket count");
    }
    uint64_t nbuckets = le64(cur.p);
    cur.p += 8;
    /* every bucket takes at least 12 bytes (key + empty bitmap) */
    if (nbuckets > (len - 8) / 12) {
        pmn_roaring_free(r);
        return pmn_error_set(PMN_ECORRUPT,
                             "roaring64 bitmap: %llu buckets cannot fit in %zu bytes",
                             (unsigned long long)nbuckets, len);
    }
    int64_t prev = -1;
    for (uint64_t b = 0; b < nbuckets; b++) {
        if (!need(&cur, 4)) {
            pmn_roaring_free(r);
            return truncated(&cur, "a bucket key");
        }
        uint32_t high = le32(cur.p);
        cur.p += 4;
        if ((int64_t)high <= prev) {
            pmn_roaring_free(r);
            return pmn_error_set(PMN_ECORRUPT,
                                 "roaring64 bitmap: bucket keys are not ascending (%u after %lld)",
                                 high, (long long)prev);
        }
        prev = high;
        int rc = read32(r, &cur, high);
        if (rc) {
            pmn_roaring_free(r);
            return rc;
        }
    }
    return finish(r, &cur, out);
}

void pmn_roaring_free(pmn_roaring *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->c[i].u16);
        free(r->c[i].words);
    }
    free(r->c);
    free(r);
}

static bool container_contains(const container *x, uint16_t low)
{
    if (x->type == C_BITSET)
        return x->words[low >> 6] >> (low & 63) & 1;
    size_t lo = 0, hi = x->n; /* first element/run whose start is > low */
    if (x->type == C_ARRAY) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->u16[mid] < low)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < x->n && x->u16[lo] == low;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->u16[2 * mid] <= low)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const uint16_t *run = &x->u16[2 * (lo - 1)];
    return (uint32_t)low <= (uint32_t)run[0] + run[1];
}

bool pmn_roaring_contains(const pmn_roaring *r, uint64_t v)
{
    uint64_t key = v >> 16;
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->c[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n && r->c[lo].key == key && container_contains(&r->c[lo], (uint16_t)v);
}

uint64_t pmn_roaring_cardinality(const pmn_roaring *r)
{
    return r->cardinality;
}

bool pmn_roaring_max(const pmn_roaring *r, uint64_t *max)
{
    if (r->n == 0)
        return false;
    const container *x = &r->c[r->n - 1]; /* containers are never empty */
    uint32_t low = 0;
    if (x->type == C_ARRAY) {
        low = x->u16[x->n - 1];
    } else if (x->type == C_RUN) {
        if (x->n == 0)
            return false;
        low = (uint32_t)x->u16[2 * (x->n - 1)] + x->u16[2 * (x->n - 1) + 1];
    } else {
        for (int i = 1023; i >= 0; i--) {
            if (x->words[i]) {
                low = (uint32_t)(i * 64 + 63 - __builtin_clzll(x->words[i]));
                break;
            }
        }
    }
    *max = x->key << 16 | low;
    return true;
}
