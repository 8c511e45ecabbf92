/*
 * src/format/avro_codec.c
 *
 * Block codecs of Avro Object Container Files (Avro 1.11 spec, "Required/
 * Optional Codecs"): null; deflate = raw RFC 1951 data (zlib windowBits -15);
 * snappy = the compressed block followed by the 4-byte big-endian CRC32 of
 * the uncompressed data; zstandard = zstd frames (Java's ZstdOutputStream may
 * omit the content size, so decoding falls back to the streaming API).
 */
#include "format/avro_internal.h"

#include "util/alloc.h"
#include "util/error.h"

#include <pthread.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

struct pmn_avro_codec_state {
    pmn_avro_codec codec;
    int level;
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
    z_stream zdef, zinf;
    bool zdef_init, zinf_init;
};

/* Spare zstd contexts: creating one allocates and clears ~100-200 KB, which dominated opening
 * the small manifest files a read plans with and every data file written. Freed codecs park
 * their contexts here (a few per kind, shared by all threads) for the next one to take. */
#define ZSTD_SPARES 4
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static ZSTD_CCtx *spare_cctx[ZSTD_SPARES];
static ZSTD_DCtx *spare_dctx[ZSTD_SPARES];
static int nspare_cctx, nspare_dctx;

static ZSTD_CCtx *take_cctx(int level)
{
    ZSTD_CCtx *c = NULL;
    pthread_mutex_lock(&spare_lock);
    if (nspare_cctx > 0)
        c = spare_cctx[--nspare_cctx];
    pthread_mutex_unlock(&spare_lock);
    if (!c)
        c = ZSTD_createCCtx();
    if (c)
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
    return c;
}

static ZSTD_DCtx *take_dctx(void)
{
    ZSTD_DCtx *d = NULL;
    pthread_mutex_lock(&spare_lock);
    if (nspare_dctx > 0)
        d = spare_dctx[--nspare_dctx];
    pthread_mutex_unlock(&spare_lock);
    return d ? d : ZSTD_createDCtx();
}

static void park_cctx(ZSTD_CCtx *c)
{
    if (!c)
        return;
    ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    pthread_mutex_lock(&spare_lock);
    if (nspare_cctx < ZSTD_SPARES) {
        spare_cctx[nspare_cctx++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&spare_lock);
    ZSTD_freeCCtx(c);
}

static void park_dctx(ZSTD_DCtx *d)
{
    if (!d)
        return;
    ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
    pthread_mutex_lock(&spare_lock);
    if (nspare_dctx < ZSTD_SPARES) {
        spare_dctx[nspare_dctx++] = d;
        d = NULL;
    }
    pthread_mutex_unlock(&spare_lock);
    ZSTD_freeDCtx(d);
}

const char *pmn_avro__codec_name(pmn_avro_codec codec)
{
    switch (codec) {
    case PMN_AVRO_CODEC_NULL:
        return "null";
    case PMN_AVRO_CODEC_DEFLATE:
        return "deflate";
    case PMN_AVRO_CODEC_SNAPPY:
        return "snappy";
    case PMN_AVRO_CODEC_ZSTD:
        return "zstandard";
    }
    return "null";
}

int pmn_avro_codec_from_name(const char *name, pmn_avro_codec *out)
{
    static const struct {
        const char *name;
        pmn_avro_codec codec;
    } names[] = {
        {"null", PMN_AVRO_CODEC_NULL},         {"none", PMN_AVRO_CODEC_NULL},
        {"uncompressed", PMN_AVRO_CODEC_NULL}, {"deflate", PMN_AVRO_CODEC_DEFLATE},
        {"snappy", PMN_AVRO_CODEC_SNAPPY},     {"zstd", PMN_AVRO_CODEC_ZSTD},
        {"zstandard", PMN_AVRO_CODEC_ZSTD},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (name && strcasecmp(name, names[i].name) == 0) {
            *out = names[i].codec;
            return 0;
        }
    }
    return pmn_error_set(PMN_EINVALID,
                         "unknown avro compression \"%s\" (use zstd, snappy, deflate or none)",
                         name ? name : "");
}

pmn_avro_codec_state *pmn_avro__codec_new(pmn_avro_codec codec, int level)
{
    pmn_avro_codec_state *st = pmn_xcalloc(1, sizeof *st);
    st->codec = codec;
    st->level = level;
    return st;
}

void pmn_avro__codec_free(pmn_avro_codec_state *st)
{
    if (!st)
        return;
    park_cctx(st->zc);
    park_dctx(st->zd);
    if (st->zdef_init)
        deflateEnd(&st->zdef);
    if (st->zinf_init)
        inflateEnd(&st->zinf);
    free(st);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int pmn_avro__compress(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out)
{
    pmn_buf_reset(out);
    switch (st->codec) {
    case PMN_AVRO_CODEC_NULL:
        pmn_buf_put(out, in, n);
        return 0;
    case PMN_AVRO_CODEC_ZSTD: {
        if (!st->zc) {
            st->zc = take_cctx(st->level);
            if (!st->zc)
                return pmn_error_set(PMN_ERROR, "zstd: cannot create a compression context");
        }
        size_t bound = ZSTD_compressBound(n);
        pmn_buf_reserve(out, bound);
        size_t r = ZSTD_compress2(st->zc, out->data, bound, in, n);
        if (ZSTD_isError(r))
            return pmn_error_set(PMN_ERROR, "zstd compression failed: %s", ZSTD_getErrorName(r));
        out->len = r;
        return 0;
    }
    case PMN_AVRO_CODEC_SNAPPY: {
        size_t bound = snappy_max_compressed_length(n);
        pmn_buf_reserve(out, bound + 4);
        size_t clen = bound;
        if (snappy_compress((const char *)in, n, (char *)out->data, &clen) != SNAPPY_OK)
            return pmn_error_set(PMN_ERROR, "snappy compression failed");
        put_be32(out->data + clen, (uint32_t)crc32(0L, in, (uInt)n));
        out->len = clen + 4;
        return 0;
    }
    case PMN_AVRO_CODEC_DEFLATE: {
        if (!st->zdef_init) {
            int level = st->level < -1 || st->level > 9 ? Z_DEFAULT_COMPRESSION : st->level;
            if (deflateInit2(&st->zdef, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return pmn_error_set(PMN_ERROR, "deflate: cannot initialise zlib");
            st->zdef_init = true;
        } else {
            deflateReset(&st->zdef);
        }
        size_t bound = deflateBound(&st->zdef, (uLong)n);
        pmn_buf_reserve(out, bound);
        st->zdef.next_in = (Bytef *)in;
        st->zdef.avail_in = (uInt)n;
        st->zdef.next_out = out->data;
        st->zdef.avail_out = (uInt)bound;
        int zr = deflate(&st->zdef, Z_FINISH);
        if (zr != Z_STREAM_END)
            return pmn_error_set(PMN_ERROR, "deflate compression failed (%d)", zr);
        out->len = bound - st->zdef.avail_out;
        return 0;
    }
    }
    return pmn_error_set(PMN_EINVALID, "avro: unknown codec %d", (int)st->codec);
}

/* Free bytes of out, keeping pmn_buf's byte for the terminating NUL. */
static size_t room(const pmn_buf *out)
{
    return out->cap > out->len + 1 ? out->cap - out->len - 1 : 0;
}

static int grow_out(pmn_buf *out, size_t limit)
{
    if (out->cap && out->cap - 1 >= limit)
        return pmn_error_set(PMN_ECORRUPT, "block decompresses to more than %zu bytes", limit);
    size_t want = out->cap ? out->cap * 2 : 65536;
    if (want - 1 > limit)
        want = limit + 1;
    pmn_buf_reserve(out, want - out->len - 1);
    return 0;
}

static int zstd_decompress(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out,
                           size_t limit)
{
    if (!st->zd) {
        st->zd = take_dctx();
        if (!st->zd)
            return pmn_error_set(PMN_ERROR, "zstd: cannot create a decompression context");
    }
    unsigned long long size = ZSTD_getFrameContentSize(in, n);
    if (size == ZSTD_CONTENTSIZE_ERROR)
        return pmn_error_set(PMN_ECORRUPT, "zstd: not a zstd frame");
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size <= limit &&
        ZSTD_findFrameCompressedSize(in, n) == n) {
        pmn_buf_reserve(out, (size_t)size);
        size_t r = ZSTD_decompressDCtx(st->zd, out->data, (size_t)size, in, n);
        if (ZSTD_isError(r))
            return pmn_error_set(PMN_ECORRUPT, "zstd: %s", ZSTD_getErrorName(r));
        if (r != size)
            return pmn_error_set(PMN_ECORRUPT, "zstd: frame shorter than its declared size");
        out->len = r;
        return 0;
    }
    /* Unknown content size or several frames: stream until the input is consumed. */
    ZSTD_DCtx_reset(st->zd, ZSTD_reset_session_only);
    ZSTD_inBuffer ib = {in, n, 0};
    size_t last = 1;
    while (ib.pos < ib.size) {
        if (room(out) < 4096) {
            int rc = grow_out(out, limit);
            if (rc)
                return rc;
        }
        ZSTD_outBuffer ob = {out->data, out->cap - 1, out->len};
        last = ZSTD_decompressStream(st->zd, &ob, &ib);
        if (ZSTD_isError(last))
            return pmn_error_set(PMN_ECORRUPT, "zstd: %s", ZSTD_getErrorName(last));
        out->len = ob.pos;
        if (ob.pos > limit)
            return pmn_error_set(PMN_ECORRUPT, "block decompresses to more than %zu bytes", limit);
    }
    /* Flush whatever the decoder still holds for the last frame. */
    while (last != 0) {
        if (room(out) < 4096) {
            int rc = grow_out(out, limit);
            if (rc)
                return rc;
        }
        ZSTD_outBuffer ob = {out->data, out->cap - 1, out->len};
        size_t before = ob.pos;
        last = ZSTD_decompressStream(st->zd, &ob, &ib);
        if (ZSTD_isError(last))
            return pmn_error_set(PMN_ECORRUPT, "zstd: %s", ZSTD_getErrorName(last));
        out->len = ob.pos;
        if (last != 0 && ob.pos == before)
            return pmn_error_set(PMN_ECORRUPT, "zstd: truncated frame");
    }
    return 0;
}

static int inflate_block(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out,
                         size_t limit)
{
    if (!st->zinf_init) {
        if (inflateInit2(&st->zinf, -15) != Z_OK)
            return pmn_error_set(PMN_ERROR, "deflate: cannot initialise zlib");
        st->zinf_init = true;
    } else {
        inflateReset(&st->zinf);
    }
    st->zinf.next_in = (Bytef *)in;
    st->zinf.avail_in = (uInt)n;
    for (;;) {
        if (room(out) < 4096) {
            int rc = grow_out(out, limit);
            if (rc)
                return rc;
        }
        size_t room = out->cap - 1 - out->len;
        st->zinf.next_out = out->data + out->len;
        st->zinf.avail_out = (uInt)room;
        int zr = inflate(&st->zinf, Z_NO_FLUSH);
        out->len += room - st->zinf.avail_out;
        if (zr == Z_STREAM_END)
            return 0;
        if (zr == Z_BUF_ERROR && st->zinf.avail_in == 0)
            return pmn_error_set(PMN_ECORRUPT, "deflate: truncated data");
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return pmn_error_set(PMN_ECORRUPT, "deflate: %s",
                                 st->zinf.msg ? st->zinf.msg : "corrupt data");
    }
}

int pmn_avro__decompress(pmn_avro_codec_state *st, const uint8_t *in, size_t n, pmn_buf *out,
                         size_t limit)
{
    pmn_buf_reset(out);
    int rc;
    switch (st->codec) {
    case PMN_AVRO_CODEC_NULL:
        pmn_buf_put(out, in, n);
        return 0;
    case PMN_AVRO_CODEC_ZSTD:
        rc = zstd_decompress(st, in, n, out, limit);
        break;
    case PMN_AVRO_CODEC_DEFLATE:
        rc = inflate_block(st, in, n, out, limit);
        break;
    case PMN_AVRO_CODEC_SNAPPY: {
        if (n < 4)
            return pmn_error_set(PMN_ECORRUPT, "snappy: block shorter than its CRC");
        size_t ulen;
        if (snappy_uncompressed_length((const char *)in, n - 4, &ulen) != SNAPPY_OK)
            return pmn_error_set(PMN_ECORRUPT, "snappy: bad length header");
        if (ulen > limit)
            return pmn_error_set(PMN_ECORRUPT, "block decompresses to more than %zu bytes", limit);
        pmn_buf_reserve(out, ulen);
        size_t got = ulen;
        if (snappy_uncompress((const char *)in, n - 4, (char *)out->data, &got) != SNAPPY_OK ||
            got != ulen)
            return pmn_error_set(PMN_ECORRUPT, "snappy: corrupt data");
        out->len = got;
        const uint8_t *c = in + n - 4;
        uint32_t want = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
        uint32_t have = (uint32_t)crc32(0L, out->data, (uInt)got);
        if (want != have)
            return pmn_error_set(PMN_ECORRUPT, "snappy: crc mismatch (stored %08x, computed %08x)",
                                 want, have);
        rc = 0;
        break;
    }
    default:
        return pmn_error_set(PMN_EINVALID, "avro: unknown codec %d", (int)st->codec);
    }
    if (out->data)
        out->data[out->len] = 0;
    return rc;
}
