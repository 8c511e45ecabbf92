/*
 * src/format/avro_container.c
 *
 * Avro Object Container Files (Avro 1.11 spec, "Object Container Files"):
 * magic "Obj\x01", a metadata map (Java writes avro.schema then avro.codec and
 * nothing else), a 16-byte sync marker, then blocks of
 * <object count><byte size><compressed objects><sync marker>.
 * The writer cuts a block once the encoded objects reach 64000 bytes (Java's
 * default sync interval); the reader holds one block at a time.
 */
#include "format/avro_internal.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define AVRO_SYNC_INTERVAL 64000
#define AVRO_OUT_FLUSH (256 * 1024)
/* Upper bounds that keep a corrupt or hostile file from exhausting memory. */
#define AVRO_MAX_HEADER (64u << 20)
#define AVRO_MAX_BLOCK ((size_t)256 << 20)

static const uint8_t avro_magic[4] = {'O', 'b', 'j', 1};

/* Parsed writer schemas, shared by readers: a read plans with dozens of manifest files and
 * data files that carry one of a few schemas, and parsing the JSON of each again cost more
 * than reading a small file. Schemas are immutable once parsed; entries live until exit
 * (at most SCHEMA_CACHE of them; readers of further schemas parse their own). */
#define SCHEMA_CACHE 64
static pthread_mutex_t schema_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *json;
    pmn_avro_schema *schema;
} schema_cache[SCHEMA_CACHE];
static int nschema_cache;

/* cached_schema: the parsed schema of json, parsed now if not cached; *owned = true when the
 * caller must free it. */
static int cached_schema(const char *json, size_t len, pmn_avro_schema **out, bool *owned)
{
    pthread_mutex_lock(&schema_lock);
    for (int i = 0; i < nschema_cache; i++) {
        if (strcmp(schema_cache[i].json, json) == 0) {
            *out = schema_cache[i].schema;
            *owned = false;
            pthread_mutex_unlock(&schema_lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&schema_lock);
    pmn_avro_schema *sc = NULL;
    int rc = pmn_avro_schema_parse(json, len, &sc);
    if (rc)
        return rc;
    *out = sc;
    *owned = true;
    pthread_mutex_lock(&schema_lock);
    if (nschema_cache < SCHEMA_CACHE) {
        schema_cache[nschema_cache].json = pmn_xstrdup(json);
        schema_cache[nschema_cache].schema = sc;
        nschema_cache++;
        *owned = false;
    }
    pthread_mutex_unlock(&schema_lock);
    return 0;
}

/* ---- writer ---- */

struct pmn_avro_writer {
    char *path;
    int fd;
    pmn_avro_codec_state *codec;
    pmn_buf block; /* encoded objects of the open block */
    int64_t count; /* objects in `block` */
    pmn_buf comp;  /* compressed block */
    pmn_buf out;   /* bytes not yet written to fd */
    uint64_t size; /* bytes written to fd so far */
    uint8_t sync[16];
};

static int write_all(pmn_avro_writer *w, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = write(w->fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return pmn_error_set_errno("writing %s", w->path);
        }
        p += r;
        n -= (size_t)r;
        w->size += (uint64_t)r;
    }
    return 0;
}

static int flush_out(pmn_avro_writer *w)
{
    int rc = write_all(w, w->out.data, w->out.len);
    pmn_buf_reset(&w->out);
    return rc;
}

static int flush_block(pmn_avro_writer *w)
{
    if (w->count == 0)
        return 0;
    int rc = pmn_avro__compress(w->codec, w->block.data, w->block.len, &w->comp);
    if (rc)
        return pmn_error_wrap("%s: ", w->path);
    pmn_avro__put_long(&w->out, w->count);
    pmn_avro__put_long(&w->out, (int64_t)w->comp.len);
    pmn_avro__put_raw(&w->out, w->comp.data, w->comp.len);
    pmn_avro__put_raw(&w->out, w->sync, 16);
    pmn_buf_reset(&w->block);
    w->count = 0;
    if (w->out.len >= AVRO_OUT_FLUSH)
        return flush_out(w);
    return 0;
}

static void put_meta(pmn_buf *b, const char *key, const void *val, size_t len)
{
    pmn_avro_put_bytes(b, key, strlen(key));
    pmn_avro_put_bytes(b, val, len);
}

int pmn_avro_writer_open(const char *path, const char *schema_json, pmn_avro_codec codec, int level,
                         pmn_avro_writer **out)
{
    *out = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return pmn_error_set(PMN_EEXISTS, "avro file %s: already exists", path);
        return pmn_error_set_errno("creating %s", path);
    }
    pmn_avro_writer *w = pmn_xcalloc(1, sizeof *w);
    w->path = pmn_xstrdup(path);
    w->fd = fd;
    w->codec = pmn_avro__codec_new(codec, level);
    if (getrandom(w->sync, sizeof w->sync, 0) != (ssize_t)sizeof w->sync) {
        /* Uniqueness, not secrecy, is what matters for a sync marker. */
        uint64_t seed = (uint64_t)(uintptr_t)w ^ (uint64_t)getpid() << 32;
        for (int i = 0; i < 16; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            w->sync[i] = (uint8_t)(seed >> 56);
        }
    }
    pmn_buf_put(&w->out, avro_magic, 4);
    pmn_avro__put_long(&w->out, 2);
    put_meta(&w->out, "avro.schema", schema_json, strlen(schema_json));
    const char *cname = pmn_avro__codec_name(codec);
    put_meta(&w->out, "avro.codec", cname, strlen(cname));
    pmn_avro__put_long(&w->out, 0);
    pmn_avro__put_raw(&w->out, w->sync, 16);
    pmn_buf_reserve(&w->block, AVRO_SYNC_INTERVAL + 4096);
    *out = w;
    return 0;
}

pmn_buf *pmn_avro_writer_buf(pmn_avro_writer *w)
{
    return &w->block;
}

int pmn_avro_writer_end_object(pmn_avro_writer *w)
{
    w->count++;
    if (w->block.len >= AVRO_SYNC_INTERVAL)
        return flush_block(w);
    return 0;
}

static void writer_free(pmn_avro_writer *w)
{
    pmn_avro__codec_free(w->codec);
    pmn_buf_dispose(&w->block);
    pmn_buf_dispose(&w->comp);
    pmn_buf_dispose(&w->out);
    free(w->path);
    free(w);
}

int pmn_avro_writer_close(pmn_avro_writer *w, uint64_t *file_size)
{
    int rc = flush_block(w);
    if (rc == 0)
        rc = flush_out(w);
    if (rc == 0 && fsync(w->fd) != 0)
        rc = pmn_error_set_errno("fsync %s", w->path);
    if (close(w->fd) != 0 && rc == 0)
        rc = pmn_error_set_errno("closing %s", w->path);
    if (rc == 0 && file_size)
        *file_size = w->size;
    if (rc != 0)
        unlink(w->path); /* a partial file is of no use to anyone */
    writer_free(w);
    return rc;
}

void pmn_avro_writer_discard(pmn_avro_writer *w)
{
    if (!w)
        return;
    close(w->fd);
    unlink(w->path);
    writer_free(w);
}

/* ---- reader ---- */

struct pmn_avro_reader {
    char *name;
    int fd;              /* -1 when reading memory */
    const uint8_t *data; /* memory mode: the whole file; file mode: inbuf */
    uint8_t *inbuf;      /* file mode: window of the file */
    size_t incap;
    size_t pos, len; /* unread bytes are data[pos..len) */
    uint64_t base;   /* file offset of data[0] */
    uint64_t file_size;
    uint64_t data_start;  /* file offset of the first block */
    uint64_t blocks_read; /* blocks decoded so far */
    bool eof; /* file mode: nothing more to read from fd */
    uint8_t sync[16];
    pmn_avro_schema *schema;
    bool schema_owned; /* else shared from the schema cache */
    char *schema_json;
    pmn_avro_codec codec;
    pmn_avro_codec_state *cstate;
    pmn_buf block; /* decompressed block */
};

/* Make at least n unread bytes available if the file has them; returns how many are. */
static int fill(pmn_avro_reader *r, size_t n, size_t *avail)
{
    if (r->fd >= 0 && r->len - r->pos < n && !r->eof) {
        if (r->pos > 0) { /* slide the unread tail to the front */
            memmove(r->inbuf, r->inbuf + r->pos, r->len - r->pos);
            r->base += r->pos;
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->incap < n) {
            size_t cap = r->incap ? r->incap : 65536;
            while (cap < n)
                cap *= 2;
            r->inbuf = pmn_xrealloc(r->inbuf, cap);
            r->incap = cap;
        }
        while (r->len < n) {
            /* read ahead a full buffer: blocks are usually much smaller than it */
            ssize_t got = read(r->fd, r->inbuf + r->len, r->incap - r->len);
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                return pmn_error_set_errno("reading %s", r->name);
            }
            if (got == 0) {
                r->eof = true;
                break;
            }
            r->len += (size_t)got;
        }
        r->data = r->inbuf;
    }
    *avail = r->len - r->pos;
    return 0;
}

static uint64_t offset_of(const pmn_avro_reader *r)
{
    return r->base + r->pos;
}

static int parse_header(pmn_avro_reader *r)
{
    size_t want = 4096, avail;
    for (;;) {
        int rc = fill(r, want, &avail);
        if (rc)
            return rc;
        pmn_avro_cursor c = {r->data + r->pos, r->data + r->pos + avail, false};
        const uint8_t *magic = pmn_avro__take(&c, 4);
        if (!magic)
            return pmn_error_set(PMN_ECORRUPT, "avro file %s: too short for a header (%zu bytes)",
                                 r->name, avail);
        if (memcmp(magic, avro_magic, 4) != 0)
            return pmn_error_set(PMN_ECORRUPT, "avro file %s: bad magic (not an Avro container)",
                                 r->name);
        const uint8_t *schema = NULL, *codec = NULL;
        uint32_t schema_len = 0, codec_len = 0;
        for (;;) {
            int64_t n = pmn_avro__get_long(&c);
            if (n == 0 || c.overflow)
                break;
            if (n < 0) {
                n = n == INT64_MIN ? 0 : -n;
                pmn_avro__get_long(&c); /* block byte size */
            }
            for (int64_t i = 0; i < n && !c.overflow; i++) {
                uint32_t klen, vlen;
                const uint8_t *k = pmn_avro__get_bytes(&c, &klen);
                const uint8_t *v = pmn_avro__get_bytes(&c, &vlen);
                if (c.overflow)
                    break;
                if (klen == 11 && memcmp(k, "avro.schema", 11) == 0) {
                    schema = v;
                    schema_len = vlen;
                } else if (klen == 10 && memcmp(k, "avro.codec", 10) == 0) {
                    codec = v;
                    codec_len = vlen;
                }
            }
        }
        const uint8_t *sync = pmn_avro__take(&c, 16);
        if (c.overflow) {
            if (r->eof || r->fd < 0)
                return pmn_error_set(PMN_ECORRUPT, "avro file %s: truncated header", r->name);
            if (want >= AVRO_MAX_HEADER)
                return pmn_error_set(PMN_ECORRUPT, "avro file %s: header larger than %u bytes",
                                     r->name, AVRO_MAX_HEADER);
            want *= 4;
            continue;
        }
        if (!schema)
            return pmn_error_set(PMN_ECORRUPT, "avro file %s: no avro.schema in the header",
                                 r->name);
        memcpy(r->sync, sync, 16);
        r->schema_json = pmn_xstrndup((const char *)schema, schema_len);
        if (codec) {
            char *name = pmn_xstrndup((const char *)codec, codec_len);
            int crc = 0;
            if (strcmp(name, "null") == 0)
                r->codec = PMN_AVRO_CODEC_NULL;
            else if (strcmp(name, "deflate") == 0)
                r->codec = PMN_AVRO_CODEC_DEFLATE;
            else if (strcmp(name, "snappy") == 0)
                r->codec = PMN_AVRO_CODEC_SNAPPY;
            else if (strcmp(name, "zstandard") == 0)
                r->codec = PMN_AVRO_CODEC_ZSTD;
            else
                crc = pmn_error_set(PMN_ECORRUPT, "avro file %s: unsupported codec \"%s\"", r->name,
                                    name);
            free(name);
            if (crc)
                return crc;
        }
        r->pos += (size_t)(c.p - (r->data + r->pos));
        r->data_start = offset_of(r);
        int rc2 = cached_schema(r->schema_json, schema_len, &r->schema, &r->schema_owned);
        if (rc2)
            return pmn_error_wrap("avro file %s: ", r->name);
        r->cstate = pmn_avro__codec_new(r->codec, 0);
        return 0;
    }
}

static int reader_open(pmn_avro_reader *r, pmn_avro_reader **out)
{
    int rc = parse_header(r);
    if (rc) {
        pmn_avro_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pmn_avro_reader_open(const char *path, pmn_avro_reader **out)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return pmn_error_set(PMN_ENOTFOUND, "avro file %s: not found", path);
        return pmn_error_set_errno("opening %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = pmn_error_set_errno("stat %s", path);
        close(fd);
        return rc;
    }
    pmn_avro_reader *r = pmn_xcalloc(1, sizeof *r);
    r->name = pmn_xstrdup(path);
    r->fd = fd;
    r->file_size = (uint64_t)st.st_size;
    return reader_open(r, out);
}

int pmn_avro_reader_open_memory(const uint8_t *data, size_t len, const char *name,
                                pmn_avro_reader **out)
{
    *out = NULL;
    pmn_avro_reader *r = pmn_xcalloc(1, sizeof *r);
    r->name = pmn_xstrdup(name ? name : "(memory)");
    r->fd = -1;
    r->data = data;
    r->len = len;
    r->file_size = len;
    return reader_open(r, out);
}

const pmn_avro_schema *pmn_avro_reader_schema(const pmn_avro_reader *r)
{
    return r->schema;
}

const char *pmn_avro_reader_schema_json(const pmn_avro_reader *r)
{
    return r->schema_json;
}

pmn_avro_codec pmn_avro_reader_codec(const pmn_avro_reader *r)
{
    return r->codec;
}

int pmn_avro_reader_next_block(pmn_avro_reader *r, pmn_avro_cursor *cursor, int64_t *count)
{
    size_t avail;
    int rc = fill(r, 20, &avail);
    if (rc)
        return rc;
    if (avail == 0)
        return PMN_ITEROVER;
    uint64_t block_off = offset_of(r);
    pmn_avro_cursor c = {r->data + r->pos, r->data + r->pos + avail, false};
    int64_t n = pmn_avro__get_long(&c);
    int64_t size = pmn_avro__get_long(&c);
    if (c.overflow)
        return pmn_error_set(PMN_ECORRUPT, "avro file %s: truncated block header at offset %llu",
                             r->name, (unsigned long long)block_off);
    if (n < 0 || size < 0)
        return pmn_error_set(PMN_ECORRUPT,
                             "avro file %s: negative object count or size in block at offset %llu",
                             r->name, (unsigned long long)block_off);
    size_t hdr = (size_t)(c.p - (r->data + r->pos));
    uint64_t left = r->file_size - block_off;
    if ((uint64_t)size + hdr + 16 > left)
        return pmn_error_set(PMN_ECORRUPT,
                             "avro file %s: truncated block at offset %llu (%lld bytes declared, "
                             "%llu left in the file)",
                             r->name, (unsigned long long)block_off, (long long)size,
                             (unsigned long long)left);
    if ((uint64_t)size > AVRO_MAX_BLOCK)
        return pmn_error_set(PMN_ECORRUPT,
                             "avro file %s: block at offset %llu of %lld bytes is "
                             "larger than the %zu-byte limit",
                             r->name, (unsigned long long)block_off, (long long)size,
                             AVRO_MAX_BLOCK);
    size_t need = hdr + (size_t)size + 16;
    rc = fill(r, need, &avail);
    if (rc)
        return rc;
    if (avail < need) /* the file shrank under us */
        return pmn_error_set(PMN_ECORRUPT, "avro file %s: truncated block at offset %llu", r->name,
                             (unsigned long long)block_off);
    const uint8_t *body = r->data + r->pos + hdr;
    if (memcmp(body + size, r->sync, 16) != 0)
        return pmn_error_set(PMN_ECORRUPT,
                             "avro file %s: bad sync marker after the block at offset %llu",
                             r->name, (unsigned long long)block_off);
    r->pos += need;
    r->blocks_read++;
    if (r->codec == PMN_AVRO_CODEC_NULL) {
        /* Objects stay in the input window, which only moves on the next call. */
        cursor->p = body;
        cursor->end = body + size;
    } else {
        rc = pmn_avro__decompress(r->cstate, body, (size_t)size, &r->block, AVRO_MAX_BLOCK);
        if (rc)
            return pmn_error_wrap("avro file %s: block at offset %llu: ", r->name,
                                  (unsigned long long)block_off);
        cursor->p = r->block.data ? r->block.data : body;
        cursor->end = cursor->p + r->block.len;
    }
    cursor->overflow = false;
    *count = n;
    return 0;
}

uint64_t pmn_avro_reader_data_start(const pmn_avro_reader *r)
{
    return r->data_start;
}

uint64_t pmn_avro_reader_file_size(const pmn_avro_reader *r)
{
    return r->file_size;
}

uint64_t pmn_avro_reader_tell(const pmn_avro_reader *r)
{
    return offset_of(r);
}

uint64_t pmn_avro_reader_blocks_read(const pmn_avro_reader *r)
{
    return r->blocks_read;
}

/* position: make file offset `off` the next unread byte (off <= file_size). */
static int position(pmn_avro_reader *r, uint64_t off)
{
    if (r->fd < 0) {
        r->pos = (size_t)off;
        return 0;
    }
    if (off >= r->base && off <= r->base + r->len) {
        r->pos = (size_t)(off - r->base); /* already in the window */
        return 0;
    }
    if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
        return pmn_error_set_errno("seeking in %s", r->name);
    r->base = off;
    r->pos = r->len = 0;
    r->eof = false;
    return 0;
}

int pmn_avro_reader_seek(pmn_avro_reader *r, uint64_t block_off)
{
    if (block_off < r->data_start || block_off > r->file_size)
        return pmn_error_set(PMN_EINVALID, "avro file %s: offset %llu is outside its blocks",
                             r->name, (unsigned long long)block_off);
    return position(r, block_off);
}

int pmn_avro_reader_block_after(pmn_avro_reader *r, uint64_t off, uint64_t *block_off)
{
    if (off < r->data_start) {
        if (r->data_start >= r->file_size)
            return PMN_ITEROVER;
        *block_off = r->data_start;
        return 0;
    }
    /* a block starts right after a sync marker: look for a marker ending after off */
    int rc = position(r, off - 15);
    if (rc)
        return rc;
    for (;;) {
        size_t avail;
        rc = fill(r, 65536, &avail);
        if (rc)
            return rc;
        const uint8_t *p = r->data + r->pos;
        const uint8_t *hit = avail >= 16 ? memmem(p, avail, r->sync, 16) : NULL;
        if (hit) {
            uint64_t start = r->base + (uint64_t)(hit - r->data) + 16;
            if (start >= r->file_size)
                return PMN_ITEROVER;
            *block_off = start;
            return 0;
        }
        if (r->fd < 0 || r->eof || avail < 16)
            return PMN_ITEROVER;
        r->pos += avail - 15; /* a marker may straddle the window's end */
    }
}

void pmn_avro_reader_free(pmn_avro_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r->inbuf);
    free(r->name);
    free(r->schema_json);
    if (r->schema_owned)
        pmn_avro_schema_free(r->schema);
    pmn_avro__codec_free(r->cstate);
    pmn_buf_dispose(&r->block);
    free(r);
}
