/*
 * tests/unit/test_avro_flat.c
 *
 * pmn_avro_write_row encodes rows without nested types through a fast path
 * (one capacity check per row, decimals sized by bit length). It must give
 * the bytes of the general per-value encoder, which a row holding the same
 * fields as a NOT NULL nested record still uses (a non-null record is its
 * fields' encodings back to back), and decode back to the same values.
 */
#include "testutil.h"

#include "change/datum.h"
#include "format/avro.h"
#include "pmn/types.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static pmn_type *flat_row(void)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 0, "b", pmn_type_new(PMN_TYPE_BOOLEAN));
    pmn_type_row_add(r, 0, "t", pmn_type_new(PMN_TYPE_TINYINT));
    pmn_type_row_add(r, 0, "s", pmn_type_not_null(pmn_type_new(PMN_TYPE_SMALLINT)));
    pmn_type_row_add(r, 0, "i", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(r, 0, "l", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 0, "f", pmn_type_new(PMN_TYPE_FLOAT));
    pmn_type_row_add(r, 0, "d", pmn_type_new(PMN_TYPE_DOUBLE));
    pmn_type_row_add(r, 0, "dec", pmn_type_decimal(38, 4));
    pmn_type_row_add(r, 0, "dec2", pmn_type_not_null(pmn_type_decimal(10, 2)));
    pmn_type_row_add(r, 0, "str", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(r, 0, "bin", pmn_type_new(PMN_TYPE_VARBINARY));
    pmn_type_row_add(r, 0, "date", pmn_type_new(PMN_TYPE_DATE));
    pmn_type_row_add(r, 0, "ts3", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 3));
    pmn_type_row_add(r, 0, "ts6", pmn_type_timestamp(PMN_TYPE_TIMESTAMP_LTZ, 6));
    return r;
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* a value of `bits` random bits, sign random: covers every decimal byte length */
static pmn_i128 rnd_i128(void)
{
    int bits = (int)(rnd() % 128);
    unsigned __int128 u = ((unsigned __int128)rnd() << 64) | rnd();
    u = bits == 0 ? 0 : u >> (128 - bits);
    pmn_i128 v = (pmn_i128)u;
    return rnd() & 1 ? -v : v;
}

static void test_flat__same_bytes_as_general_encoder(void **state)
{
    (void)state;
    pmn_type *row = flat_row();
    pmn_type *outer = pmn_type_row();
    pmn_type_row_add(outer, 0, "inner", pmn_type_not_null(pmn_type_copy(row)));
    char *schema = pmn_avro_schema_for_row(row);
    assert_non_null(schema);
    pmn_avro_schema *sc;
    assert_pmn_ok(pmn_avro_schema_parse(schema, strlen(schema), &sc));
    pmn_avro_read_plan *plan;
    assert_pmn_ok(pmn_avro_read_plan_new(sc, row, &plan));
    int n = row->nfields;
    pmn_datum *vals = pmn_xcalloc((size_t)n, sizeof *vals);
    pmn_datum *back = pmn_xcalloc((size_t)n, sizeof *back);
    pmn_arena arena = PMN_ARENA_INIT;
    char str[64];
    uint8_t bin[32];
    for (int iter = 0; iter < 20000; iter++) {
        for (int i = 0; i < n; i++)
            vals[i] = (rnd() % 5 == 0) ? pmn_datum_null() : (pmn_datum){.is_null = false};
        int64_t r64 = (int64_t)rnd() >> (rnd() % 64);
        vals[0].v.b = r64 & 1;
        vals[1].v.i = (int8_t)r64;
        vals[2].v.i = (int16_t)r64;
        vals[3].v.i = (int32_t)r64;
        vals[4].v.i = r64;
        vals[5].v.f4 = (float)r64 / 7.0f;
        vals[6].v.f8 = (double)r64 / 3.0;
        vals[7].v.dec = rnd_i128();
        vals[8].v.dec = rnd_i128() % 10000000000LL;
        uint32_t slen = (uint32_t)(rnd() % sizeof str);
        for (uint32_t k = 0; k < slen; k++)
            str[k] = (char)('a' + rnd() % 26);
        vals[9].v.bin.ptr = (const uint8_t *)str;
        vals[9].v.bin.len = slen;
        uint32_t blen = (uint32_t)(rnd() % sizeof bin);
        for (uint32_t k = 0; k < blen; k++)
            bin[k] = (uint8_t)rnd();
        vals[10].v.bin.ptr = bin;
        vals[10].v.bin.len = blen;
        vals[11].v.i = (int32_t)(r64 % 100000);
        vals[12].v.ts.millis = r64 % 4000000000000LL;
        vals[13].v.ts.millis = r64 % 4000000000000LL;
        vals[13].v.ts.nanos = (int32_t)(rnd() % 1000000) / 1000 * 1000;

        pmn_buf fast = PMN_BUF_INIT, general = PMN_BUF_INIT;
        pmn_buf_put(&fast, "x", 1); /* encoding appends */
        pmn_buf_put(&general, "x", 1);
        pmn_avro_write_row(&fast, row, vals);
        pmn_datum nested = {.is_null = false};
        nested.v.list.items = vals;
        nested.v.list.n = (uint32_t)n;
        pmn_avro_write_row(&general, outer, &nested);
        if (fast.len != general.len || memcmp(fast.data, general.data, fast.len) != 0)
            fail_msg("iteration %d: fast encoding (%zu bytes) differs from general (%zu)", iter,
                     fast.len, general.len);

        pmn_avro_cursor c = {fast.data + 1, fast.data + fast.len, false};
        pmn_arena_reset(&arena);
        assert_pmn_ok(pmn_avro_read_row(plan, &c, &arena, back));
        assert_true(c.p == c.end);
        for (int i = 0; i < n; i++) {
            const pmn_type *t = row->fields[i].type;
            pmn_datum want = vals[i];
            if (want.is_null && !t->nullable)
                continue; /* written as the zero value */
            if (t->root == PMN_TYPE_TIMESTAMP && t->precision <= 3)
                want.v.ts.nanos = 0;
            if (pmn_datum_compare(t, &want, &back[i]) != 0)
                fail_msg("iteration %d: field %s did not round-trip", iter, row->fields[i].name);
        }
        pmn_buf_dispose(&fast);
        pmn_buf_dispose(&general);
    }
    pmn_arena_free(&arena);
    free(vals);
    free(back);
    pmn_avro_read_plan_free(plan);
    pmn_avro_schema_free(sc);
    free(schema);
    pmn_type_free(outer);
    pmn_type_free(row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat__same_bytes_as_general_encoder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
