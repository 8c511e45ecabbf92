/*
 * tests/integration/test_sample.c
 *
 * The sample database (sql/postgres-init.sql, loaded by the fixture) keeps
 * the promises later tests and the guide rely on, checked through libpq in a
 * private copy (database it_test_sample): the products table's shape and 44
 * rows, baskets with recurring pairs, stock levels, and a pgoutput slot on
 * publication paimon_cdc that sees INSERT, UPDATE and DELETE of a product.
 */
#include "itutil.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define TEST_DB "it_test_sample"
#define TEST_SLOT "it_test_sample_slot"

static PGconn *conn;

static int setup(void **state)
{
    pmn_it_fresh_db(TEST_DB, "ecommerce");
    conn = pmn_it_connect(TEST_DB);
    return 0;
}

static int teardown(void **state)
{
    PQfinish(conn);
    pmn_it_drop_db(TEST_DB);
    return 0;
}

static void assert_value(const char *sql, const char *expected)
{
    char *v = pmn_it_value(conn, sql);
    if (!v || strcmp(v, expected) != 0)
        fail_msg("%s: expected '%s', got '%s'", sql, expected, v ? v : "NULL");
    free(v);
}

static void test_sample__products(void **state)
{
    assert_value("SELECT count(*) FROM products", "44");
    assert_value("SELECT count(*) FROM products WHERE product_id ~ '^prod_[0-9]{3}$'"
                 " AND substr(product_id, 6)::int BETWEEN 1 AND 44",
                 "44");
    assert_value("SELECT count(DISTINCT category) >= 5 AND bool_and(category = lower(category))"
                 " AND count(*) FILTER (WHERE category = 'electronics') > 0"
                 " AND count(*) FILTER (WHERE category = 'clothing') > 0 FROM products",
                 "t");
    assert_value("SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ','"
                 " ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'products'::regclass"
                 " AND attnum > 0 AND NOT attisdropped",
                 "product_id:character varying(50),product_name:character varying(255),"
                 "category:character varying(100),subcategory:character varying(100),"
                 "brand:character varying(100),price:numeric(10,2),cost:numeric(10,2),"
                 "image_url:text,is_active:boolean,created_at:timestamp with time zone,"
                 "updated_at:timestamp with time zone");
    assert_value("SELECT bool_and(price > cost) FROM products", "t");
}

static void test_sample__baskets(void **state)
{
    assert_value("SELECT count(*) >= 100 FROM orders", "t");
    assert_value("SELECT min(n) >= 2 FROM (SELECT count(*) AS n FROM order_items"
                 " GROUP BY order_id) AS s",
                 "t");
    /* basket analysis needs pairs that recur, not one-off combinations */
    assert_value("SELECT count(*) >= 10 FROM (SELECT a.product_id, b.product_id"
                 " FROM order_items a JOIN order_items b ON a.order_id = b.order_id"
                 " AND a.product_id < b.product_id GROUP BY 1, 2 HAVING count(*) >= 8) AS p",
                 "t");
    assert_value("SELECT sum(total_orders) = (SELECT count(*) FROM orders"
                 " WHERE status <> 'cancelled') FROM customers",
                 "t");
    assert_value("SELECT bool_and(o.total_amount = s.subtotal + o.shipping_cost) FROM orders o"
                 " JOIN (SELECT order_id, sum(quantity * unit_price) AS subtotal"
                 " FROM order_items GROUP BY 1) AS s USING (order_id)",
                 "t");
}

static void test_sample__inventory(void **state)
{
    assert_value("SELECT count(*) FROM products LEFT JOIN inventory USING (product_id)"
                 " WHERE inventory.product_id IS NULL",
                 "0");
    assert_value("SELECT count(*) >= 3 FROM inventory WHERE quantity_available < 20", "t");
    assert_value("SELECT bool_and(quantity_available = quantity_on_hand - quantity_reserved"
                 " AND quantity_available >= 0) FROM inventory",
                 "t");
}

static void test_sample__pgoutput_sees_changes(void **state)
{
    PQclear(pmn_it_exec(conn,
                        "SELECT pg_create_logical_replication_slot('" TEST_SLOT "', 'pgoutput')"));
    /* the guide's INSERT / UPDATE / DELETE of prod_test_001 */
    PQclear(pmn_it_exec(conn,
                        "INSERT INTO products (product_id, product_name, category,"
                        " subcategory, brand, price, cost) VALUES ('prod_test_001',"
                        " 'Test Product', 'electronics', 'test', 'TestBrand', 99.99, 50.00)"));
    PQclear(
        pmn_it_exec(conn, "UPDATE products SET price = 79.99 WHERE product_id = 'prod_test_001'"));
    PQclear(pmn_it_exec(conn, "DELETE FROM products WHERE product_id = 'prod_test_001'"));
    /* one letter per pgoutput message: Begin, Relation, Insert, Commit, ... */
    assert_value("SELECT string_agg(chr(get_byte(data, 0)), '' ORDER BY n)"
                 " FROM pg_logical_slot_peek_binary_changes('" TEST_SLOT "', NULL, NULL,"
                 " 'proto_version', '1', 'publication_names', 'paimon_cdc')"
                 " WITH ORDINALITY AS t(lsn, xid, data, n)",
                 "BRICBUCBDC");
    PQclear(pmn_it_exec(conn, "SELECT pg_drop_replication_slot('" TEST_SLOT "')"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample__products),
        cmocka_unit_test(test_sample__baskets),
        cmocka_unit_test(test_sample__inventory),
        cmocka_unit_test(test_sample__pgoutput_sees_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
