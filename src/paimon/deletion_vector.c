/*
 * src/paimon/deletion_vector.c
 *
 * Decoding one deletion vector of an index file; see deletion_vector.h.
 * Java 1.x skips the CRC on read; we check it, so a damaged index file is an
 * error rather than silently wrong rows.
 */
#include "paimon/deletion_vector.h"

#include "util/error.h"

#include <zlib.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pmn_dv_check_version(const uint8_t *file, size_t file_len)
{
    if (file_len == 0)
        return pmn_error_set(PMN_ECORRUPT, "empty deletion vectors index file");
    if (file[0] != 1)
        return pmn_error_set(PMN_ECORRUPT, "deletion vectors index file version %u (expected 1)",
                             file[0]);
    return 0;
}

int pmn_dv_decode(const uint8_t *file, size_t file_len, int64_t offset, int64_t length,
                  pmn_roaring **out)
{
    *out = NULL;
    int rc = pmn_dv_check_version(file, file_len);
    if (rc)
        return rc;
    if (offset < 1 || length < 4 || (uint64_t)offset + 8 > file_len)
        return pmn_error_set(PMN_ECORRUPT,
                             "deletion vector range (offset %lld, length %lld) lies outside the "
                             "%zu-byte file",
                             (long long)offset, (long long)length, file_len);
    const uint8_t *p = file + offset;
    uint32_t size = be32(p);
    bool wide;
    if (be32(p + 4) == PMN_DV_MAGIC32) {
        wide = false;
        if ((int64_t)size != length)
            return pmn_error_set(PMN_ECORRUPT,
                                 "deletion vector at offset %lld: size field %u, the index "
                                 "manifest says %lld",
                                 (long long)offset, size, (long long)length);
    } else if (le32(p + 4) == PMN_DV_MAGIC64) {
        wide = true;
        if ((int64_t)size + 8 != length)
            return pmn_error_set(PMN_ECORRUPT,
                                 "deletion vector at offset %lld: size field %u, the index "
                                 "manifest says %lld (size + 8)",
                                 (long long)offset, size, (long long)length);
    } else {
        return pmn_error_set(PMN_ECORRUPT,
                             "deletion vector at offset %lld: invalid magic number %d (expected "
                             "%d, or %d little-endian)",
                             (long long)offset, (int32_t)be32(p + 4), PMN_DV_MAGIC32,
                             PMN_DV_MAGIC64);
    }
    if (size < 4 || (uint64_t)offset + 4 + size + 4 > file_len)
        return pmn_error_set(PMN_ECORRUPT,
                             "deletion vector at offset %lld: %u bytes plus checksum run past the "
                             "end of the %zu-byte file",
                             (long long)offset, size, file_len);
    uint32_t want = be32(p + 4 + size);
    uint32_t got = (uint32_t)crc32(0L, p + 4, (uInt)size);
    if (want != got)
        return pmn_error_set(PMN_ECORRUPT,
                             "deletion vector at offset %lld: crc32 mismatch (stored %08x, "
                             "computed %08x)",
                             (long long)offset, want, got);
    rc = wide ? pmn_roaring_decode64(p + 8, size - 4, out)
              : pmn_roaring_decode32(p + 8, size - 4, out);
    if (rc)
        return pmn_error_wrap("deletion vector at offset %lld: ", (long long)offset);
    return 0;
}
