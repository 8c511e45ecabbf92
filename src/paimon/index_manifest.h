/*
 * src/paimon/index_manifest.h
 *
 * Index manifests (manifest/index-manifest-*: IndexManifestEntry rows, Avro,
 * _VERSION 1; paimon-format.md §4.8; Java's IndexManifestEntry,
 * IndexManifestEntrySerializer, IndexFileMeta, DeletionVectorMeta).
 * Fields are matched by name, so every shape Java writes is read: 0.9
 * (ranges {f0, f1, f2}), 1.0+ (_CARDINALITY in each range), 1.3+
 * (_EXTERNAL_PATH), 1.4+ (_GLOBAL_INDEX, ignored).
 *
 * Memory: everything read is allocated in the caller's arena.
 */
#ifndef PMN_PAIMON_INDEX_MANIFEST_H
#define PMN_PAIMON_INDEX_MANIFEST_H

#include "paimon/manifest.h"

#define PMN_INDEX_DELETION_VECTORS "DELETION_VECTORS"
#define PMN_INDEX_HASH "HASH"

/* Where one data file's deletion vector lies inside a DELETION_VECTORS index file. */
typedef struct pmn_dv_range {
    const char *data_file;  /* f0: data file name */
    int32_t offset;         /* f1: byte offset of the vector's size field */
    int32_t length;         /* f2: see deletion_vector.h */
    int64_t cardinality;    /* _CARDINALITY (1.0+); -1 when absent or null */
} pmn_dv_range;

typedef struct pmn_index_entry {
    int32_t kind;              /* PMN_FILE_ADD / PMN_FILE_DELETE */
    pmn_bytes partition;       /* serialized BinaryRow */
    int32_t bucket;
    const char *index_type;    /* PMN_INDEX_HASH, PMN_INDEX_DELETION_VECTORS, ... */
    const char *file_name;     /* in index/ (or the bucket directory, see table/dv.c) */
    int64_t file_size;
    int64_t row_count;         /* HASH: ints; DELETION_VECTORS: vectors */
    pmn_dv_range *ranges;      /* NULL when _DELETIONS_VECTORS_RANGES is null */
    int32_t nranges;
    const char *external_path; /* NULL unless written to an external path (1.3+) */
} pmn_index_entry;

/* pmn_index_manifest_row_type: the ROW type of an index manifest entry as Paimon 1.x writes it
 * (_VERSION ... _EXTERNAL_PATH). Static: never freed by the caller. */
const pmn_type *pmn_index_manifest_row_type(void);

/* pmn_index_manifest_read: all entries of an index manifest file. PMN_ECORRUPT (naming the file)
 * on a _VERSION other than 1, an unknown kind or missing required fields. */
int pmn_index_manifest_read(const char *path, pmn_arena *a, pmn_index_entry **entries,
                            size_t *n);

#endif
