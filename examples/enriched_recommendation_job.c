/*
 * examples/enriched_recommendation_job.c
 *
 * The guide's EnrichedRecommendationJob in C: basket patterns (from pattern
 * mining, basket_analysis.basket_patterns) with confidence > 0.5 joined with
 * the active products of the catalog synced from PostgreSQL
 * (lakehouse.products), ordered by confidence, printed as
 * EnrichedRecommendation records. The SQL is the job's, run through the SQL C
 * API (include/pmn/sql.h).
 *
 *   usage: enriched_recommendation_job [WAREHOUSE]      (default /tmp/paimon)
 */
#include "pmn/pmn.h"

#include <stdio.h>

static int fail(const char *what)
{
    fprintf(stderr, "enriched_recommendation_job: %s: %s\n", what, pmn_error_last());
    return 1;
}

int main(int argc, char **argv)
{
    const char *warehouse = argc > 1 ? argv[1] : "/tmp/paimon";
    pmn_sql *sql;
    if (pmn_sql_open(&sql))
        return fail("opening an SQL session");
    char setup[1024];
    snprintf(setup, sizeof setup,
             "CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '%s');"
             "USE CATALOG paimon_catalog;",
             warehouse);
    if (pmn_sql_exec(sql, setup))
        return fail("registering the Paimon catalog");

    /* patterns, products and their join, as the job's three sqlQuery calls */
    pmn_sql_rows *r;
    if (pmn_sql_query(sql,
                      "SELECT "
                      "  p.consequent as product_id, "
                      "  pd.product_name, "
                      "  pd.category, "
                      "  pd.price, "
                      "  pd.image_url, "
                      "  p.confidence, "
                      "  p.support "
                      "FROM (SELECT antecedents, consequent, confidence, support "
                      "      FROM basket_analysis.basket_patterns "
                      "      WHERE confidence > 0.5) p "
                      "JOIN (SELECT product_id, product_name, category, price, image_url "
                      "      FROM lakehouse.products "
                      "      WHERE is_active = true) pd ON p.consequent = pd.product_id "
                      "ORDER BY p.confidence DESC",
                      &r))
        return fail("planning the recommendation query");
    int rc;
    while ((rc = pmn_sql_rows_next(r)) == 0) {
        const char *product_id = pmn_sql_rows_text(r, 0);
        const char *name = pmn_sql_rows_text(r, 1);
        double price = pmn_sql_rows_double(r, 3);
        double confidence = pmn_sql_rows_double(r, 5);
        printf("EnrichedRecommendation{productId=%s, name=%s, price=%.2f, confidence=%.2f}\n",
               product_id, name ? name : "null", price, confidence);
    }
    if (rc != PMN_ITEROVER)
        return fail("running the recommendation query");
    pmn_sql_rows_free(r);
    pmn_sql_close(sql);
    return 0;
}
