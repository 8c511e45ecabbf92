/*
 * examples/electronics_products.c
 *
 * The guide's "Using Table API in Flink Job" example in C: read the
 * electronics products of lakehouse.products (synced from PostgreSQL) with a
 * typed scan of the lake, and hand each one to the recommendation logic as a
 * ProductInfo.
 *
 *   usage: electronics_products [WAREHOUSE]      (default /tmp/paimon)
 *
 * The scan decodes only the four columns used and pushes the category filter
 * down; filters only prune, so the loop checks the category itself.
 */
#include "pmn/pmn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct product_info {
    char product_id[64];
    char name[256];
    double price;
} product_info;

static int fail(const char *what)
{
    fprintf(stderr, "electronics_products: %s: %s\n", what, pmn_error_last());
    return 1;
}

/* decimal_to_double: a DECIMAL(p, s) datum as a double (the Java job reads price as Double). */
static double decimal_to_double(const pmn_type *t, const pmn_datum *d)
{
    double v = (double)d->v.dec;
    for (int i = 0; i < t->scale; i++)
        v /= 10.0;
    return v;
}

int main(int argc, char **argv)
{
    const char *warehouse = argc > 1 ? argv[1] : "/tmp/paimon";
    pmn_catalog *cat;
    pmn_table *products;
    if (pmn_catalog_open(warehouse, false, &cat))
        return fail("opening the catalog");
    if (pmn_table_open(cat, "lakehouse", "products", &products))
        return fail("opening lakehouse.products");

    const pmn_type *row = pmn_table_row_type(products);
    int id = pmn_type_find_field(row, "product_id");
    int name = pmn_type_find_field(row, "product_name");
    int category = pmn_type_find_field(row, "category");
    int price = pmn_type_find_field(row, "price");
    if (id < 0 || name < 0 || category < 0 || price < 0) {
        fprintf(stderr, "electronics_products: lakehouse.products lacks an expected column\n");
        return 1;
    }
    int projection[] = {id, name, category, price};
    pmn_filter where = {.field = category, .op = PMN_FILTER_EQ};
    where.value.is_null = false;
    where.value.v.bin.ptr = (const uint8_t *)"electronics";
    where.value.v.bin.len = (uint32_t)strlen("electronics");
    pmn_scan_options opts = {.projection = projection, .nprojection = 4, .filters = &where,
                             .nfilters = 1};
    pmn_scan *scan;
    if (pmn_scan_open(products, &opts, &scan))
        return fail("scanning lakehouse.products");

    const pmn_datum *r;
    int rc, n = 0;
    while ((rc = pmn_scan_next(scan, &r)) == 0) {
        const pmn_datum *c = &r[category];
        if (c->is_null || c->v.bin.len != 11 || memcmp(c->v.bin.ptr, "electronics", 11) != 0)
            continue;
        product_info p;
        snprintf(p.product_id, sizeof p.product_id, "%.*s", (int)r[id].v.bin.len,
                 (const char *)r[id].v.bin.ptr);
        snprintf(p.name, sizeof p.name, "%.*s", (int)r[name].v.bin.len,
                 (const char *)r[name].v.bin.ptr);
        p.price = r[price].is_null ? 0 : decimal_to_double(row->fields[price].type, &r[price]);
        /* ... use in recommendation logic */
        printf("ProductInfo{productId=%s, name=%s, price=%.2f}\n", p.product_id, p.name, p.price);
        n++;
    }
    if (rc != PMN_ITEROVER)
        return fail("reading lakehouse.products");
    fprintf(stderr, "%d electronics products\n", n);
    pmn_scan_free(scan);
    pmn_table_free(products);
    pmn_catalog_free(cat);
    return 0;
}
