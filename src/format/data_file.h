/*
 * src/format/data_file.h
 *
 * Paimon data files in Avro (paimon-format.md §5.1, §7, §14). Primary-key
 * tables store KeyValue records: _KEY_<pk>... (trimmed primary key),
 * _SEQUENCE_NUMBER BIGINT, _VALUE_KIND TINYINT, then every table column.
 * Append tables store just the table columns. The writer computes what the
 * manifest needs (exact size, row count, min/max key, key and value stats in
 * truncate(16) mode, sequence range, delete-row count).
 */
#ifndef PMN_FORMAT_DATA_FILE_H
#define PMN_FORMAT_DATA_FILE_H

#include "format/avro.h"
#include "paimon/manifest.h"

typedef struct pmn_data_file_writer pmn_data_file_writer;

/* pmn_data_file_writer_open: create `path`. `row` is the table's ROW type (borrowed for the
 * writer's life); key_idx lists the trimmed primary-key columns (nkeys = 0: append table). */
int pmn_data_file_writer_open(const char *path, const pmn_type *row, const int32_t *key_idx,
                              int32_t nkeys, pmn_avro_codec codec, pmn_data_file_writer **out);
/* pmn_data_file_writer_add: one row. PK files need rows in ascending key order, one per key. */
int pmn_data_file_writer_add(pmn_data_file_writer *w, const pmn_datum *row, int64_t seq,
                             int32_t kind);
int64_t pmn_data_file_writer_rows(const pmn_data_file_writer *w);
/* pmn_data_file_writer_bytes: encoded bytes so far, before compression (for rolling files). */
uint64_t pmn_data_file_writer_bytes(const pmn_data_file_writer *w);
/* pmn_data_file_writer_close: finish the file and fill *meta (file_name = basename of path;
 * strings and stats allocated in `a`); level 0, schema id and file source are left for the
 * caller to set. Frees w. */
int pmn_data_file_writer_close(pmn_data_file_writer *w, pmn_arena *a, pmn_data_file_meta *meta);
/* pmn_data_file_writer_discard: remove the partial file. Frees w. */
void pmn_data_file_writer_discard(pmn_data_file_writer *w);

typedef struct pmn_data_file_reader pmn_data_file_reader;

/* pmn_data_file_reader_open: read `path` decoding the fields of `row` (matched by name;
 * absent -> NULL). With kv = true also _SEQUENCE_NUMBER and _VALUE_KIND. */
int pmn_data_file_reader_open(const char *path, const pmn_type *row, bool kv,
                              pmn_data_file_reader **out);
/* pmn_data_file_reader_next: next record; *vals valid until the next call. PMN_ITEROVER at end.
 * Append files report seq = -1, kind = +I. */
int pmn_data_file_reader_next(pmn_data_file_reader *r, const pmn_datum **vals, int64_t *seq,
                              int32_t *kind);
/* pmn_data_file_reader_seek: for a file whose records satisfy `at_or_before` for a prefix and
 * not after it (a primary-key file, sorted by key, and a key bound): a binary search over the
 * Avro blocks (found through their sync markers; the first record of each probed block is
 * decoded) positions r at the last block whose first record satisfies it, or at the first
 * block if none does. Reading on then starts there: O(log blocks) blocks are decoded instead of
 * every block before. Call it before the first pmn_data_file_reader_next. */
int pmn_data_file_reader_seek(pmn_data_file_reader *r,
                              bool (*at_or_before)(void *ctx, const pmn_datum *vals), void *ctx);
/* pmn_data_file_reader_blocks: Avro blocks decoded so far (probes of a seek included). */
uint64_t pmn_data_file_reader_blocks(const pmn_data_file_reader *r);
/* pmn_data_file_reader_use_keys: read a key-value file key first (for merges, where most
 * records lose to a newer version and their values are never needed):
 * pmn_data_file_reader_next_key decodes only the _KEY_ columns, sequence and kind; the value
 * columns are decoded by pmn_data_file_reader_values when asked for, else skipped. key_types
 * are the trimmed primary key's types; key_idx (borrowed for the reader's life) their positions
 * in the requested row, used when the file is not of the KeyValue shape (then whole records
 * are decoded). Call once, before reading. */
int pmn_data_file_reader_use_keys(pmn_data_file_reader *r, const pmn_type *const *key_types,
                                  const int32_t *key_idx, int32_t nkeys);
/* pmn_data_file_reader_next_key: the next record's key (nkeys datums), sequence and kind;
 * valid until the next call. PMN_ITEROVER at the end. */
int pmn_data_file_reader_next_key(pmn_data_file_reader *r, const pmn_datum **key, int64_t *seq,
                                  int32_t *kind);
/* pmn_data_file_reader_values: the current record's row (requested positions), decoded now;
 * valid until the next pmn_data_file_reader_next_key. */
int pmn_data_file_reader_values(pmn_data_file_reader *r, const pmn_datum **vals);
void pmn_data_file_reader_free(pmn_data_file_reader *r);

#endif
