/*
 * src/paimon/binary_row.h
 *
 * Java BinaryRow bytes (paimon-format.md §4.7; org.apache.paimon.data.BinaryRow,
 * SerializationUtils.serializeBinaryRow): the serialized form has a 4-byte
 * big-endian arity prefix followed by the little-endian BinaryRow (header byte,
 * null bits, 8-byte slots, 8-byte-padded variable part). Used for partitions,
 * min/max keys and stats in manifests, and for bucket hashing.
 */
#ifndef PMN_PAIMON_BINARY_ROW_H
#define PMN_PAIMON_BINARY_ROW_H

#include "change/datum.h"
#include "util/arena.h"
#include "util/buf.h"

#include <stdint.h>

/* pmn_binary_row_encode: append the BinaryRow image (no arity prefix) of n values whose
 * types are types[i] to out; canonical (zero padding, zero unused bytes). */
void pmn_binary_row_encode(pmn_buf *out, const pmn_type *const *types, const pmn_datum *vals,
                           int32_t n);
/* pmn_binary_row_serialize: BE arity prefix + image (what manifests store). */
void pmn_binary_row_serialize(pmn_buf *out, const pmn_type *const *types, const pmn_datum *vals,
                              int32_t n);
/* pmn_binary_row_deserialize: parse serialized bytes; expects the arity to be n (PMN_ECORRUPT
 * otherwise, or on any out-of-range offset). Strings point into `bytes` unless copied: values
 * are copied into arena a so they outlive bytes. */
int pmn_binary_row_deserialize(const uint8_t *bytes, size_t len, const pmn_type *const *types,
                               int32_t n, pmn_arena *a, pmn_datum *out);
/* pmn_binary_row_arity: the arity prefix of serialized bytes, or -1 if too short. */
int32_t pmn_binary_row_arity(const uint8_t *bytes, size_t len);

/* pmn_murmur3_32: MurmurHash3_x86_32 as Paimon's MurmurHashUtils.hashBytesByWords (len % 4 == 0). */
int32_t pmn_murmur3_32(const uint8_t *data, size_t len, uint32_t seed);
/* pmn_binary_row_hash: BinaryRow.hashCode(): murmur3 seed 42 over the image (no prefix). */
int32_t pmn_binary_row_hash(const uint8_t *image, size_t len);
/* pmn_bucket_of: abs(hash % num_buckets) with Java's truncating %. */
int32_t pmn_bucket_of(int32_t hash, int32_t num_buckets);

/* pmn_partition_path: "k1=v1/k2=v2" for n partition columns (names, types, values) with Java's
 * toString of each value, NULL/empty/blank -> default_name, and Paimon's %XX escaping
 * (paimon-format.md §1). "" when n = 0. Caller frees. */
char *pmn_partition_path(const char *const *names, const pmn_type *const *types,
                         const pmn_datum *vals, int32_t n, const char *default_name);

#endif
