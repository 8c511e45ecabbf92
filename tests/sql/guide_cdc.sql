-- Setup: the sample database's products and inventory (scripts/postgres-init.sql), written
-- with CREATE TABLE and INSERT the way postgres_sync_table would create them.
-- @include sample_setup.inc

-- The guide, "Testing CDC End-to-End": each heredoc verbatim; the PostgreSQL changes are
-- applied to the lake with INSERT/DELETE the way the sync would apply them.
-- 2. Verify Initial Snapshot
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT COUNT(*) as product_count FROM lakehouse.products;

-- 3. Test INSERT (INSERT INTO products ... VALUES ('prod_test_001', ...) in PostgreSQL)
INSERT INTO lakehouse.products (product_id, product_name, category, subcategory, brand, price, cost, is_active, created_at, updated_at)
VALUES ('prod_test_001', 'Test Product', 'electronics', 'test', 'TestBrand', 99.99, 50.00, true, TIMESTAMP '2025-01-21 08:00:00', TIMESTAMP '2025-01-21 08:00:00');
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT product_id, product_name, price FROM lakehouse.products WHERE product_id = 'prod_test_001';

-- 4. Test UPDATE (UPDATE products SET price = 79.99 WHERE product_id = 'prod_test_001')
INSERT INTO lakehouse.products (product_id, product_name, category, subcategory, brand, price, cost, is_active, created_at, updated_at)
VALUES ('prod_test_001', 'Test Product', 'electronics', 'test', 'TestBrand', 79.99, 50.00, true, TIMESTAMP '2025-01-21 08:00:00', TIMESTAMP '2025-01-21 09:00:00');
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT product_id, price FROM lakehouse.products WHERE product_id = 'prod_test_001';

-- 5. Test DELETE (DELETE FROM products WHERE product_id = 'prod_test_001')
DELETE FROM lakehouse.products WHERE product_id = 'prod_test_001';
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT COUNT(*) FROM lakehouse.products WHERE product_id = 'prod_test_001';

-- Every snapshot of the table, read back: 44 rows, then 45, 45 (price 79.99), 44
SELECT snapshot_id, commit_kind, total_record_count, delta_record_count FROM lakehouse.products$snapshots;
SELECT COUNT(*) AS n, SUM(price) AS total FROM lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '1') */;
SELECT product_id, price FROM lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '2') */ WHERE product_id = 'prod_test_001';
SELECT product_id, price FROM lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '3') */ WHERE product_id = 'prod_test_001';
SELECT COUNT(*) AS n FROM lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '4') */;
SELECT a.product_id, a.price AS before_price, b.price AS after_price
FROM lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '2') */ a
JOIN lakehouse.products /*+ OPTIONS('scan.snapshot-id' = '3') */ b ON a.product_id = b.product_id
WHERE a.price <> b.price;
