/*
 * src/paimon/roaring.h
 *
 * A read-only decoder of the RoaringBitmap portable serialization
 * (github.com/RoaringBitmap/RoaringFormatSpec): the standard 32-bit format
 * (cookie with or without run containers; array, bitset and run containers;
 * everything little-endian) and its 64-bit extension (LE uint64 bucket count,
 * then per bucket a LE uint32 high key and a 32-bit bitmap), which is what
 * Paimon's deletion vectors store (paimon-format.md §4.8; Java's
 * BitmapDeletionVector / Bitmap64DeletionVector).
 *
 * Decoding validates every length against the input and rejects unsorted
 * keys, values or runs and cardinalities that disagree with the descriptive
 * header, so a corrupt bitmap is an error, never an out-of-bounds read.
 */
#ifndef PMN_PAIMON_ROARING_H
#define PMN_PAIMON_ROARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_roaring pmn_roaring;

/* pmn_roaring_decode32: decode one 32-bit portable bitmap occupying exactly `len` bytes.
 * Caller frees *out with pmn_roaring_free. PMN_ECORRUPT with the cause (and byte offset) on
 * malformed or truncated input; callers prefix the file name. */
int pmn_roaring_decode32(const uint8_t *data, size_t len, pmn_roaring **out);
/* pmn_roaring_decode64: decode the 64-bit portable extension occupying exactly `len` bytes
 * (bucket keys strictly ascending). Same ownership and errors. */
int pmn_roaring_decode64(const uint8_t *data, size_t len, pmn_roaring **out);
/* pmn_roaring_free: release r (NULL is fine). */
void pmn_roaring_free(pmn_roaring *r);

/* pmn_roaring_contains: value v is in the set. */
bool pmn_roaring_contains(const pmn_roaring *r, uint64_t v);
/* pmn_roaring_cardinality: number of values in the set. */
uint64_t pmn_roaring_cardinality(const pmn_roaring *r);
/* pmn_roaring_max: the largest value; false if the set is empty. */
bool pmn_roaring_max(const pmn_roaring *r, uint64_t *max);

#endif
