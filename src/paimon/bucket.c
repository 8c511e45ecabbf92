/*
 * src/paimon/bucket.c
 *
 * Fixed-bucket assignment as Java Paimon does it (paimon-format.md §6):
 * BinaryRow.hashCode() is MurmurHash3_x86_32 with seed 42 over the row's byte
 * image, read as 4-byte little-endian words (MurmurHashUtils.hashBytesByWords),
 * and the bucket is abs(hash % N) with Java's truncating remainder
 * (KeyAndBucketExtractor.bucket).
 */
#include "paimon/binary_row.h"

#include "util/error.h"

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

int32_t pmn_murmur3_32(const uint8_t *data, size_t len, uint32_t seed)
{
    PMN_ASSERT(len % 4 == 0);
    uint32_t h = seed;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                     (uint32_t)data[i + 3] << 24;
        k *= 0xcc9e2d51u;
        k = rotl32(k, 15);
        k *= 0x1b873593u;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    /* Java passes the length as an int; images never approach 2 GiB. */
    h ^= (uint32_t)len;
    return (int32_t)fmix32(h);
}

int32_t pmn_binary_row_hash(const uint8_t *image, size_t len)
{
    return pmn_murmur3_32(image, len, 42);
}

int32_t pmn_bucket_of(int32_t hash, int32_t num_buckets)
{
    PMN_ASSERT(num_buckets > 0);
    /* C's % truncates toward zero like Java's; the result is in (-N, N). */
    int32_t r = hash % num_buckets;
    return r < 0 ? -r : r;
}
