/*
 * src/paimon/deletion_vector.h
 *
 * Deletion vectors inside a DELETION_VECTORS index file (paimon-format.md
 * §4.8; Java's DeletionVectorsIndexFile, DeletionFileWriter,
 * BitmapDeletionVector, Bitmap64DeletionVector). The file starts with the
 * version byte 1; each vector, at the offset its range names, is
 *
 *   32-bit (all versions):  i32 BE size | i32 BE magic 1581511376 |
 *                           RoaringBitmap portable (32-bit) | i32 BE CRC32
 *                           range length = size = 4 + bitmap bytes
 *   64-bit (1.2+, option deletion-vectors.bitmap64):
 *                           i32 BE size | i32 LE magic 1681511377 |
 *                           64-bit portable RoaringBitmap | i32 BE CRC32
 *                           range length = size + 8
 *
 * The CRC32 covers the size bytes after the size field (magic + bitmap).
 * A vector holds the positions (0-based row ordinals in the data file) of
 * deleted rows.
 */
#ifndef PMN_PAIMON_DELETION_VECTOR_H
#define PMN_PAIMON_DELETION_VECTOR_H

#include "paimon/roaring.h"

#include <stddef.h>
#include <stdint.h>

#define PMN_DV_MAGIC32 1581511376
#define PMN_DV_MAGIC64 1681511377

/* pmn_dv_check_version: the first byte of an index file is 1. PMN_ECORRUPT otherwise. */
int pmn_dv_check_version(const uint8_t *file, size_t file_len);
/* pmn_dv_decode: the vector at `offset` (range length `length`) of an index file held in
 * memory. Caller frees *out. PMN_ECORRUPT with the cause (truncation, size or magic mismatch,
 * "crc32 mismatch", bad bitmap); callers prefix the index and data file names. */
int pmn_dv_decode(const uint8_t *file, size_t file_len, int64_t offset, int64_t length,
                  pmn_roaring **out);

#endif
