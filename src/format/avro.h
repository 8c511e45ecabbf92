/*
 * src/format/avro.h
 *
 * A small dedicated Avro implementation (Avro 1.11 spec: binary encoding and
 * Object Container Files) with the codecs Java Paimon uses: null, deflate,
 * snappy (block + 4-byte big-endian CRC32 of the uncompressed data) and
 * zstandard. Paimon's manifests and Avro data files are read and written
 * through it; avro-c is not used (it cannot decode zstd blocks).
 *
 * Layers:
 *   1. schema      parse the writer schema JSON of a file into a pmn_avro_schema tree;
 *                  generate the schema JSON Java Paimon writes for a pmn_type ROW
 *                  (paimon-format.md §4.1, §14: record names, null-first unions)
 *   2. encoding    zig-zag varints etc. into a pmn_buf; a bounds-checked cursor with a
 *                  sticky overflow flag for decoding
 *   3. container   write/read Object Container Files block by block
 *   4. datums      read a record of the writer schema into pmn_datums of a requested
 *                  Paimon ROW type, matching fields by name (missing -> NULL, extra ->
 *                  skipped, union index 0 -> NULL); write pmn_datums per a Paimon type.
 */
#ifndef PMN_FORMAT_AVRO_H
#define PMN_FORMAT_AVRO_H

#include "change/datum.h"
#include "pmn/common.h"
#include "util/arena.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- 1. schema ---- */

typedef enum pmn_avro_kind {
    PMN_AVRO_NULL,
    PMN_AVRO_BOOLEAN,
    PMN_AVRO_INT,
    PMN_AVRO_LONG,
    PMN_AVRO_FLOAT,
    PMN_AVRO_DOUBLE,
    PMN_AVRO_BYTES,
    PMN_AVRO_STRING,
    PMN_AVRO_RECORD,
    PMN_AVRO_ENUM,
    PMN_AVRO_ARRAY,
    PMN_AVRO_MAP,
    PMN_AVRO_UNION,
    PMN_AVRO_FIXED,
} pmn_avro_kind;

typedef struct pmn_avro_schema pmn_avro_schema;
struct pmn_avro_schema {
    pmn_avro_kind kind;
    char *name;                   /* RECORD/ENUM/FIXED full name; NULL otherwise */
    char *logical_type;           /* "date", "decimal", "timestamp-millis", ...; NULL if none */
    int32_t precision, scale;     /* decimal */
    int32_t fixed_size;           /* FIXED */
    int32_t nsymbols;             /* ENUM */
    pmn_avro_schema **children;   /* RECORD: field schemas; ARRAY: [items]; MAP: [values];
                                     UNION: branches */
    char **field_names;           /* RECORD only */
    int32_t nchildren;
};

/* pmn_avro_schema_parse: parse schema JSON (named types may be referenced by name later). */
int pmn_avro_schema_parse(const char *json, size_t len, pmn_avro_schema **out);
void pmn_avro_schema_free(pmn_avro_schema *s);
/* pmn_avro_schema_for_row: the schema JSON Java Paimon writes for `row` (a ROW type), top record
 * `org.apache.paimon.avro.generated.record`, nested records named <parent>_<field>. Caller frees.
 * NULL (PMN_EINVALID set) if `row` is not a ROW or holds a TIMESTAMP[_LTZ] of precision > 6,
 * which Avro cannot store. TIME of any precision becomes time-millis (Paimon keeps ms). */
char *pmn_avro_schema_for_row(const pmn_type *row);
/* (added) pmn_avro_schema_to_row: the Paimon ROW type a writer schema describes (top-level
 * ["null", record] accepted; unions ["null", T] -> nullable T; logical types per §14; field ids
 * numbered depth-first from 0). Caller frees with pmn_type_free. PMN_EINVALID for enums,
 * unions of several non-null types and other shapes without a Paimon equivalent. */
int pmn_avro_schema_to_row(const pmn_avro_schema *s, pmn_type **out);

/* ---- 2. encoding ---- */

void pmn_avro_put_long(pmn_buf *b, int64_t v); /* zig-zag varint; also used for int */
void pmn_avro_put_float(pmn_buf *b, float v);
void pmn_avro_put_double(pmn_buf *b, double v);
void pmn_avro_put_bool(pmn_buf *b, bool v);
void pmn_avro_put_bytes(pmn_buf *b, const void *p, size_t n); /* also string */

typedef struct pmn_avro_cursor {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
    bool overflow;      /* sticky: set by any read past end or malformed varint */
} pmn_avro_cursor;

int64_t pmn_avro_get_long(pmn_avro_cursor *c);
float pmn_avro_get_float(pmn_avro_cursor *c);
double pmn_avro_get_double(pmn_avro_cursor *c);
bool pmn_avro_get_bool(pmn_avro_cursor *c);
/* pmn_avro_get_bytes: borrowed pointer into the block; len set. */
const uint8_t *pmn_avro_get_bytes(pmn_avro_cursor *c, uint32_t *len);
/* pmn_avro_skip: skip one value of schema s. */
void pmn_avro_skip(pmn_avro_cursor *c, const pmn_avro_schema *s);

/* ---- 3. container files ---- */

typedef enum pmn_avro_codec {
    PMN_AVRO_CODEC_NULL,
    PMN_AVRO_CODEC_DEFLATE,
    PMN_AVRO_CODEC_SNAPPY,
    PMN_AVRO_CODEC_ZSTD, /* "zstandard" */
} pmn_avro_codec;

/* pmn_avro_codec_from_name: Paimon compression option ("zstd", "snappy", "deflate", "null",
 * "none", "uncompressed") or Avro codec name ("zstandard"). PMN_EINVALID if unknown. */
int pmn_avro_codec_from_name(const char *name, pmn_avro_codec *out);

typedef struct pmn_avro_writer pmn_avro_writer;

/* pmn_avro_writer_open: create `path` (must not exist: PMN_EEXISTS) with metadata avro.schema
 * then avro.codec, as Java writes them. level: compression level (zstd 1 is Paimon's default;
 * deflate -1..9). Blocks are cut at 64000 encoded bytes (Java's default sync interval). */
int pmn_avro_writer_open(const char *path, const char *schema_json, pmn_avro_codec codec,
                         int level, pmn_avro_writer **out);
/* pmn_avro_writer_buf: the buffer to encode the next object into (borrowed). */
pmn_buf *pmn_avro_writer_buf(pmn_avro_writer *w);
/* pmn_avro_writer_end_object: the object just encoded is complete; may flush a block. */
int pmn_avro_writer_end_object(pmn_avro_writer *w);
/* pmn_avro_writer_close: flush, fsync and close; *file_size = exact bytes written. Frees w.
 * On failure the partial file is unlinked. */
int pmn_avro_writer_close(pmn_avro_writer *w, uint64_t *file_size);
/* pmn_avro_writer_discard: close and unlink the file. Frees w. */
void pmn_avro_writer_discard(pmn_avro_writer *w);

typedef struct pmn_avro_reader pmn_avro_reader;

/* pmn_avro_reader_open: open a container file and parse its header; errors name the file. */
int pmn_avro_reader_open(const char *path, pmn_avro_reader **out);
/* pmn_avro_reader_open_memory: same over bytes the caller keeps alive. */
int pmn_avro_reader_open_memory(const uint8_t *data, size_t len, const char *name,
                                pmn_avro_reader **out);
const pmn_avro_schema *pmn_avro_reader_schema(const pmn_avro_reader *r);
const char *pmn_avro_reader_schema_json(const pmn_avro_reader *r);
pmn_avro_codec pmn_avro_reader_codec(const pmn_avro_reader *r);
/* pmn_avro_reader_next_block: decompress the next block; *cursor spans its objects (valid
 * until the next call), *count = objects in it. PMN_ITEROVER after the last block. */
int pmn_avro_reader_next_block(pmn_avro_reader *r, pmn_avro_cursor *cursor, int64_t *count);
/* Random access to blocks (e.g. a binary search over a file sorted by key): a block starts at
 * pmn_avro_reader_data_start or right after any later sync marker. */
uint64_t pmn_avro_reader_data_start(const pmn_avro_reader *r);
uint64_t pmn_avro_reader_file_size(const pmn_avro_reader *r);
/* pmn_avro_reader_block_after: *block_off = offset of the first block that starts after file
 * offset `off`, found by scanning for the file's sync marker. PMN_ITEROVER when none does. */
int pmn_avro_reader_block_after(pmn_avro_reader *r, uint64_t off, uint64_t *block_off);
/* pmn_avro_reader_seek: the next pmn_avro_reader_next_block reads the block at block_off (an
 * offset from data_start or block_after; file_size means the end). */
int pmn_avro_reader_seek(pmn_avro_reader *r, uint64_t block_off);
/* pmn_avro_reader_tell: file offset of the next block pmn_avro_reader_next_block reads. */
uint64_t pmn_avro_reader_tell(const pmn_avro_reader *r);
/* pmn_avro_reader_blocks_read: blocks decoded (decompressed) so far. */
uint64_t pmn_avro_reader_blocks_read(const pmn_avro_reader *r);
void pmn_avro_reader_free(pmn_avro_reader *r);

/* ---- 4. datums ---- */

/* A plan that reads records of a writer schema into datums of a requested Paimon ROW type.
 * Fields are matched by name; requested fields absent from the writer schema read as NULL;
 * writer fields not requested are skipped. Unions: branch 0 null, other branch the value
 * (both ["null", record] and plain records are accepted, as 0.9 and 1.x writers differ). */
typedef struct pmn_avro_read_plan pmn_avro_read_plan;

int pmn_avro_read_plan_new(const pmn_avro_schema *writer, const pmn_type *row,
                           pmn_avro_read_plan **out);
void pmn_avro_read_plan_free(pmn_avro_read_plan *plan);
/* pmn_avro_read_row: decode one record; out has row->nfields datums. Strings, bytes and nested
 * items point into the block or the arena. PMN_ECORRUPT on malformed input. */
int pmn_avro_read_row(const pmn_avro_read_plan *plan, pmn_avro_cursor *c, pmn_arena *arena,
                      pmn_datum *out);
/* pmn_avro_write_row: encode datums of `row` per pmn_avro_schema_for_row(row). Callers enforce
 * NOT NULL: a NULL in a non-nullable position is written as the type's zero value. */
void pmn_avro_write_row(pmn_buf *b, const pmn_type *row, const pmn_datum *vals);

#endif
