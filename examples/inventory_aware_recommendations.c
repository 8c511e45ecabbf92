/*
 * examples/inventory_aware_recommendations.c
 *
 * The guide's "Inventory-Aware Recommendations" query, verbatim, through the
 * SQL C API: recommend only products that are in stock.
 *
 *   usage: inventory_aware_recommendations [WAREHOUSE]      (default /tmp/paimon)
 */
#include "pmn/pmn.h"

#include <stdio.h>

static const char QUERY[] = "SELECT\n"
                            "    bp.consequent as recommended_product,\n"
                            "    p.product_name,\n"
                            "    p.price,\n"
                            "    i.quantity_available,\n"
                            "    bp.confidence\n"
                            "FROM basket_analysis.basket_patterns bp\n"
                            "JOIN lakehouse.products p ON bp.consequent = p.product_id\n"
                            "JOIN lakehouse.inventory i ON p.product_id = i.product_id\n"
                            "WHERE\n"
                            "    bp.confidence > 0.6\n"
                            "    AND i.quantity_available > 0  -- In stock only\n"
                            "    AND p.is_active = true\n"
                            "ORDER BY bp.confidence DESC";

int main(int argc, char **argv)
{
    const char *warehouse = argc > 1 ? argv[1] : "/tmp/paimon";
    pmn_sql *sql;
    char setup[1024];
    snprintf(setup, sizeof setup,
             "CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '%s');"
             "USE CATALOG paimon_catalog;",
             warehouse);
    pmn_sql_rows *r;
    if (pmn_sql_open(&sql) || pmn_sql_exec(sql, setup) || pmn_sql_query(sql, QUERY, &r)) {
        fprintf(stderr, "inventory_aware_recommendations: %s\n", pmn_error_last());
        return 1;
    }
    printf("recommended_product | product_name | price | quantity_available | confidence\n");
    int rc;
    while ((rc = pmn_sql_rows_next(r)) == 0)
        printf("%s | %s | %s | %lld | %.2f\n", pmn_sql_rows_text(r, 0), pmn_sql_rows_text(r, 1),
               pmn_sql_rows_text(r, 2), (long long)pmn_sql_rows_int(r, 3),
               pmn_sql_rows_double(r, 4));
    if (rc != PMN_ITEROVER) {
        fprintf(stderr, "inventory_aware_recommendations: %s\n", pmn_error_last());
        return 1;
    }
    pmn_sql_rows_free(r);
    pmn_sql_close(sql);
    return 0;
}
