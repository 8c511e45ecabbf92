-- Setup: the sample database's products and inventory (scripts/postgres-init.sql), written
-- with CREATE TABLE and INSERT the way postgres_sync_table would create them.
-- @include sample_setup.inc

-- The guide, "Querying Paimon Tables" / "Using Flink SQL Client", verbatim:
-- Create Paimon catalog
CREATE CATALOG paimon_catalog WITH (
  'type' = 'paimon',
  'warehouse' = '/tmp/paimon'
);

USE CATALOG paimon_catalog;

-- List databases
SHOW DATABASES;

-- Use lakehouse database
USE lakehouse;

-- List tables
SHOW TABLES;

-- Query products (synced from PostgreSQL)
SELECT product_id, product_name, category, price
FROM products
ORDER BY price DESC
LIMIT 10;

-- Join with inventory
SELECT
    p.product_name,
    p.category,
    p.price,
    i.quantity_available,
    i.quantity_reserved
FROM products p
JOIN inventory i ON p.product_id = i.product_id
WHERE i.quantity_available < 20
ORDER BY i.quantity_available ASC;

-- Time-travel query (if you made changes)
SELECT COUNT(*) as product_count
FROM products
FOR SYSTEM_TIME AS OF TIMESTAMP '2025-01-20 10:00:00';

-- The Table API example's query (electronics products)
SELECT product_id, product_name, category, price FROM products WHERE category = 'electronics';
SHOW CURRENT CATALOG;
SHOW CURRENT DATABASE;
SHOW CATALOGS;
-- EXPLAIN shows what is pushed down: "INDEX <values>:<colUsed hex>;<column>:<op>..." per table
EXPLAIN
SELECT
    p.product_name,
    p.category,
    p.price,
    i.quantity_available,
    i.quantity_reserved
FROM products p
JOIN inventory i ON p.product_id = i.product_id
WHERE i.quantity_available < 20
ORDER BY i.quantity_available ASC;
EXPLAIN SELECT product_id, price FROM products WHERE product_id = 'prod_test_001';
